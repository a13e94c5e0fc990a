import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { upsertGrouped } from '../../helpers/groupedWrites';
import { withKeyedLocks } from '../../helpers/keyedLock';
import { zohoOrgKey } from '../../helpers/org';
import { groupKey, recordSummary, validationFailure, withZohoResult } from '../../helpers/outcomes';
import { buildAccountRecord } from '../../mapping';
import type { ItemOutcome } from '../../types';
import { callOptions, customFieldsProperty, zohoFieldsMapper } from '../common.descriptions';
import { readCallOptions, readCustomFields } from '../parameters';

const displayOptions = { show: { resource: ['account'], operation: ['upsert'] } };

const text = (displayName: string, name: string, defaultValue: string, required = false): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: defaultValue,
	required,
	displayOptions,
});

export const description: INodeProperties[] = [
	{ ...text('Account Name', 'accountName', '={{ $json.billing.company }}', true), description: 'Found by this name (Zoho duplicate check on Account_Name) or created' },
	text('Billing Street', 'billingStreet', "={{ [$json.billing.address_1, $json.billing.address_2].filter(Boolean).join(', ') }}"),
	text('Billing City', 'billingCity', '={{ $json.billing.city }}'),
	text('Billing State', 'billingState', '={{ $json.billing.state }}'),
	text('Billing Code', 'billingCode', '={{ $json.billing.postcode }}'),
	text('Billing Country', 'billingCountry', '={{ $json.billing.country }}'),
	text('Phone', 'phone', '={{ $json.billing.phone }}'),
	customFieldsProperty('Accounts', 'getAccountFields', displayOptions),
	zohoFieldsMapper('Accounts', 'getAccountMapperFields', displayOptions),
	{ ...callOptions, displayOptions },
];

export async function execute(this: IExecuteFunctions, indices: number[]): Promise<Map<number, ItemOutcome>> {
	const items = this.getInputData();
	const settings = readCallOptions.call(this);
	const outcomes = new Map<number, ItemOutcome>();
	const planned: Array<{ index: number; key: string; record: IDataObject }> = [];
	for (const index of indices) {
		const param = (name: string) => this.getNodeParameter(name, index, '') as unknown;
		try {
			const record = buildAccountRecord({
				Account_Name: param('accountName'),
				Billing_Street: param('billingStreet'),
				Billing_City: param('billingCity'),
				Billing_State: param('billingState'),
				Billing_Code: param('billingCode'),
				Billing_Country: param('billingCountry'),
				Phone: param('phone'),
				customFields: await readCustomFields.call(this, index, 'Accounts'),
			});
			if (!record) {
				outcomes.set(index, fail('No account name: Zoho requires Account_Name', { api_name: 'Account_Name' }));
				continue;
			}
			planned.push({ index, key: groupKey(record.Account_Name), record });
		} catch (error) {
			outcomes.set(index, fail((error as Error).message));
		}
	}
	if (!planned.length) return outcomes;
	const org = zohoOrgKey.call(this);
	const results = await withKeyedLocks(
		planned.map(({ key }) => `${org}:Accounts:${key}`),
		async () =>
			await upsertGrouped.call(
				this,
				'Accounts',
				planned.map(({ key, record }) => [key, record]),
				['Account_Name'],
				'account.upsert',
				settings,
			),
	);
	for (const { index, key, record } of planned) {
		const result = results.get(key)!;
		outcomes.set(
			index,
			result.ok
				? { ok: true, json: withZohoResult(items[index], { account: { ...recordSummary(result), name: record.Account_Name } }) }
				: { ok: false, error: result.error },
		);
	}
	return outcomes;
}

const fail = (message: string, details?: IDataObject) => validationFailure('account.upsert', message, details);
