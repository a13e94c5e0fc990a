import type { IDataObject } from 'n8n-workflow';

/** The part of Zoho's field metadata (GET /settings/fields) a mapping decides on. */
export interface ModuleField {
	api_name: string;
	pick_list_values?: Array<{ actual_value: string }>;
}

/**
 * Runs one field's rule and names the field in any error, so "Not a valid amount" becomes
 * "Amount: Not a valid amount …" in the item's error output. Mapping is pure (no node at hand): the operations
 * catch this and turn it into the item's structured validation error, never letting it leave the node.
 */
export function forField<T>(fieldName: string, rule: () => T): T {
	let outcome: { value: T } | { failure: string };
	try {
		outcome = { value: rule() };
	} catch (error) {
		outcome = { failure: error instanceof Error ? error.message : String(error) };
	}
	if ('failure' in outcome) throw new Error(`${fieldName}: ${outcome.failure}`);
	return outcome.value;
}

/** Sets a key only when there is a value: an upsert with "" or null would erase Zoho's current value. */
export function setIfPresent(record: IDataObject, key: string, value: IDataObject[string] | undefined): void {
	if (value !== undefined) record[key] = value;
}

/**
 * A Zoho lookup value ({ id }) from an id the node got back from an earlier upsert.
 * Zoho ids are 18-19 digit numbers passed as strings ("Long Integer passed as a string"); a JS number
 * that large has lost digits already, so numbers are accepted only while they are exact.
 * An object with an id (a Zoho lookup as returned by Zoho) is accepted too.
 */
export function lookupId(fieldName: string, value: unknown): IDataObject | undefined {
	return forField(fieldName, () => {
		if (value === undefined || value === null) return undefined;
		if (typeof value === 'object' && !Array.isArray(value) && 'id' in value) {
			return lookupId(fieldName, (value as { id: unknown }).id);
		}
		if (typeof value === 'number') {
			if (!Number.isSafeInteger(value) || value <= 0) {
				throw new Error(`Zoho record ids must be passed as text; got the number ${value}`);
			}
			return { id: String(value) };
		}
		if (typeof value === 'string') {
			const id = value.trim();
			return id === '' ? undefined : { id };
		}
		throw new Error(`Expected a Zoho record id, got ${JSON.stringify(value)?.slice(0, 100)}`);
	});
}

function isEmptyValue(value: unknown): boolean {
	if (value === undefined || value === null) return true;
	if (typeof value === 'string') return value.trim() === '';
	if (Array.isArray(value)) return value.length === 0;
	return false;
}

/**
 * Merges user-defined fields (Zoho API name → value) into a record, last, so they can override a
 * standard mapping. Values pass through as given (custom fields may be numbers, booleans, multi-select
 * lists or lookups), strings are trimmed, and empty values (undefined, null, blank, []) are dropped
 * for the same reason as setIfPresent.
 */
export function mergeCustomFields(record: IDataObject, customFields: Record<string, unknown> | undefined): void {
	if (!customFields) return;
	for (const [rawKey, value] of Object.entries(customFields)) {
		const key = rawKey.trim();
		if (key === '' || isEmptyValue(value)) continue;
		if (typeof value === 'number' && !Number.isFinite(value)) {
			throw new Error(`${key}: not a valid number (${value})`);
		}
		record[key] = (typeof value === 'string' ? value.trim() : value) as IDataObject[string];
	}
}
