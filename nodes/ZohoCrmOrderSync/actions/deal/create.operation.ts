import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	addToOrderGroup,
	planOrderKeyedWrite,
	writeOrderGroups,
	type OrderGroups,
} from '../../helpers/groupedWrites';
import { failEvery, recordSummary, validationFailure, withZohoResult } from '../../helpers/outcomes';
import { buildDealRecord, type DealFieldValues, type WooOrder } from '../../mapping';
import { zohoForgetFields } from '../../transport';
import type { ItemOutcome } from '../../types';
import { callOptions, currencyProperty, customFieldsProperty, orderIdProperties } from '../common.descriptions';
import { readCallOptions, readCustomFields, readOrderId, readOrderIdField } from '../parameters';

const displayOptions = { show: { resource: ['deal'], operation: ['create'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Deal Name',
		name: 'dealName',
		type: 'string',
		default: '',
		placeholder: 'WooCommerce Order #727 (John Doe)',
		description:
			'Leave empty for "WooCommerce Order #727 (John Doe)": the billing name, else the email, else the order number alone',
		displayOptions,
	},
	{
		displayName: 'Stage Name or ID',
		name: 'stage',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getDealStages' },
		// Zoho's standard picklist value: a working default beats an empty one for a no-code user
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-options
		default: 'Closed Won',
		required: true,
		description:
			'Deal stage (from your Zoho Stage picklist). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions,
	},
	{
		displayName: 'Pipeline',
		name: 'pipeline',
		type: 'string',
		default: '',
		placeholder: 'Standard (Standard)',
		description:
			'Only sent when your org uses pipelines (then Zoho requires it); leave empty for the first pipeline Zoho lists. The stage must belong to it.',
		displayOptions,
	},
	{
		displayName: 'Closing Date',
		name: 'closingDate',
		type: 'string',
		default: '={{ $json.date_created }}',
		description: 'Order date; sent as yyyy-MM-dd',
		displayOptions,
	},
	{
		displayName: 'Amount',
		name: 'amount',
		type: 'string',
		default: '={{ $json.total }}',
		description: 'Order total as placed (refunds are listed in the description, not subtracted)',
		displayOptions,
	},
	currencyProperty(displayOptions),
	{
		displayName: 'Contact ID',
		name: 'contactId',
		type: 'string',
		default: '={{ $json.zoho?.contact?.id }}',
		description: 'Zoho contact to link (Contact_Name), e.g. from the Upsert Contact step before this one',
		displayOptions,
	},
	{
		displayName: 'Account ID',
		name: 'accountId',
		type: 'string',
		default: '={{ $json.zoho?.account?.id }}',
		description: 'Zoho account to link (Account_Name); empty for orders without a company',
		displayOptions,
	},
	{
		displayName: 'Type',
		name: 'type',
		type: 'string',
		default: 'New Business',
		description: 'Deal Type picklist value; empty sends none',
		displayOptions,
	},
	{
		displayName: 'Lead Source Name or ID',
		name: 'leadSource',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getDealLeadSources' },
		// Zoho's standard picklist value: a working default beats an empty one for a no-code user
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-options
		default: 'Online Store',
		description:
			'Lead Source picklist value. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions,
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description:
			'Leave empty for the order summary: items with quantities and SKUs, shipping, fees, discounts, tax, total, payment method and refunds',
		displayOptions,
	},
	...orderIdProperties(displayOptions),
	customFieldsProperty('Deals', 'getDealFields', displayOptions),
	{ ...callOptions, displayOptions },
];

export async function execute(this: IExecuteFunctions, indices: number[]): Promise<Map<number, ItemOutcome>> {
	const items = this.getInputData();
	const settings = readCallOptions.call(this);
	const outcomes = new Map<number, ItemOutcome>();
	const orderIdFieldParameter = readOrderIdField.call(this);

	const plan = await planOrderKeyedWrite.call(this, 'Deals', orderIdFieldParameter, 'deal.create');
	if (plan.kind === 'failed') return failEvery(indices, plan.error);
	// the API name Zoho lists for the order-id field
	const orderIdField = plan.field;

	const byOrder: OrderGroups = new Map();
	for (const index of indices) {
		try {
			const param = (name: string) => this.getNodeParameter(name, index, '') as unknown;
			const orderId = readOrderId.call(this, index);
			if (!orderId) {
				outcomes.set(index, fail('No order id: the deal cannot be made idempotent without it', { api_name: orderIdField }));
				continue;
			}
			const values: DealFieldValues = {
				Deal_Name: param('dealName'),
				Stage: param('stage'),
				Pipeline: param('pipeline'),
				Closing_Date: param('closingDate'),
				Amount: param('amount'),
				Currency: param('currency'),
				Contact_Id: param('contactId'),
				Account_Id: param('accountId'),
				Type: param('type'),
				Lead_Source: param('leadSource'),
				Description: param('description'),
				customFields: readCustomFields.call(this, index),
			};
			const record = buildDealRecord(items[index].json as WooOrder, values, orderIdField, orderId, plan.fields);
			addToOrderGroup(byOrder, orderId, record, index);
		} catch (error) {
			outcomes.set(index, fail((error as Error).message));
		}
	}
	if (!byOrder.size) return outcomes;

	const results = await writeOrderGroups.call(this, 'Deals', orderIdField, plan, byOrder, 'deal.create', settings);
	// Zoho refusing a field chosen from cached metadata (Pipeline, Currency, the order-id field): reload it next time
	const metadataFields = new Set(['Pipeline', 'Currency', orderIdField]);
	const refused = [...results.values()].some(
		(result) =>
			!result.ok &&
			['INVALID_DATA', 'MANDATORY_NOT_FOUND'].includes(result.error.zohoCode ?? '') &&
			metadataFields.has(String(result.error.details.api_name)),
	);
	if (refused) zohoForgetFields.call(this, 'Deals');

	for (const [orderId, group] of byOrder) {
		const result = results.get(orderId)!;
		for (const index of group.indices) {
			outcomes.set(
				index,
				result.ok
					? { ok: true, json: withZohoResult(items[index], { deal: { ...recordSummary(result), orderId } }) }
					: { ok: false, error: result.error },
			);
		}
	}
	return outcomes;
}

const fail = (message: string, details?: IDataObject) => validationFailure('deal.create', message, details);
