import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, JsonObject } from 'n8n-workflow';

import { findOrderIdField, isUniqueField, moduleUnavailable } from '../../helpers/groupedWrites';
import type { ZohoSyncError } from '../../types';
import { zohoApiRequest, zohoGetFields } from '../../transport';
import { asNodeError } from '../../../shared/nodeError';

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
		description:
			'Zoho derives the API name from the label (usually "WooCommerce Order ID" → WooCommerce_Order_ID); this operation outputs the API name Zoho actually gave the field: use that as "Order ID Field"',
		displayOptions,
	},
];

const MODULE_BY_RESOURCE: Record<string, string> = { deal: 'Deals', salesOrder: 'Sales_Orders' };

/** Runs once per node run, whatever the number of input items. */
export async function executeOnce(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const module = MODULE_BY_RESOURCE[this.getNodeParameter('resource', 0) as string];
	const label = (this.getNodeParameter('fieldLabel', 0) as string).trim();
	const output = (json: IDataObject): INodeExecutionData[] => [{ json: { module, ...json }, pairedItem: { item: 0 } }];

	const existing = findOrderIdField(await fields.call(this, module), label);
	if (existing) return output({ apiName: existing.api_name, created: false, unique: isUniqueField(existing) });
	let response;
	try {
		response = await zohoApiRequest.call(this, {
			method: 'POST',
			path: '/crm/v8/settings/fields',
			qs: { module },
			// Zoho CRM v8 "Create Custom Field": unique single-line text (max two unique fields per module).
			body: { fields: [{ field_label: label, data_type: 'text', length: 255, unique: { case_sensitive: false } }] },
			operation: 'orderIdField.setUp',
		});
	} catch (error) {
		const syncError = (error as { syncError?: ZohoSyncError }).syncError;
		if (syncError?.category === 'scope') {
			throw new NodeApiError(this.getNode(), syncError as unknown as JsonObject, {
				message: 'Zoho refused to create the field: the credential lacks the scope ZohoCRM.settings.fields.ALL',
				description:
					'Add ZohoCRM.settings.fields.ALL to the Zoho credential’s scope and reconnect it (or create the field by hand in Zoho CRM Setup → Modules and Fields, with "Do not allow duplicate values").',
			});
		}
		throw asNodeError(this.getNode(), error);
	}
	// Zoho answers only the new field's id ({fields: [{code, details: {id}, status}]}); its API name is read back.
	const answer = (response.body?.fields as IDataObject[] | undefined)?.[0];
	const fieldId = String((answer?.details as IDataObject | undefined)?.id ?? '');
	const created = (await fields.call(this, module)).find((field) => String(field.id) === fieldId);
	if (!created) {
		throw new NodeOperationError(this.getNode(), `Zoho created the field but does not list it (field id "${fieldId}")`, {
			description: `Look for it in Zoho CRM Setup → Modules and Fields → ${module} and copy its API name into "Order ID Field".`,
		});
	}
	return output({ apiName: created.api_name, created: true, unique: isUniqueField(created), zoho: response.body as IDataObject });
}

/** The module's fields, fresh from Zoho; a module the org lacks (e.g. Sales Orders) gives a clear message. */
async function fields(this: IExecuteFunctions, module: string) {
	try {
		return await zohoGetFields.call(this, module, { refresh: true });
	} catch (error) {
		const syncError = (error as { syncError?: ZohoSyncError }).syncError;
		if (syncError?.zohoCode === 'INVALID_MODULE') {
			throw new NodeOperationError(this.getNode(), moduleUnavailable(module, 'orderIdField.setUp', syncError).message);
		}
		throw asNodeError(this.getNode(), error);
	}
}
