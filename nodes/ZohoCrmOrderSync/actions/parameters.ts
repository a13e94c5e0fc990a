import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { WriteSettings } from '../helpers/groupedWrites';
import { isRetryOnFailRun, retryWaitBudgetMs, zohoGetFields } from '../transport';

/* Run-time readers of the parameters described in common.descriptions.ts. */

/** The "Options" collection: the wait budget (retryPolicy.retryWaitBudgetMs), the concurrency cap and automation. */
export function readCallOptions(this: IExecuteFunctions, itemIndex = 0): WriteSettings {
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return {
		limits: {
			maxRetryWaitMs: retryWaitBudgetMs(options.maxRetryWaitSeconds, isRetryOnFailRun(this)),
			maxConcurrency: Math.max(1, Number(options.maxConcurrency ?? 5)),
		},
		trigger: options.runAutomation === false ? [] : undefined,
	};
}

/**
 * The additional Zoho fields of one item: version 2's resource mapper ("Zoho Fields", values typed by n8n, then
 * written the way Zoho's field metadata says: dates yyyy-MM-dd, date-times without milliseconds, lookups `{ id }`),
 * or version 1's "Custom Fields" collection as it was.
 */
export async function readCustomFields(
	this: IExecuteFunctions,
	itemIndex: number,
	module: string,
): Promise<Record<string, unknown>> {
	if (this.getNode().typeVersion >= 2) {
		const mapper = this.getNodeParameter('zohoFields', itemIndex, {}) as { value?: Record<string, unknown> | null };
		const entries = Object.entries(mapper.value ?? {}).filter(
			([, value]) => value !== null && value !== undefined && value !== '',
		);
		if (!entries.length) return {};
		const dataTypes = new Map((await zohoGetFields.call(this, module)).map((field) => [field.api_name, field.data_type]));
		return Object.fromEntries(entries.map(([apiName, value]) => [apiName, zohoFieldValue(value, dataTypes.get(apiName))]));
	}
	const collection = this.getNodeParameter('customFields', itemIndex, {}) as {
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
