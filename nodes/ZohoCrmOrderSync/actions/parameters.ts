import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { WriteSettings } from '../helpers/groupedWrites';
import type { ContactFieldValues, DealFieldValues } from '../mapping';
import { isRetryOnFailRun, retryWaitBudgetMs } from '../transport';

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

export function readCustomFields(
	this: IExecuteFunctions,
	itemIndex: number,
	parameterName = 'customFields',
): Record<string, unknown> {
	const collection = this.getNodeParameter(parameterName, itemIndex, {}) as {
		field?: Array<{ name: string; value: unknown }>;
	};
	const fields: Record<string, unknown> = {};
	for (const { name, value } of collection.field ?? []) {
		if (name) fields[name] = value;
	}
	return fields;
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
	customFields: string;
}

export const PARAMETER_NAMES: SharedParameterNames = { description: 'description', leadSource: 'leadSource', customFields: 'customFields' };
export const ONE_CALL_CONTACT_NAMES: SharedParameterNames = {
	description: 'contactDescription',
	leadSource: 'contactLeadSource',
	customFields: 'contactCustomFields',
};
export const ONE_CALL_DEAL_NAMES: SharedParameterNames = {
	description: 'dealDescription',
	leadSource: 'dealLeadSource',
	customFields: 'customFields',
};

/** The contact parameters of one item, as the mapping takes them (orderFields.descriptions.ts contactProperties). */
export function readContactValues(
	this: IExecuteFunctions,
	itemIndex: number,
	names: SharedParameterNames = PARAMETER_NAMES,
): ContactFieldValues {
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
		customFields: readCustomFields.call(this, itemIndex, names.customFields),
	};
}

/** The deal parameters of one item (dealProperties); Contact/Account ID are empty where the node has none. */
export function readDealValues(
	this: IExecuteFunctions,
	itemIndex: number,
	names: SharedParameterNames = PARAMETER_NAMES,
): DealFieldValues {
	const param = (name: string) => this.getNodeParameter(name, itemIndex, '') as unknown;
	return {
		Deal_Name: param('dealName'),
		Stage: param('stage'),
		Pipeline: param('pipeline'),
		Closing_Date: param('closingDate'),
		Amount: param('amount'),
		Currency: param('currency'),
		Contact_Id: param('contactId'),
		Account_Id: param('accountId'),
		Type: param('type'),
		Lead_Source: param(names.leadSource),
		Description: param(names.description),
		customFields: readCustomFields.call(this, itemIndex, names.customFields),
	};
}
