import type { IDataObject } from 'n8n-workflow';

import { forField, lookupId, mergeCustomFields, setIfPresent } from './common';
import { cleanMultilineText, cleanText } from './text';

/** Values of the Contact mapping, as the node evaluated them for one order (API names of Zoho Contacts). */
export interface ContactFieldValues {
	First_Name?: unknown;
	Last_Name?: unknown;
	Email?: unknown;
	Phone?: unknown;
	Mailing_Street?: unknown;
	Mailing_City?: unknown;
	Mailing_State?: unknown;
	Mailing_Zip?: unknown;
	Mailing_Country?: unknown;
	Description?: unknown;
	Lead_Source?: unknown;
	/** Further Zoho fields by API name; merged last, empty values dropped. */
	customFields?: Record<string, unknown>;
}

/** Street line for Zoho from WooCommerce's two address lines: "969 Market, Suite 400". */
export function contactStreet(address: { address_1?: string; address_2?: string }): string {
	return [address.address_1, address.address_2]
		.map((part) => (typeof part === 'string' ? part.trim() : ''))
		.filter((part) => part !== '')
		.join(', ');
}

function normaliseEmail(value: unknown): string | undefined {
	return cleanText(value)?.replace(/\s+/g, '').toLowerCase();
}

/**
 * The Zoho Contacts record for one order.
 *
 * Last_Name is system-mandatory for Contacts (v7 Insert Records), and guest checkouts can leave names
 * empty, so it falls back to: the first name (then First_Name is left out rather than shown twice as
 * "Anna Anna"), the email's local part, and finally "Unknown".
 * Email is trimmed and lower-cased because it is the upsert's duplicate-check field and WooCommerce
 * keeps whatever case the shopper typed.
 */
export function buildContactRecord(values: ContactFieldValues, accountId?: string): IDataObject {
	const record: IDataObject = {};
	let firstName = forField('First_Name', () => cleanText(values.First_Name));
	const email = forField('Email', () => normaliseEmail(values.Email));

	let lastName = forField('Last_Name', () => cleanText(values.Last_Name));
	if (lastName === undefined && firstName !== undefined) {
		lastName = firstName;
		firstName = undefined;
	}
	if (lastName === undefined && email !== undefined) {
		lastName = cleanText(email.split('@')[0]);
	}

	setIfPresent(record, 'First_Name', firstName);
	record.Last_Name = lastName ?? 'Unknown';
	setIfPresent(record, 'Email', email);
	setIfPresent(record, 'Phone', forField('Phone', () => cleanText(values.Phone)));
	setIfPresent(record, 'Mailing_Street', forField('Mailing_Street', () => cleanText(values.Mailing_Street)));
	setIfPresent(record, 'Mailing_City', forField('Mailing_City', () => cleanText(values.Mailing_City)));
	setIfPresent(record, 'Mailing_State', forField('Mailing_State', () => cleanText(values.Mailing_State)));
	setIfPresent(record, 'Mailing_Zip', forField('Mailing_Zip', () => cleanText(values.Mailing_Zip)));
	setIfPresent(record, 'Mailing_Country', forField('Mailing_Country', () => cleanText(values.Mailing_Country)));
	setIfPresent(record, 'Description', forField('Description', () => cleanMultilineText(values.Description)));
	setIfPresent(record, 'Lead_Source', forField('Lead_Source', () => cleanText(values.Lead_Source)));
	setIfPresent(record, 'Account_Name', lookupId('Account_Name', accountId));

	mergeCustomFields(record, values.customFields);
	return record;
}
