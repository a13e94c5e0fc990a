import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, JsonObject } from 'n8n-workflow';

import { isUniqueField } from '../../helpers/groupedWrites';
import type { ZohoSyncError } from '../../types';
import { zohoApiRequest, zohoGetFields } from '../../transport';

const displayOptions = { show: { resource: ['deal', 'salesOrder'], operation: ['setUpOrderIdField'] } };

export const description: INodeProperties[] = [
	{
		displayName:
			'Creates the unique single-line field that makes one Deal (or Sales Order) per WooCommerce order. Run it once; it needs the scope ZohoCRM.settings.fields.ALL on the credential (not in the default scopes).',
		name: 'setUpNotice',
		type: 'notice',
		default: '',
		displayOptions,
	},
	{
		displayName: 'Field Label',
		name: 'fieldLabel',
		type: 'string',
		default: 'WooCommerce Order ID',
		required: true,
		description: 'Zoho derives the API name from the label: "WooCommerce Order ID" → WooCommerce_Order_ID',
		displayOptions,
	},
];

const MODULE_BY_RESOURCE: Record<string, string> = { deal: 'Deals', salesOrder: 'Sales_Orders' };

/** Runs once per node run, whatever the number of input items. */
export async function executeOnce(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const module = MODULE_BY_RESOURCE[this.getNodeParameter('resource', 0) as string];
	const label = (this.getNodeParameter('fieldLabel', 0) as string).trim();
	const apiName = label.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');

	const existing = (await zohoGetFields.call(this, module, { refresh: true })).find(
		(field) => field.api_name === apiName,
	);
	if (existing) {
		return [
			{
				json: { module, apiName, created: false, unique: isUniqueField(existing) },
				pairedItem: { item: 0 },
			},
		];
	}
	try {
		const response = await zohoApiRequest.call(this, {
			method: 'POST',
			path: '/crm/v8/settings/fields',
			qs: { module },
			// Zoho CRM v8 "Create Custom Field": unique single-line text (max two unique fields per module).
			body: { fields: [{ field_label: label, data_type: 'text', length: 255, unique: { case_sensitive: false } }] },
			operation: 'orderIdField.setUp',
		});
		await zohoGetFields.call(this, module, { refresh: true });
		return [
			{
				json: { module, apiName, created: true, unique: true, zoho: response.body as IDataObject },
				pairedItem: { item: 0 },
			},
		];
	} catch (error) {
		const syncError = (error as { syncError?: ZohoSyncError }).syncError;
		if (syncError?.category === 'scope') {
			throw new NodeApiError(this.getNode(), syncError as unknown as JsonObject, {
				message: 'Zoho refused to create the field: the credential lacks the scope ZohoCRM.settings.fields.ALL',
				description:
					'Add ZohoCRM.settings.fields.ALL to the Zoho credential’s scope and reconnect it (or create the field by hand in Zoho CRM Setup → Modules and Fields, with "Do not allow duplicate values").',
			});
		}
		throw error;
	}
}
