import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { WriteSettings } from '../helpers/groupedWrites';
import {
	accountValuesForContact,
	buildAccountRecord,
	buildContactRecord,
	type ContactFieldValues,
	type DealFieldValues,
} from '../mapping';
import { isRetryOnFailRun, retryWaitBudgetMs, zohoGetFields, type ZohoField } from '../transport';

/* Run-time readers of the parameters described in common.descriptions.ts. */

/**
 * This process's share of the deployment-wide cap: n8n gives nodes no counter shared by queue-mode workers (and no
 * environment), so each of the N workers the user names keeps floor(cap / N) slots, at least 1.
 */
export function perWorkerConcurrency(maxConcurrency: unknown, workers: unknown): number {
	const cap = Math.max(1, Math.floor(Number(maxConcurrency ?? 5)) || 5);
	const sharing = Math.max(1, Math.floor(Number(workers ?? 1)) || 1);
	return Math.max(1, Math.floor(cap / sharing));
}

/** The "Options" collection: the wait budget (retryPolicy.retryWaitBudgetMs), the concurrency cap and automation. */
export function readCallOptions(this: IExecuteFunctions, itemIndex = 0): WriteSettings {
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return {
		limits: {
			maxRetryWaitMs: retryWaitBudgetMs(options.maxRetryWaitSeconds, isRetryOnFailRun(this)),
			maxConcurrency: perWorkerConcurrency(options.maxConcurrency, options.workersSharingLimit),
		},
		trigger: options.runAutomation === false ? [] : undefined,
	};
}

/**
 * The additional Zoho fields of one item: version 2's resource mapper ("Zoho Fields", values typed by n8n, then
 * written the way Zoho's field metadata says: dates yyyy-MM-dd, date-times without milliseconds, lookups `{ id }`),
 * or version 1's "Custom Fields" collection as it was. `names` picks the parameters (Sync in One Call has two sets).
 * `moduleFields`: the module's metadata when the operation has already read it for this run (then not read again).
 */
export async function readCustomFields(
	this: IExecuteFunctions,
	itemIndex: number,
	module: string,
	names: Pick<SharedParameterNames, 'customFields' | 'zohoFields'> = PARAMETER_NAMES,
	moduleFields?: ZohoField[],
): Promise<Record<string, unknown>> {
	if (this.getNode().typeVersion >= 2) {
		const mapper = this.getNodeParameter(names.zohoFields, itemIndex, {}) as { value?: Record<string, unknown> | null };
		const entries = Object.entries(mapper.value ?? {}).filter(
			([, value]) => value !== null && value !== undefined && value !== '',
		);
		if (!entries.length) return {};
		const fields = moduleFields ?? (await zohoGetFields.call(this, module));
		const dataTypes = new Map(fields.map((field) => [field.api_name, field.data_type]));
		return Object.fromEntries(entries.map(([apiName, value]) => [apiName, zohoFieldValue(value, dataTypes.get(apiName))]));
	}
	const collection = this.getNodeParameter(names.customFields, itemIndex, {}) as {
		field?: Array<{ name: string; value: unknown }>;
	};
	const fields: Record<string, unknown> = {};
	for (const { name, value } of collection.field ?? []) {
		if (name) fields[name] = value;
	}
	return fields;
}

/** A resource-mapper value as Zoho takes it for a field of this data type. */
export function zohoFieldValue(value: unknown, dataType: string | undefined): unknown {
	if (dataType === 'date' || dataType === 'datetime') {
		const text =
			typeof value === 'object' && value !== null && 'toISO' in value
				? String((value as { toISO: () => string }).toISO())
				: String(value);
		if (dataType === 'date') {
			const day = /^\d{4}-\d{2}-\d{2}/.exec(text);
			return day ? day[0] : text;
		}
		const parsed = new Date(text);
		return Number.isNaN(parsed.getTime()) ? text : parsed.toISOString().replace(/\.\d{3}Z$/, '+00:00');
	}
	if (dataType !== undefined && /lookup$/.test(dataType)) return { id: String(value) };
	return value;
}

/** The Order ID parameter of one item, trimmed ('' when missing). */
export function readOrderId(this: IExecuteFunctions, itemIndex: number): string {
	return String(this.getNodeParameter('orderId', itemIndex, '') ?? '').trim();
}

/** The Order ID Field parameter (one Zoho field for the whole run), trimmed. */
export function readOrderIdField(this: IExecuteFunctions): string {
	return (this.getNodeParameter('orderIdField', 0) as string).trim();
}

/** Names of the parameters that contact and deal both have; Sync in One Call shows both sets in one node. */
export interface SharedParameterNames {
	description: string;
	leadSource: string;
	/** version 1's "Custom Fields" collection */
	customFields: string;
	/** version 2's "Zoho Fields" resource mapper */
	zohoFields: string;
}

export const PARAMETER_NAMES: SharedParameterNames = {
	description: 'description',
	leadSource: 'leadSource',
	customFields: 'customFields',
	zohoFields: 'zohoFields',
};
export const ONE_CALL_CONTACT_NAMES: SharedParameterNames = {
	description: 'contactDescription',
	leadSource: 'contactLeadSource',
	customFields: 'contactCustomFields',
	zohoFields: 'contactZohoFields',
};
export const ONE_CALL_DEAL_NAMES: SharedParameterNames = {
	description: 'dealDescription',
	leadSource: 'dealLeadSource',
	customFields: 'customFields',
	zohoFields: 'zohoFields',
};

/** The contact parameters of one item, as the mapping takes them (orderFields.descriptions.ts contactProperties). */
export async function readContactValues(
	this: IExecuteFunctions,
	itemIndex: number,
	names: SharedParameterNames = PARAMETER_NAMES,
): Promise<ContactFieldValues> {
	const param = (name: string) => this.getNodeParameter(name, itemIndex, '') as unknown;
	return {
		First_Name: param('firstName'),
		Last_Name: param('lastName'),
		Email: param('email'),
		Phone: param('phone'),
		Mailing_Street: param('mailingStreet'),
		Mailing_City: param('mailingCity'),
		Mailing_State: param('mailingState'),
		Mailing_Zip: param('mailingZip'),
		Mailing_Country: param('mailingCountry'),
		Description: param(names.description),
		Lead_Source: param(names.leadSource),
		customFields: await readCustomFields.call(this, itemIndex, 'Contacts', names),
	};
}

/**
 * The contact of one item and the company account it links to ("Link Account" on and a company name given; else
 * undefined), as Contact upsert and Sync in One Call both write them. `contact` is null without an email: Zoho
 * upserts contacts by Email, so there is nothing to find the contact by (NO_CONTACT_EMAIL).
 */
export async function readContactAndAccount(
	this: IExecuteFunctions,
	itemIndex: number,
	names: SharedParameterNames = PARAMETER_NAMES,
): Promise<{ values: ContactFieldValues; contact: IDataObject | null; account?: IDataObject }> {
	const values = await readContactValues.call(this, itemIndex, names);
	const contact = buildContactRecord(values);
	if (!contact.Email) return { values, contact: null };
	const account = this.getNodeParameter('linkAccount', itemIndex, true)
		? buildAccountRecord(accountValuesForContact(values, this.getNodeParameter('accountName', itemIndex, '')))
		: undefined;
	return { values, contact, account };
}

export const NO_CONTACT_EMAIL =
	'The order has no customer email, so no contact can be found or created (Zoho upserts contacts by Email).';

/**
 * The deal parameters of one item (dealProperties). `withRecordLinks: false` where the node has no Contact/Account
 * parameters (Sync in One Call links the records it writes): they are then empty. `dealFields`: the Deals metadata
 * the operation planned its write with (readCustomFields).
 */
export async function readDealValues(
	this: IExecuteFunctions,
	itemIndex: number,
	dealFields: ZohoField[],
	names: SharedParameterNames = PARAMETER_NAMES,
	withRecordLinks = true,
): Promise<DealFieldValues> {
	const param = (name: string) => this.getNodeParameter(name, itemIndex, '') as unknown;
	// a resource locator (version 2) gives its id, also for By URL; version 1's string parameters pass unchanged
	const recordId = (name: string) =>
		withRecordLinks ? (this.getNodeParameter(name, itemIndex, '', { extractValue: true }) as unknown) : '';
	return {
		Deal_Name: param('dealName'),
		Stage: param('stage'),
		Pipeline: param('pipeline'),
		Closing_Date: param('closingDate'),
		Amount: param('amount'),
		Currency: param('currency'),
		Contact_Id: recordId('contactId'),
		Account_Id: recordId('accountId'),
		Type: param('type'),
		Lead_Source: param(names.leadSource),
		Description: param(names.description),
		customFields: await readCustomFields.call(this, itemIndex, 'Deals', names, dealFields),
	};
}
