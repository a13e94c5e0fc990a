import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	addToOrderGroup,
	planOrderKeyedWrite,
	productDuplicateField,
	upsertGrouped,
	writeOrderGroups,
	type OrderGroups,
} from '../../helpers/groupedWrites';
import { withKeyedLocks } from '../../helpers/keyedLock';
import { zohoOrgKey } from '../../helpers/org';
import { failEvery, groupKey, localFailure, recordSummary, validationFailure, withZohoResult } from '../../helpers/outcomes';
import {
	buildProductRecords,
	buildSalesOrderRecord,
	checkSalesOrderTotal,
	type SalesOrderFieldValues,
	type WooOrder,
} from '../../mapping';
import type { ItemOutcome, ZohoRecordResult } from '../../types';
import { callOptions, currencyProperty, customFieldsProperty, orderIdProperties } from '../common.descriptions';
import { readCallOptions, readCustomFields, readOrderId, readOrderIdField } from '../parameters';

const displayOptions = { show: { resource: ['salesOrder'], operation: ['create'] } };

export const description: INodeProperties[] = [
	{
		displayName:
			'Line items become Zoho Products found by Product Code = SKU (or wc-<product or variation ID> without SKU); missing products are created in one batched call. Shipping and fees go into Adjustment. If Zoho’s grand total would differ from the order total by a cent, the item goes to the error output instead.',
		name: 'salesOrderNotice',
		type: 'notice',
		default: '',
		displayOptions,
	},
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		required: true,
		default: '=WooCommerce Order #{{ $json.number }}',
		displayOptions,
	},
	{
		displayName: 'Status',
		name: 'status',
		type: 'string',
		default: '',
		placeholder: 'Created',
		description: 'Sales order Status picklist value; empty leaves Zoho’s default',
		displayOptions,
	},
	{
		displayName: 'Contact ID',
		name: 'contactId',
		type: 'string',
		default: '={{ $json.zoho?.contact?.id }}',
		displayOptions,
	},
	{
		displayName: 'Account ID',
		name: 'accountId',
		type: 'string',
		default: '={{ $json.zoho?.account?.id }}',
		displayOptions,
	},
	{
		displayName: 'Deal ID',
		name: 'dealId',
		type: 'string',
		default: '={{ $json.zoho?.deal?.id }}',
		description: 'Deal to link, when the workflow also creates one',
		displayOptions,
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '={{ $json.customer_note }}',
		displayOptions,
	},
	currencyProperty(displayOptions),
	...orderIdProperties(displayOptions),
	customFieldsProperty('Sales_Orders', 'getSalesOrderFields', displayOptions),
	{ ...callOptions, displayOptions },
];

interface PlannedSalesOrder {
	index: number;
	orderId: string;
	order: WooOrder;
	values: SalesOrderFieldValues;
	productKeys: string[];
	/** This order's product code for each entry of productKeys (keys are names when Product_Code is not unique). */
	productCodes: string[];
}

export async function execute(this: IExecuteFunctions, indices: number[]): Promise<Map<number, ItemOutcome>> {
	const items = this.getInputData();
	const settings = readCallOptions.call(this);
	const outcomes = new Map<number, ItemOutcome>();
	const orderIdField = readOrderIdField.call(this);
	const plan = await planOrderKeyedWrite.call(this, 'Sales_Orders', orderIdField, 'salesOrder.create');
	if (plan.kind === 'failed') return failEvery(indices, plan.error);
	const productKeyField = await productDuplicateField.call(this);

	const products = new Map<string, IDataObject>();
	const planned: PlannedSalesOrder[] = [];
	for (const index of indices) {
		const param = (name: string) => this.getNodeParameter(name, index, '') as unknown;
		try {
			const order = items[index].json as WooOrder;
			const orderId = readOrderId.call(this, index);
			if (!orderId) {
				outcomes.set(index, fail('No order id: the sales order cannot be made idempotent without it'));
				continue;
			}
			const orderProducts = buildProductRecords(order);
			const values: SalesOrderFieldValues = {
				Subject: param('subject'),
				Status: param('status'),
				Contact_Id: param('contactId'),
				Account_Id: param('accountId'),
				Deal_Id: param('dealId'),
				Description: param('description'),
				Currency: param('currency'),
				customFields: readCustomFields.call(this, index),
			};
			// Totals first: an order that cannot match to the cent must not leave products behind in Zoho.
			const pendingIds = Object.fromEntries(
				orderProducts.map((product) => [String(product.Product_Code), `pending:${String(product.Product_Code)}`]),
			);
			const draft = buildSalesOrderRecord(order, values, pendingIds, orderIdField, orderId, plan.fields);
			const totals = checkSalesOrderTotal(order, draft);
			if (!totals.ok) {
				outcomes.set(index, {
					ok: false,
					error: localFailure(
						'salesOrder.create',
						'totals_mismatch',
						totals.message,
						{ orderTotal: totals.orderTotal, zohoTotal: totals.zohoTotal },
						{ method: 'POST', path: '/crm/v8/Sales_Orders/upsert', body: { data: [draft] } },
					),
				});
				continue;
			}
			const productKeys: string[] = [];
			for (const product of orderProducts) {
				const key = groupKey(product[productKeyField]);
				products.set(key, product);
				productKeys.push(key);
			}
			planned.push({
				index,
				orderId,
				order,
				productKeys,
				productCodes: orderProducts.map((product) => String(product.Product_Code)),
				values,
			});
		} catch (error) {
			outcomes.set(index, fail((error as Error).message));
		}
	}
	if (!planned.length) return outcomes;

	const org = zohoOrgKey.call(this);
	// Products of every order in this run in one batched upsert (≤ 100 records per Zoho call).
	const productResults = await withKeyedLocks(
		[...products.keys()].map((key) => `${org}:Products:${key}`),
		async () =>
			await upsertGrouped.call(this, 'Products', [...products], [productKeyField], 'product.upsert', settings),
	);

	const byOrder: OrderGroups = new Map();
	for (const item of planned) {
		const failedProduct = item.productKeys.map((key) => productResults.get(key)!).find((result) => !result.ok);
		if (failedProduct && !failedProduct.ok) {
			outcomes.set(item.index, { ok: false, error: failedProduct.error });
			continue;
		}
		const productIds: Record<string, string> = {};
		item.productKeys.forEach((key, position) => {
			const result = productResults.get(key) as Extract<ZohoRecordResult, { ok: true }>;
			// by this order's own code: with name keys, products.get(key) may be another line's product of that name
			productIds[item.productCodes[position]] = result.id;
		});
		try {
			const record = buildSalesOrderRecord(item.order, item.values, productIds, orderIdField, item.orderId, plan.fields);
			addToOrderGroup(byOrder, item.orderId, record, item.index);
		} catch (error) {
			outcomes.set(item.index, fail((error as Error).message));
		}
	}
	if (!byOrder.size) return outcomes;

	const results = await writeOrderGroups.call(
		this,
		'Sales_Orders',
		orderIdField,
		plan,
		byOrder,
		'salesOrder.create',
		settings,
	);
	for (const [orderId, group] of byOrder) {
		const result = results.get(orderId)!;
		for (const index of group.indices) {
			const item = planned.find((candidate) => candidate.index === index)!;
			outcomes.set(
				index,
				result.ok
					? {
							ok: true,
							json: withZohoResult(items[index], {
								salesOrder: { ...recordSummary(result), orderId },
								products: item.productKeys.map((key, position) => ({
									code: item.productCodes[position],
									...recordSummary(productResults.get(key) as Extract<ZohoRecordResult, { ok: true }>),
								})),
							}),
						}
					: { ok: false, error: result.error },
			);
		}
	}
	return outcomes;
}

const fail = (message: string, details?: IDataObject) => validationFailure('salesOrder.create', message, details);
