import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	addToOrderGroup,
	planOrderKeyedWrite,
	writeOrderGroups,
	type OrderGroups,
} from '../../helpers/groupedWrites';
import { failEvery, recordSummary, validationFailure, withZohoResult } from '../../helpers/outcomes';
import { buildDealRecord, type DealFieldValues, type WooOrder } from '../../mapping';
import type { ItemOutcome } from '../../types';
import {
	callOptions,
	currencyProperty,
	customFieldsProperty,
	forVersion1,
	orderIdProperties,
	recordLocator,
	zohoFieldsMapper,
} from '../common.descriptions';
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
		default: 'Closed Won',
		required: true,
		description:
			'Deal stage (from your Zoho Stage picklist). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions,
	},
	{
		displayName: 'Pipeline Name or ID',
		name: 'pipeline',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getDealPipelines' },
		default: '',
		description:
			'Only sent when your org uses pipelines (then Zoho requires it); leave empty for the first pipeline Zoho lists. The stage must belong to it. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
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
		displayOptions: forVersion1(displayOptions),
	},
	recordLocator({
		displayName: 'Contact',
		name: 'contactId',
		module: 'Contacts',
		searchListMethod: 'searchContacts',
		defaultExpression: '={{ $json.zoho?.contact?.id }}',
		description: 'Zoho contact to link (Contact_Name); by default the one the Upsert Contact step before this one wrote',
		displayOptions,
	}),
	{
		displayName: 'Account ID',
		name: 'accountId',
		type: 'string',
		default: '={{ $json.zoho?.account?.id }}',
		description: 'Zoho account to link (Account_Name); empty for orders without a company',
		displayOptions: forVersion1(displayOptions),
	},
	recordLocator({
		displayName: 'Account',
		name: 'accountId',
		module: 'Accounts',
		searchListMethod: 'searchAccounts',
		defaultExpression: '={{ $json.zoho?.account?.id }}',
		description: 'Zoho account to link (Account_Name); empty for orders without a company',
		displayOptions,
	}),

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
	zohoFieldsMapper('Deals', 'getDealMapperFields', displayOptions),
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
			// a resource locator (version 2) gives its id, also for By URL; version 1's string parameters pass unchanged
			const recordId = (name: string) => this.getNodeParameter(name, index, '', { extractValue: true }) as unknown;
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
				Contact_Id: recordId('contactId'),
				Account_Id: recordId('accountId'),
				Type: param('type'),
				Lead_Source: param('leadSource'),
				Description: param('description'),
				customFields: await readCustomFields.call(this, index, 'Deals'),
			};
			const record = buildDealRecord(items[index].json as WooOrder, values, orderIdField, orderId, plan.fields);
			addToOrderGroup(byOrder, orderId, record, index);
		} catch (error) {
			outcomes.set(index, fail((error as Error).message));
		}
	}
	if (!byOrder.size) return outcomes;

	const results = await writeOrderGroups.call(this, 'Deals', orderIdField, plan, byOrder, 'deal.create', settings);

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
