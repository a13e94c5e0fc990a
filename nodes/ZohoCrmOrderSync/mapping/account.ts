import type { IDataObject } from 'n8n-workflow';

import { forField, mergeCustomFields, setIfPresent } from './common';
import type { ContactFieldValues } from './contact';
import { cleanText } from './text';

/** Values of the Account mapping, as the node evaluated them for one order (API names of Zoho Accounts). */
export interface AccountFieldValues {
	Account_Name?: unknown;
	Billing_Street?: unknown;
	Billing_City?: unknown;
	Billing_State?: unknown;
	Billing_Code?: unknown;
	Billing_Country?: unknown;
	Phone?: unknown;
	/** Further Zoho fields by API name; merged last, empty values dropped. */
	customFields?: Record<string, unknown>;
}

/**
 * The Zoho Accounts record for one order, or undefined when the order has no company (a B2C order):
 * Account_Name is system-mandatory and the upsert's duplicate-check field, so there is nothing to match on.
 */
export function buildAccountRecord(values: AccountFieldValues): IDataObject | undefined {
	const accountName = forField('Account_Name', () => cleanText(values.Account_Name));
	if (accountName === undefined) return undefined;

	const record: IDataObject = { Account_Name: accountName };
	setIfPresent(record, 'Billing_Street', forField('Billing_Street', () => cleanText(values.Billing_Street)));
	setIfPresent(record, 'Billing_City', forField('Billing_City', () => cleanText(values.Billing_City)));
	setIfPresent(record, 'Billing_State', forField('Billing_State', () => cleanText(values.Billing_State)));
	setIfPresent(record, 'Billing_Code', forField('Billing_Code', () => cleanText(values.Billing_Code)));
	setIfPresent(record, 'Billing_Country', forField('Billing_Country', () => cleanText(values.Billing_Country)));
	setIfPresent(record, 'Phone', forField('Phone', () => cleanText(values.Phone)));

	mergeCustomFields(record, values.customFields);
	return record;
}

/**
 * The company account the Contact operation links: the billing company as Account_Name, with the contact's
 * mailing address as billing address and the contact's phone.
 */
export function accountValuesForContact(contact: ContactFieldValues, accountName: unknown): AccountFieldValues {
	return {
		Account_Name: accountName,
		Billing_Street: contact.Mailing_Street,
		Billing_City: contact.Mailing_City,
		Billing_State: contact.Mailing_State,
		Billing_Code: contact.Mailing_Zip,
		Billing_Country: contact.Mailing_Country,
		Phone: contact.Phone,
	};
}
