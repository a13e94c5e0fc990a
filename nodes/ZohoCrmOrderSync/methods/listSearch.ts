import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { zohoApiBaseUrl, zohoCoql } from '../transport';

const PAGE_SIZE = 50;

/** The CRM web app for an API domain (www.zohoapis.eu → crm.zoho.eu; Canada's is crm.zohocloud.ca). */
function zohoWebUrl(apiBase: string): string {
	const match = /^https?:\/\/(?:www|sandbox|developer)\.zohoapis\.([a-z.]+)$/i.exec(apiBase);
	if (!match) return apiBase;
	return match[1] === 'ca' ? 'https://crm.zohocloud.ca' : `https://crm.zoho.${match[1]}`;
}

/** COQL string literal: Zoho escapes a quote inside '…' with a backslash. */
function coqlText(value: string): string {
	return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

/**
 * "From list" of a resource locator: records of a module whose name (or email) contains the filter, 50 a page.
 * COQL, because the default scopes include ZohoCRM.coql.READ while Zoho's /search needs ZohoSearch.securesearch.READ.
 */
async function searchRecords(
	this: ILoadOptionsFunctions,
	module: string,
	nameField: string,
	extraFields: string[],
	filter: string | undefined,
	paginationToken: string | undefined,
): Promise<INodeListSearchResult> {
	const offset = Number(paginationToken ?? 0) || 0;
	const text = (filter ?? '').trim();
	const where = text
		? `(${[nameField, ...extraFields].map((field) => `${field} like '%${coqlText(text)}%'`).join(' or ')})`
		: 'id is not null';
	const columns = ['id', nameField, ...extraFields].join(', ');
	const rows = await zohoCoql.call(
		this,
		`select ${columns} from ${module} where ${where} order by ${nameField} asc limit ${offset}, ${PAGE_SIZE}`,
		`${module}.search`,
	);
	const crmHost = zohoWebUrl(await zohoApiBaseUrl.call(this));
	return {
		results: rows.map((row: IDataObject) => {
			const extra = extraFields.map((field) => row[field]).filter((value) => typeof value === 'string' && value);
			return {
				name: `${String(row[nameField] ?? row.id)}${extra.length ? ` (${extra.join(', ')})` : ''}`,
				value: String(row.id),
				url: `${crmHost}/crm/tab/${module}/${String(row.id)}`,
			};
		}),
		paginationToken: rows.length === PAGE_SIZE ? String(offset + PAGE_SIZE) : undefined,
	};
}

export async function searchContacts(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) {
	return await searchRecords.call(this, 'Contacts', 'Full_Name', ['Email'], filter, paginationToken);
}
export async function searchAccounts(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) {
	return await searchRecords.call(this, 'Accounts', 'Account_Name', [], filter, paginationToken);
}
export async function searchDeals(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) {
	return await searchRecords.call(this, 'Deals', 'Deal_Name', [], filter, paginationToken);
}
