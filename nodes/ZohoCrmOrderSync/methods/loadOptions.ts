import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { zohoGetFields } from '../transport';

/** A picklist's values as Zoho's org has them (`/settings/fields`), "-None-" left out. */
async function picklist(this: ILoadOptionsFunctions, module: string, apiName: string): Promise<INodePropertyOptions[]> {
	const fields = await zohoGetFields.call(this, module, { refresh: true });
	const field = fields.find((candidate) => candidate.api_name === apiName);
	return (field?.pick_list_values ?? [])
		.filter((value) => value.actual_value !== '-None-')
		.map((value) => ({ name: value.display_value, value: value.actual_value }));
}

/** Writable fields of a module, for the version-1 "Custom Fields" pickers (read-only and lookup-only fields left out). */
async function writableFields(this: ILoadOptionsFunctions, module: string): Promise<INodePropertyOptions[]> {
	const fields = await zohoGetFields.call(this, module, { refresh: true });
	return fields
		.filter((field) => !field.read_only && !['ownerlookup', 'autonumber', 'formula', 'subform'].includes(field.data_type))
		.map((field) => ({
			name: `${field.display_label}${field.custom_field ? ' (custom)' : ''}`,
			value: field.api_name,
			description: `${field.api_name} · ${field.data_type}`,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

export async function getDealStages(this: ILoadOptionsFunctions) {
	return await picklist.call(this, 'Deals', 'Stage');
}
/** The org's pipelines: Deals' Pipeline picklist, which exists only in orgs that use pipelines. */
export async function getDealPipelines(this: ILoadOptionsFunctions) {
	// '' (the default) stays a valid choice: the node then sends the first pipeline Zoho lists, or none
	return [{ name: '(First Pipeline, When the Org Uses Pipelines)', value: '' }, ...(await picklist.call(this, 'Deals', 'Pipeline'))];
}
export async function getSalesOrderStatuses(this: ILoadOptionsFunctions) {
	return [{ name: '(Zoho’s Default)', value: '' }, ...(await picklist.call(this, 'Sales_Orders', 'Status'))];
}
export async function getContactLeadSources(this: ILoadOptionsFunctions) {
	return await picklist.call(this, 'Contacts', 'Lead_Source');
}
export async function getDealLeadSources(this: ILoadOptionsFunctions) {
	return await picklist.call(this, 'Deals', 'Lead_Source');
}
export async function getContactFields(this: ILoadOptionsFunctions) {
	return await writableFields.call(this, 'Contacts');
}
export async function getAccountFields(this: ILoadOptionsFunctions) {
	return await writableFields.call(this, 'Accounts');
}
export async function getDealFields(this: ILoadOptionsFunctions) {
	return await writableFields.call(this, 'Deals');
}
export async function getSalesOrderFields(this: ILoadOptionsFunctions) {
	return await writableFields.call(this, 'Sales_Orders');
}
export async function getProductFields(this: ILoadOptionsFunctions) {
	return await writableFields.call(this, 'Products');
}
