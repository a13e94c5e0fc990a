/**
 * Contract test: Zoho's official TypeScript SDK for API v8 (`@zohocrm/typescript-sdk-8.0`, an independent client
 * written by Zoho) talks to the Zoho emulator. The SDK is pointed at it with `new Environment(apiUrl, accountsUrl,
 * fileUploadUrl)`; it refreshes its token there, fetches field metadata, creates a field, upserts, inserts, reads and
 * COQL-queries, and must parse every answer into its own response classes. The second part checks the field names our
 * mapping sends against the SDK's own record field names.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as SDK from '@zohocrm/typescript-sdk-8.0';

import { ZohoEmulator } from '../emulators/zoho';
import { buildProductRecords, buildSalesOrderRecord, type WooOrder } from '../../nodes/ZohoCrmOrderSync/mapping';
import mainSample from '../fixtures/orders/main-sample.json';

const { Record: ZRecord, Fields, Coql, Taxes } = SDK;

let zoho: ZohoEmulator;
let resources: string;

beforeAll(async () => {
	zoho = await ZohoEmulator.start({ taxes: [{ name: 'State Tax', value: 7.5 }] });
	resources = mkdtempSync(join(tmpdir(), 'zoho-sdk-'));
	await new SDK.InitializeBuilder()
		.environment(new SDK.Environment(zoho.url, `${zoho.url}/oauth/v2/token`, zoho.url))
		.token(new SDK.OAuthBuilder().clientId(zoho.clientId).clientSecret(zoho.clientSecret).refreshToken(zoho.refreshToken).findUser(false).build())
		.store(new SDK.FileStore(join(resources, 'tokens.txt')))
		.SDKConfig(new SDK.SDKConfigBuilder().autoRefreshFields(false).pickListValidation(false).build())
		.resourcePath(resources)
		.logger(new SDK.LogBuilder().level(SDK.Levels.OFF).build())
		.initialize();
}, 30_000);

afterAll(async () => {
	await zoho.stop();
	rmSync(resources, { recursive: true, force: true });
});

/** The SDK's action answer (write, field creation): every item must be a SuccessResponse. */
function successes(response: SDK.APIResponse<any> | null, wrapperClass: any, successClass: any): Array<Map<string, any>> {
	expect(response).not.toBeNull();
	const object = response!.getObject();
	expect(object).toBeInstanceOf(wrapperClass);
	const items = (object.getData?.() ?? object.getFields?.()) as any[];
	for (const item of items) expect(item).toBeInstanceOf(successClass);
	return items.map((item) => item.getDetails() as Map<string, any>);
}

test('the SDK refreshes its token at the emulator and reads field metadata and org taxes', async () => {
	const params = new SDK.ParameterMap();
	await params.add(Fields.GetFieldsParam.MODULE, 'Ordered_Items');
	const response = await new Fields.FieldsOperations().getFields(params);
	expect(response.getStatusCode()).toBe(200);
	const wrapper = response.getObject();
	expect(wrapper).toBeInstanceOf(Fields.ResponseWrapper);
	const names = (wrapper as InstanceType<typeof Fields.ResponseWrapper>).getFields().map((field) => field.getAPIName());
	expect(names).toEqual(expect.arrayContaining(['Product_Name', 'Quantity', 'List_Price', 'Discount', 'Line_Tax', 'Net_Total']));
	expect(zoho.calls[0]).toMatchObject({ path: '/oauth/v2/token', status: 200 });

	const taxes = await new Taxes.TaxesOperations().getTaxes();
	const orgTaxes = (taxes.getObject() as InstanceType<typeof Taxes.ResponseWrapper>).getOrgTaxes();
	expect(orgTaxes.getTaxes().map((tax) => [tax.getName(), tax.getValue()])).toEqual([['State Tax', 7.5]]);
});

test('a custom field created through the SDK: 201 parsed, its API name read back from /settings/fields', async () => {
	const field = new Fields.Fields();
	field.setFieldLabel('WooCommerce Order ID');
	field.setDataType('text');
	field.setLength(255);
	const unique = new Fields.Unique();
	unique.setCasesensitive('false');
	field.setUnique(unique);
	const body = new Fields.BodyWrapper();
	body.setFields([field]);
	const params = new SDK.ParameterMap();
	await params.add(Fields.CreateFieldParam.MODULE, 'Sales_Orders');
	const created = await new Fields.FieldsOperations().createField(body, params);
	expect(created.getStatusCode()).toBe(201);
	const [details] = successes(created, Fields.ActionWrapper, Fields.SuccessResponse);
	const fieldId = String(details.get('id'));

	const read = new SDK.ParameterMap();
	await read.add(Fields.GetFieldsParam.MODULE, 'Sales_Orders');
	const fields = (await new Fields.FieldsOperations().getFields(read)).getObject() as InstanceType<typeof Fields.ResponseWrapper>;
	const createdField = fields.getFields().find((candidate) => String(candidate.getId()) === fieldId);
	expect(createdField?.getAPIName()).toBe('WooCommerce_Order_ID');
	expect(createdField?.getUnique()).toBeDefined();
});

test('products upserted, a sales order inserted with line taxes, upserted again, read back and queried: every answer parses', async () => {
	const order = mainSample as unknown as WooOrder;
	// bodies built by our own mapping, serialised by the SDK's record model
	const products = buildProductRecords(order).map((product) => {
		const record = new ZRecord.Record();
		for (const [key, value] of Object.entries(product)) record.addKeyValue(key, value);
		return record;
	});
	const productBody = new ZRecord.BodyWrapper();
	productBody.setData(products);
	productBody.setDuplicateCheckFields(['Product_Name']);
	const productAnswer = await new ZRecord.RecordOperations('Products').upsertRecords(productBody);
	const productIds = successes(productAnswer, ZRecord.ActionWrapper, ZRecord.SuccessResponse).map((details) => String(details.get('id')));
	expect(productIds).toHaveLength(2);

	const codes = buildProductRecords(order).map((product) => String(product.Product_Code));
	const mapped = buildSalesOrderRecord(
		order,
		{ Subject: 'SDK order', taxMode: 'orgTaxes' },
		Object.fromEntries(codes.map((code, index) => [code, productIds[index]])),
		'WooCommerce_Order_ID',
	);
	const salesOrder = new ZRecord.Record();
	for (const [key, value] of Object.entries(mapped)) {
		if (key !== 'Ordered_Items') salesOrder.addKeyValue(key, value);
	}
	const rows = (mapped.Ordered_Items as Array<Record<string, unknown>>).map((row) => {
		const line = new ZRecord.Record();
		for (const [key, value] of Object.entries(row)) {
			if (key === 'Product_Name') {
				const product = new ZRecord.LineItemProduct();
				product.setId(BigInt((value as { id: string }).id));
				line.addKeyValue(key, product);
			} else if (key === 'Line_Tax') {
				// our Line_Tax entries through the SDK's own LineTax model
				const taxes = (value as Array<{ name: string; percentage: number }>).map(({ name, percentage }) => {
					const tax = new ZRecord.LineTax();
					tax.setName(name);
					tax.setPercentage(percentage);
					return tax;
				});
				line.addKeyValue(key, taxes);
			} else line.addKeyValue(key, value);
		}
		return line;
	});
	salesOrder.addKeyValue('Ordered_Items', rows);
	const body = new ZRecord.BodyWrapper();
	body.setData([salesOrder]);
	const inserted = await new ZRecord.RecordOperations('Sales_Orders').createRecords(body);
	expect(inserted.getStatusCode()).toBe(201);
	const [insertDetails] = successes(inserted, ZRecord.ActionWrapper, ZRecord.SuccessResponse);
	const id = insertDetails.get('id') as bigint;
	const sent = zoho.apiCalls().find((call) => call.method === 'POST' && call.path === '/crm/v8/Sales_Orders');
	expect(sent?.body.data[0].Ordered_Items[0]).toMatchObject({ Product_Name: { id: productIds[0] }, Quantity: 2, List_Price: 3, Line_Tax: [{ name: 'State Tax', percentage: 7.5 }] });

	// upsert on the order-id field the previous test created
	const upsertBody = new ZRecord.BodyWrapper();
	const again = new ZRecord.Record();
	again.addKeyValue('WooCommerce_Order_ID', '727');
	again.addKeyValue('Subject', 'SDK order (updated)');
	upsertBody.setData([again]);
	upsertBody.setDuplicateCheckFields(['WooCommerce_Order_ID']);
	const upserted = await new ZRecord.RecordOperations('Sales_Orders').upsertRecords(upsertBody);
	const [upsertDetails] = successes(upserted, ZRecord.ActionWrapper, ZRecord.SuccessResponse);
	expect(String(upsertDetails.get('id'))).toBe(String(id));
	expect((upserted.getObject() as InstanceType<typeof ZRecord.ActionWrapper>).getData()[0]).toBeInstanceOf(ZRecord.SuccessResponse);
	expect(((upserted.getObject() as any).getData()[0].getAction() as SDK.Choice<string>).getValue()).toBe('update');

	const read = await new ZRecord.RecordOperations('Sales_Orders').getRecord(id);
	expect(read.getStatusCode()).toBe(200);
	const wrapper = read.getObject();
	expect(wrapper).toBeInstanceOf(ZRecord.ResponseWrapper);
	const [record] = (wrapper as InstanceType<typeof ZRecord.ResponseWrapper>).getData();
	expect(record.getKeyValue('Subject')).toBe('SDK order (updated)');
	const lines = record.getKeyValue('Ordered_Items') as InstanceType<typeof ZRecord.Record>[];
	expect(lines).toHaveLength(2);
	expect(lines.map((line) => [line.getKeyValue('Net_Total'), line.getKeyValue('Tax')])).toEqual([
		[6.45, 0.45],
		[12.9, 0.9],
	]);
	// Zoho's computed totals, parsed by the SDK: lines 19.35 with 7.5 % State Tax, Adjustment 10 (shipping) = the order total
	expect([record.getKeyValue('Sub_Total'), record.getKeyValue('Grand_Total')]).toEqual([19.35, 29.35]);

	const query = new Coql.BodyWrapper();
	query.setSelectQuery("select Subject, Grand_Total, WooCommerce_Order_ID from Sales_Orders where WooCommerce_Order_ID = '727' limit 5");
	const queried = await new Coql.CoqlOperations().getRecords(query);
	expect(queried.getStatusCode()).toBe(200);
	const rowsFound = (queried.getObject() as InstanceType<typeof Coql.ResponseWrapper>).getData();
	expect(rowsFound.map((row) => row.getKeyValue('Subject'))).toEqual(['SDK order (updated)']);
});

describe('field names our mapping sends, against the SDK’s own names', () => {
	const sdkFields = (module: keyof typeof ZRecord.Field) =>
		new Set(
			Object.values(ZRecord.Field[module] as unknown as globalThis.Record<string, unknown>)
				.filter((value): value is InstanceType<typeof ZRecord.Field> => value instanceof ZRecord.Field)
				.map((field) => field.getAPIName()),
		);
	const order = mainSample as unknown as WooOrder;
	const productIds = { 'wc-93': '1', Bar3: '2' };

	test('Sales_Orders and Products records use only field names the SDK lists for those modules (plus our custom order-id field)', () => {
		for (const taxMode of ['adjustment', 'orgTaxes'] as const) {
			const record = buildSalesOrderRecord(order, { Subject: 'S', Status: 'Created', Contact_Id: '1', Account_Id: '2', Deal_Id: '3', Description: 'd', Currency: 'USD', taxMode }, productIds, 'WooCommerce_Order_ID');
			const unknown = Object.keys(record).filter((key) => !sdkFields('Sales_Orders').has(key));
			expect(unknown).toEqual(['WooCommerce_Order_ID']);
		}
		for (const product of buildProductRecords(order)) {
			expect(Object.keys(product).filter((key) => !sdkFields('Products').has(key))).toEqual([]);
		}
	});

	test('line items: Ordered_Items is an inventory subform the SDK knows; Product_Name, Discount and Line_Tax as the SDK models them', () => {
		expect(SDK.Constants.INVENTORY_MODULES_ITEMS).toContain('ordered_items');
		const record = buildSalesOrderRecord(order, { taxMode: 'orgTaxes' }, productIds, 'WooCommerce_Order_ID');
		const [row] = record.Ordered_Items as Array<globalThis.Record<string, unknown>>;
		// the SDK's inventory line-item special cases (utility.js setDataType) name exactly these two keys
		expect(Object.keys(row)).toEqual(expect.arrayContaining([SDK.Constants.PRODUCT_NAME, SDK.Constants.DISCOUNT]));
		// Line_Tax entries: keys of the SDK's LineTax model
		const lineTax = new ZRecord.LineTax();
		lineTax.setName('x');
		lineTax.setPercentage(1);
		const sdkKeys = [...(lineTax as unknown as { keyModified: Map<string, number> }).keyModified.keys()];
		for (const entry of row.Line_Tax as Array<globalThis.Record<string, unknown>>) expect(Object.keys(entry).sort()).toEqual(sdkKeys.sort());
		// Quantity, List_Price and Description have no SDK constant: they are checked against the field metadata Zoho
		// serves for module=Ordered_Items (emulator schema, from a real org's export) in the first test above
		expect(Object.keys(row).sort()).toEqual(['Description', 'Discount', 'Line_Tax', 'List_Price', 'Product_Name', 'Quantity']);
	});
});
