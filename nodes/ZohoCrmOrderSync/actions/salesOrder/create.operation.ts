import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	buildProductRecords,
	buildSalesOrderRecord,
	checkSalesOrderTotal,
	checkWrittenSalesOrder,
	reconcileOrderedItems,
	type SalesOrderFieldValues,
	type SalesOrderTaxMode,
	type WooOrder,
} from '../../mapping';
import {
	addToOrderGroup,
	planOrderKeyedWrite,
	type OrderGroups,
	type OrderKeyedWrite,
	type WriteSettings,
} from '../../helpers/groupedWrites';
import { withKeyedLocks } from '../../helpers/keyedLock';
import { zohoOrgKey } from '../../helpers/org';
import { failEvery, groupKey, localFailure, recordSummary, validationFailure, withZohoResult } from '../../helpers/outcomes';
import { writeProducts } from '../../helpers/productWrites';
import { zohoCoql, zohoGetRecord, zohoWriteRecords } from '../../transport';
import type { ItemOutcome, ZohoRecordResult, ZohoSyncError } from '../../types';
import {
	callOptions,
	currencyProperty,
	customFieldsProperty,
	forVersion1,
	linkedRecordProperties,
	orderIdProperties,
	recordLocator,
	zohoFieldsMapper,
} from '../common.descriptions';
import { PARAMETER_NAMES, readCallOptions, readCustomFields, readOrderId, readOrderIdField } from '../parameters';

const displayOptions = { show: { resource: ['salesOrder'], operation: ['create'] } };

export const description: INodeProperties[] = [
	{
		displayName:
			'Line items become Zoho Products found by Product Code = SKU (or wc-<product or variation ID> without SKU). Syncing an order again leaves the Sales Order with exactly the order’s current lines. Shipping and fees go into Adjustment. The total Zoho computed is read back after the write: if it differs from the order total by a cent, the item goes to the error output naming both totals.',
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
		displayName: 'Status Name or ID',
		name: 'status',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getSalesOrderStatuses' },
		default: '',
		description:
			'Sales order Status picklist value; empty leaves Zoho’s default. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions,
	},
	...linkedRecordProperties(
		'contact',
		'Zoho contact to link; by default the one the Upsert Contact step before this one wrote',
		displayOptions,
	),
	...linkedRecordProperties('account', 'Zoho account to link; empty for orders without a company', displayOptions),
	{
		displayName: 'Deal ID',
		name: 'dealId',
		type: 'string',
		default: '={{ $json.zoho?.deal?.id }}',
		description: 'Deal to link, when the workflow also creates one',
		displayOptions: forVersion1(displayOptions),
	},
	recordLocator({
		displayName: 'Deal',
		name: 'dealId',
		module: 'Deals',
		searchListMethod: 'searchDeals',
		defaultExpression: '={{ $json.zoho?.deal?.id }}',
		description: 'Deal to link, when the workflow also creates one',
		displayOptions,
	}),

	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '={{ $json.customer_note }}',
		displayOptions,
	},
	currencyProperty(displayOptions),
	{
		displayName: 'Taxes',
		name: 'taxMode',
		type: 'options',
		options: [
			{
				name: 'Add to Adjustment',
				value: 'adjustment',
				description: 'The order’s tax is added to the Sales Order’s Adjustment: exact to the cent in any Zoho org, but Zoho’s tax fields stay 0',
			},
			{
				name: 'Zoho Taxes by Name',
				value: 'orgTaxes',
				description:
					'Each line gets Zoho taxes (Line_Tax) named like the WooCommerce tax rates, with their percentages; Zoho computes the tax. Define taxes with exactly those names in Zoho (Setup → Taxes) first.',
			},
		],
		default: 'adjustment',
		displayOptions,
	},
	...orderIdProperties(displayOptions),
	customFieldsProperty('Sales_Orders', 'getSalesOrderFields', displayOptions),
	zohoFieldsMapper('Sales_Orders', 'getSalesOrderMapperFields', displayOptions),
	{ ...callOptions, displayOptions },
];

interface PlannedSalesOrder {
	index: number;
	orderId: string;
	order: WooOrder;
	values: SalesOrderFieldValues;
	/** Lower-cased product code of each line's product (keys of the products written). */
	productKeys: string[];
	/** This order's product code for each entry of productKeys. */
	productCodes: string[];
}

export async function execute(this: IExecuteFunctions, indices: number[]): Promise<Map<number, ItemOutcome>> {
	const items = this.getInputData();
	const settings = readCallOptions.call(this);
	const outcomes = new Map<number, ItemOutcome>();
	const plan = await planOrderKeyedWrite.call(this, 'Sales_Orders', readOrderIdField.call(this), OPERATION);
	if (plan.kind === 'failed') return failEvery(indices, plan.error);

	const products = new Map<string, IDataObject>();
	const planned: PlannedSalesOrder[] = [];
	for (const index of indices) {
		const param = (name: string) => this.getNodeParameter(name, index, '') as unknown;
		// a resource locator (version 2) gives its id, also for By URL; version 1's string parameters pass unchanged
		const recordId = (name: string) => this.getNodeParameter(name, index, '', { extractValue: true }) as unknown;
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
				Contact_Id: recordId('contactId'),
				Account_Id: recordId('accountId'),
				Deal_Id: recordId('dealId'),
				Description: param('description'),
				Currency: param('currency'),
				customFields: await readCustomFields.call(this, index, 'Sales_Orders', PARAMETER_NAMES, plan.fields),
				taxMode: (param('taxMode') || 'adjustment') as SalesOrderTaxMode,
			};
			// Totals first: an order that cannot match to the cent must not leave products behind in Zoho.
			const pendingIds = Object.fromEntries(
				orderProducts.map((product) => [String(product.Product_Code), `pending:${String(product.Product_Code)}`]),
			);
			const draft = buildSalesOrderRecord(order, values, pendingIds, plan.field, orderId, plan.fields);
			const totals = checkSalesOrderTotal(order, draft);
			if (!totals.ok) {
				outcomes.set(index, {
					ok: false,
					error: localFailure(
						OPERATION,
						'totals_mismatch',
						totals.message,
						{ orderTotal: totals.orderTotal, zohoTotal: totals.zohoTotal },
						{ method: 'POST', path: '/crm/v8/Sales_Orders/upsert', body: { data: [draft] } },
					),
				});
				continue;
			}
			const productKeys = orderProducts.map((product) => groupKey(product.Product_Code));
			orderProducts.forEach((product, position) => products.set(productKeys[position], product));
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

	// Products of every order in this run, found by Product_Code (batched: ≤ 100 records per Zoho call).
	const productResults = await writeProducts.call(this, [...products], 'product.upsert', settings);

	const byOrder: OrderGroups = new Map();
	const orderOf = new Map<string, WooOrder>();
	for (const item of planned) {
		const failedProduct = item.productKeys.map((key) => productResults.get(key)!).find((result) => !result.ok);
		if (failedProduct && !failedProduct.ok) {
			outcomes.set(item.index, { ok: false, error: failedProduct.error });
			continue;
		}
		const productIds: Record<string, string> = {};
		item.productKeys.forEach((key, position) => {
			productIds[item.productCodes[position]] = (productResults.get(key) as Extract<ZohoRecordResult, { ok: true }>).id;
		});
		try {
			const record = buildSalesOrderRecord(item.order, item.values, productIds, plan.field, item.orderId, plan.fields);
			addToOrderGroup(byOrder, item.orderId, record, item.index);
			orderOf.set(item.orderId, item.order);
		} catch (error) {
			outcomes.set(item.index, fail((error as Error).message));
		}
	}
	if (!byOrder.size) return outcomes;

	const org = zohoOrgKey.call(this);
	for (const [orderId, group] of byOrder) {
		// one order at a time per order id in this process: read rows, write, read back
		const result = await withKeyedLocks([`${org}:Sales_Orders:${orderId}`], async () =>
			await syncSalesOrder.call(this, plan, orderId, group.record, orderOf.get(orderId)!, settings),
		);
		for (const index of group.indices) {
			const item = planned.find((candidate) => candidate.index === index)!;
			outcomes.set(
				index,
				result.ok
					? {
							ok: true,
							json: withZohoResult(items[index], {
								salesOrder: { ...recordSummary(result), orderId, grandTotal: result.grandTotal },
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

type SalesOrderResult =
	| (Extract<ZohoRecordResult, { ok: true }> & { grandTotal: number })
	| { ok: false; error: ZohoSyncError };

const syncErrorOf = (error: unknown): ZohoSyncError => {
	const syncError = (error as { syncError?: ZohoSyncError }).syncError;
	if (!syncError) throw error;
	return { ...syncError, operation: OPERATION };
};

/**
 * Writes one order's Sales Order so that it ends with exactly the order's lines:
 * 1. find it by the order-id field (COQL; no search-index lag);
 * 2. if it exists, read its Ordered_Items and send each current line with the id of the row it replaces, plus
 *    `{id, _delete: null}` for rows no longer in the order (Zoho appends rows sent without an id), as an update by id;
 *    otherwise upsert on the unique order-id field (insert when the field is not unique);
 * 3. read it back and compare Zoho's Grand_Total and row count with the order.
 */
async function syncSalesOrder(
	this: IExecuteFunctions,
	plan: Exclude<OrderKeyedWrite, { kind: 'failed' }>,
	orderId: string,
	record: IDataObject,
	order: WooOrder,
	{ limits, trigger }: WriteSettings,
): Promise<SalesOrderResult> {
	if (!/^[\w.-]+$/.test(orderId)) {
		return { ok: false, error: localFailure(OPERATION, 'validation', `Order id "${orderId}" cannot be looked up safely`) };
	}
	let existingId: string | undefined;
	let body = record;
	try {
		const rows = await zohoCoql.call(
			this,
			`select id from Sales_Orders where ${plan.field} = '${orderId}' order by id asc limit 1`,
			OPERATION,
			limits,
		);
		existingId = rows.length ? String(rows[0].id) : undefined;
		if (existingId) {
			const existing = await zohoGetRecord.call(this, 'Sales_Orders', existingId, OPERATION, limits);
			const existingRows = Array.isArray(existing?.Ordered_Items) ? (existing.Ordered_Items as IDataObject[]) : [];
			body = { ...record, id: existingId, Ordered_Items: reconcileOrderedItems(record.Ordered_Items as IDataObject[], existingRows) };
		}
	} catch (error) {
		return { ok: false, error: syncErrorOf(error) };
	}

	const mode = existingId ? 'update' : plan.kind === 'ready' ? 'upsert' : 'insert';
	const { results } = await zohoWriteRecords.call(this, {
		module: 'Sales_Orders',
		records: [body],
		mode,
		duplicateCheckFields: plan.kind === 'ready' && mode === 'upsert' ? plan.upsertOn : undefined,
		trigger,
		operation: OPERATION,
		limits,
	});
	const written = results[0];
	if (!written.ok) return written;

	let stored: IDataObject | null;
	try {
		stored = await zohoGetRecord.call(this, 'Sales_Orders', written.id, OPERATION, limits);
	} catch (error) {
		return { ok: false, error: syncErrorOf(error) };
	}
	const check = checkWrittenSalesOrder(order, stored ?? { id: written.id });
	if (!check.ok) {
		return {
			ok: false,
			error: localFailure(
				OPERATION,
				'totals_mismatch',
				check.message,
				{ orderTotal: check.orderTotal, zohoTotal: check.zohoTotal, salesOrderId: written.id },
				{ method: mode === 'update' ? 'PUT' : 'POST', path: `/crm/v8/Sales_Orders${mode === 'upsert' ? '/upsert' : ''}`, body: { data: [body] } },
			),
		};
	}
	return { ...written, action: existingId ? 'update' : written.action, grandTotal: stored?.Grand_Total as number };
}

const OPERATION = 'salesOrder.create';
const fail = (message: string, details?: IDataObject) => validationFailure(OPERATION, message, details);
