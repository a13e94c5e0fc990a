import type { FieldType, ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import type { ZohoField } from '../transport';
import { zohoGetFields } from '../transport';

/** Zoho data types the mapper cannot fill (computed, files, subforms, layout, multi-lookups). */
const NOT_MAPPABLE = new Set([
	'autonumber',
	'formula',
	'subform',
	'fileupload',
	'imageupload',
	'profileimage',
	'layout',
	'multiselectlookup',
	'multiuserlookup',
	'rollup_summary',
]);

/** Zoho `data_type` → the n8n field type the mapper shows and validates. */
export function n8nFieldType(dataType: string): FieldType {
	switch (dataType) {
		case 'integer':
		case 'bigint':
		case 'double':
		case 'currency':
		case 'decimal':
		case 'percent':
			return 'number';
		case 'boolean':
			return 'boolean';
		case 'date':
		case 'datetime':
			return 'dateTime';
		case 'picklist':
			return 'options';
		case 'multiselectpicklist':
			return 'array';
		case 'website':
			return 'url';
		default:
			return 'string'; // text, textarea, email, phone, lookup / ownerlookup / userlookup (a record id)
	}
}

/**
 * The module's fields for the "Zoho Fields" resource mapper, from `/settings/fields`: type, Zoho's mandatory flag
 * and picklist values. Fields the operation fills itself from its own parameters (with the order expressions) are
 * left out, so the mapper holds the additional ones, custom fields included.
 */
export async function zohoMapperFields(
	this: ILoadOptionsFunctions,
	module: string,
	filledByOperation: string[],
): Promise<ResourceMapperFields> {
	const fields = await zohoGetFields.call(this, module, { refresh: true });
	const skip = new Set(filledByOperation);
	return {
		fields: fields
			.filter((field) => !field.read_only && !NOT_MAPPABLE.has(field.data_type) && !skip.has(field.api_name))
			.map((field: ZohoField): ResourceMapperField => {
				const type = n8nFieldType(field.data_type);
				const lookup = /lookup$/.test(field.data_type);
				return {
					id: field.api_name,
					displayName: `${field.display_label}${field.custom_field ? ' (custom)' : ''}${lookup ? ' ID' : ''}`,
					required: field.system_mandatory === true,
					defaultMatch: false,
					canBeUsedToMatch: false,
					display: true,
					type,
					...(type === 'options' || type === 'array'
						? {
								options: (field.pick_list_values ?? [])
									.filter((value) => value.actual_value !== '-None-')
									.map((value) => ({ name: value.display_value, value: value.actual_value })),
							}
						: {}),
				};
			})
			.sort((a, b) => Number(b.required) - Number(a.required) || a.displayName.localeCompare(b.displayName)),
	};
}

/** What each operation fills from its own parameters (the mapping modules' standard fields). */
export const FILLED_BY_OPERATION: Record<string, string[]> = {
	Contacts: [
		'Email',
		'First_Name',
		'Last_Name',
		'Phone',
		'Mailing_Street',
		'Mailing_City',
		'Mailing_State',
		'Mailing_Zip',
		'Mailing_Country',
		'Lead_Source',
		'Account_Name',
		'Description',
	],
	Accounts: ['Account_Name', 'Phone', 'Billing_Street', 'Billing_City', 'Billing_State', 'Billing_Code', 'Billing_Country'],
	Deals: [
		'Deal_Name',
		'Stage',
		'Pipeline',
		'Closing_Date',
		'Amount',
		'Currency',
		'Contact_Name',
		'Account_Name',
		'Type',
		'Lead_Source',
		'Description',
	],
	Sales_Orders: [
		'Subject',
		'Status',
		'Contact_Name',
		'Account_Name',
		'Deal_Name',
		'Description',
		'Currency',
		'Ordered_Items',
		'Billing_Street',
		'Billing_City',
		'Billing_State',
		'Billing_Code',
		'Billing_Country',
		'Shipping_Street',
		'Shipping_City',
		'Shipping_State',
		'Shipping_Code',
		'Shipping_Country',
		'Adjustment',
		'Discount',
	],
	Products: ['Product_Name', 'Product_Code', 'Unit_Price', 'Product_Active', 'Description'],
};

const mapper = (module: string) =>
	async function (this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
		// the order-id field is the operation's own upsert key (its "Order ID Field" parameter)
		const orderIdField = this.getCurrentNodeParameter('orderIdField');
		const filled = [...(FILLED_BY_OPERATION[module] ?? []), ...(typeof orderIdField === 'string' ? [orderIdField.trim()] : [])];
		return await zohoMapperFields.call(this, module, filled);
	};

export const getContactMapperFields = mapper('Contacts');
export const getAccountMapperFields = mapper('Accounts');
export const getDealMapperFields = mapper('Deals');
export const getSalesOrderMapperFields = mapper('Sales_Orders');
export const getProductMapperFields = mapper('Products');
