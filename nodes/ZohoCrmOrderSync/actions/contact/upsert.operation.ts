import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { upsertGrouped } from '../../helpers/groupedWrites';
import { withKeyedLocks } from '../../helpers/keyedLock';
import { zohoOrgKey } from '../../helpers/org';
import { groupKey, recordSummary, validationFailure, withZohoResult } from '../../helpers/outcomes';
import {
	accountValuesForContact,
	buildAccountRecord,
	buildContactRecord,
	type ContactFieldValues,
} from '../../mapping';
import type { ItemOutcome } from '../../types';
import { callOptions, customFieldsProperty, zohoFieldsMapper } from '../common.descriptions';
import { readCallOptions, readCustomFields } from '../parameters';

const displayOptions = { show: { resource: ['contact'], operation: ['upsert'] } };

const field = (
	displayName: string,
	name: string,
	defaultValue: string,
	description: string,
	extra: Partial<INodeProperties> = {},
): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: defaultValue,
	description,
	displayOptions,
	...extra,
});

export const description: INodeProperties[] = [
	field('Email', 'email', '={{ $json.billing.email }}', 'The contact is found by this email (Zoho duplicate check on Email) or created', {
		required: true,
		placeholder: 'name@email.com',
	}),
	field('First Name', 'firstName', '={{ $json.billing.first_name }}', 'Contact first name'),
	field(
		'Last Name',
		'lastName',
		'={{ $json.billing.last_name }}',
		'Mandatory in Zoho: when empty, the first name is used, then the part of the email before @',
	),
	field('Phone', 'phone', '={{ $json.billing.phone }}', 'Contact phone'),
	field(
		'Mailing Street',
		'mailingStreet',
		"={{ [$json.billing.address_1, $json.billing.address_2].filter(Boolean).join(', ') }}",
		'Street: address line 1 and 2',
	),
	field('Mailing City', 'mailingCity', '={{ $json.billing.city }}', 'City'),
	field('Mailing State', 'mailingState', '={{ $json.billing.state }}', 'State or county code'),
	field('Mailing Zip', 'mailingZip', '={{ $json.billing.postcode }}', 'Postcode'),
	field('Mailing Country', 'mailingCountry', '={{ $json.billing.country }}', 'Country (ISO code from WooCommerce)'),
	field(
		'Description',
		'description',
		"={{ $json.customer_id ? 'WooCommerce customer #' + $json.customer_id : 'WooCommerce guest customer' }}",
		'Contact description',
	),
	{
		displayName: 'Lead Source Name or ID',
		name: 'leadSource',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getContactLeadSources' },
		// Zoho's standard picklist value: a working default beats an empty one for a no-code user
		default: 'Online Store',
		description:
			'Lead Source picklist value. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions,
	},
	{
		displayName: 'Link Company as Account',
		name: 'linkAccount',
		type: 'boolean',
		default: true,
		description:
			'Whether to upsert the billing company as an Account (by Account_Name, with the billing address) and link the contact to it. Orders without a company get no account.',
		displayOptions,
	},
	field('Company', 'accountName', '={{ $json.billing.company }}', 'Account_Name of the linked account', {
		displayOptions: { show: { ...displayOptions.show, linkAccount: [true] } },
	}),
	customFieldsProperty('Contacts', 'getContactFields', displayOptions),
	zohoFieldsMapper('Contacts', 'getContactMapperFields', displayOptions),
	{ ...callOptions, displayOptions },
];

interface PlannedContact {
	index: number;
	values: ContactFieldValues;
	contact: IDataObject;
	account?: IDataObject;
}

export async function execute(this: IExecuteFunctions, indices: number[]): Promise<Map<number, ItemOutcome>> {
	const items = this.getInputData();
	const { limits, trigger } = readCallOptions.call(this);
	const outcomes = new Map<number, ItemOutcome>();
	const planned: PlannedContact[] = [];

	for (const index of indices) {
		try {
			const param = (name: string) => this.getNodeParameter(name, index, '') as unknown;
			const values: ContactFieldValues = {
				First_Name: param('firstName'),
				Last_Name: param('lastName'),
				Email: param('email'),
				Phone: param('phone'),
				Mailing_Street: param('mailingStreet'),
				Mailing_City: param('mailingCity'),
				Mailing_State: param('mailingState'),
				Mailing_Zip: param('mailingZip'),
				Mailing_Country: param('mailingCountry'),
				Description: param('description'),
				Lead_Source: param('leadSource'),
				customFields: await readCustomFields.call(this, index, 'Contacts'),
			};
			const contact = buildContactRecord(values);
			if (!contact.Email) {
				outcomes.set(
					index,
					fail('The order has no customer email, so no contact can be found or created (Zoho upserts contacts by Email).', { api_name: 'Email' }),
				);
				continue;
			}
			const account = this.getNodeParameter('linkAccount', index, true)
				? buildAccountRecord(accountValuesForContact(values, param('accountName')))
				: undefined;
			planned.push({ index, values, contact, account });
		} catch (error) {
			outcomes.set(index, fail((error as Error).message));
		}
	}
	if (!planned.length) return outcomes;

	const org = zohoOrgKey.call(this);
	const lockKeys = planned.flatMap(({ contact, account }) => [
		`${org}:Contacts:${groupKey(contact.Email)}`,
		...(account ? [`${org}:Accounts:${groupKey(account.Account_Name)}`] : []),
	]);

	await withKeyedLocks(lockKeys, async () => {
		// Accounts first: a contact links to its account by id. One record per company name.
		const accountResults = await upsertGrouped.call(
			this,
			'Accounts',
			planned.filter((plan) => plan.account).map((plan) => [groupKey(plan.account!.Account_Name), plan.account!]),
			['Account_Name'],
			'account.upsert',
			{ limits, trigger },
		);

		const ready: Array<[string, IDataObject]> = [];
		for (const plan of planned) {
			const accountResult = plan.account ? accountResults.get(groupKey(plan.account.Account_Name)) : undefined;
			if (accountResult && !accountResult.ok) {
				outcomes.set(plan.index, { ok: false, error: accountResult.error });
				continue;
			}
			if (accountResult?.ok) plan.contact = buildContactRecord(plan.values, accountResult.id);
			ready.push([groupKey(plan.contact.Email), plan.contact]);
		}

		// One record per email: two orders of one customer in a batch must not insert two contacts.
		const contactResults = await upsertGrouped.call(this, 'Contacts', ready, ['Email'], 'contact.upsert', {
			limits,
			trigger,
		});

		for (const plan of planned) {
			if (outcomes.has(plan.index)) continue;
			const contactResult = contactResults.get(groupKey(plan.contact.Email))!;
			if (!contactResult.ok) {
				outcomes.set(plan.index, { ok: false, error: contactResult.error });
				continue;
			}
			const accountResult = plan.account ? accountResults.get(groupKey(plan.account.Account_Name)) : undefined;
			const results: IDataObject = { contact: recordSummary(contactResult) };
			if (accountResult?.ok) results.account = { ...recordSummary(accountResult), name: plan.account!.Account_Name };
			outcomes.set(plan.index, { ok: true, json: withZohoResult(items[plan.index], results) });
		}
	});
	return outcomes;
}

const fail = (message: string, details?: IDataObject) => validationFailure('contact.upsert', message, details);
