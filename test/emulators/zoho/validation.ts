/**
 * Per-record validation like Zoho's write APIs. Error codes and detail keys follow the official OAS
 * (`zoho/crm-oas` v8.0 `common.json`: InvalidTypeDetails {api_name, json_path, expected_data_type},
 * MandatoryError / BodyErrorDetails {api_name, json_path}) and the v7 Insert Records "Possible Errors" list
 * (INVALID_DATA "invalid data", MANDATORY_NOT_FOUND "required field not found"). Value formats follow the
 * v7 Insert Records "Sample Attributes": Date yyyy-MM-dd, DateTime ISO-8601 with offset, Currency a double with
 * ≤ 16 digits before and ≤ 9 after the decimal point, Single Line ≤ 255 characters, Long Integer as a string.
 */
import { FieldDef, ModuleDef, USER, STANDARD_LAYOUT_ID, findField } from './schema';

export interface RecordIssue {
	code: string;
	message: string;
	details: Record<string, unknown>;
}

export interface ValidationEnv {
	modules: Map<string, ModuleDef>;
	recordExists(module: string, id: string): boolean;
	/** The org's taxes by lower-case name (GET /org/taxes). */
	taxes: Map<string, { name: string; value: number }>;
}

export const invalidData = (apiName: string, jsonPath: string, extra: Record<string, unknown> = {}): RecordIssue => ({
	code: 'INVALID_DATA',
	message: 'invalid data',
	details: { api_name: apiName, json_path: jsonPath, ...extra },
});

export const mandatoryNotFound = (apiName: string, jsonPath: string): RecordIssue => ({
	code: 'MANDATORY_NOT_FOUND',
	message: 'required field not found',
	details: { api_name: apiName, json_path: jsonPath },
});

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:[+-]\d{2}:\d{2}|Z)$/;
const RECORD_ID = /^\d{1,19}$/;

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const isEmpty = (value: unknown) => value === undefined || value === null || value === '';

function isValidDate(value: string): boolean {
	const match = DATE.exec(value);
	if (!match) return false;
	const date = new Date(`${value}T00:00:00Z`);
	return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** ≤ 16 digits before and ≤ 9 after the decimal point (v7 Sample Attributes, Currency/Decimal). */
function withinDecimalLimits(value: number): boolean {
	if (!Number.isFinite(value)) return false;
	const [whole, fraction = ''] = Math.abs(value).toFixed(9).replace(/0+$/, '').split('.');
	return whole.length <= 16 && fraction.length <= 9;
}

/**
 * Checks one value against its field. `null` clears a field (mandatory fields are checked separately).
 */
function validateValue(
	def: FieldDef,
	value: unknown,
	jsonPath: string,
	env: ValidationEnv,
): RecordIssue | undefined {
	if (value === null) return undefined;
	const typeError = (expected: string) => invalidData(def.apiName, jsonPath, { expected_data_type: expected });
	switch (def.type) {
		case 'text':
		case 'textarea':
		case 'phone':
		case 'website':
		case 'email': {
			if (typeof value !== 'string') return typeError(def.type === 'textarea' ? 'textarea' : def.type === 'text' ? 'text' : def.type);
			const maximum = def.length ?? 255;
			if (value.length > maximum) return invalidData(def.apiName, jsonPath, { maximum_length: maximum });
			if (def.type === 'email' && value !== '' && !EMAIL.test(value)) return typeError('email');
			return undefined;
		}
		case 'picklist':
			if (typeof value !== 'string') return typeError('picklist');
			if (value.length > 120) return invalidData(def.apiName, jsonPath, { maximum_length: 120 });
			if (def.restrictedPicklist && !(def.picklist ?? []).includes(value)) return typeError('picklist');
			return undefined;
		case 'lookup': {
			if (!isPlainObject(value)) return typeError('jsonobject');
			const id = value.id;
			// Lookups accept the record id only ("Accepts unique ID of the record", v7 Sample Attributes); a name alone
			// is not resolved here (reference §6.3, unconfirmed either way).
			if (typeof id !== 'string' || !RECORD_ID.test(id)) return invalidData(def.apiName, `${jsonPath}.id`, { expected_data_type: 'jsonobject' });
			if (!env.recordExists(def.lookupModule as string, id)) return invalidData(def.apiName, `${jsonPath}.id`, { id });
			return undefined;
		}
		case 'ownerlookup':
			if (!isPlainObject(value)) return typeError('jsonobject');
			if (value.id !== USER.id) return invalidData(def.apiName, `${jsonPath}.id`, { id: value.id ?? null });
			return undefined;
		case 'layout':
			if (!isPlainObject(value)) return typeError('jsonobject');
			if (value.id !== STANDARD_LAYOUT_ID) return invalidData(def.apiName, `${jsonPath}.id`, { id: value.id ?? null });
			return undefined;
		case 'date':
			if (typeof value !== 'string' || !isValidDate(value)) return typeError('date');
			return undefined;
		case 'datetime':
			if (typeof value !== 'string' || !DATETIME.test(value) || Number.isNaN(Date.parse(value))) return typeError('datetime');
			return undefined;
		case 'currency':
		case 'double':
			if (typeof value !== 'number' || !withinDecimalLimits(value)) return typeError('double');
			return undefined;
		case 'integer':
			if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > 999999999) return typeError('integer');
			return undefined;
		case 'bigint':
			if (!(typeof value === 'string' && RECORD_ID.test(value)) && !(typeof value === 'number' && Number.isSafeInteger(value))) {
				return typeError('bigint');
			}
			return undefined;
		case 'boolean':
			if (typeof value !== 'boolean') return typeError('boolean');
			return undefined;
		case 'subform':
			return validateSubform(def, value, jsonPath, env);
		case 'linetax':
			return validateLineTax(def.apiName, value, jsonPath, env);
	}
	return undefined;
}

/**
 * `Line_Tax: [{name, percentage}]` (v7 Insert Records, Sales Orders sample): each entry names a tax defined in the org
 * (Setup → Taxes, `GET /org/taxes`); an unknown name is INVALID_DATA. `id` may stand for the name (SDK LineTax has
 * id, name, percentage, value).
 */
export function validateLineTax(apiName: string, value: unknown, jsonPath: string, env: ValidationEnv): RecordIssue | undefined {
	if (!Array.isArray(value)) return invalidData(apiName, jsonPath, { expected_data_type: 'jsonarray' });
	for (let index = 0; index < value.length; index++) {
		const entry = value[index];
		const entryPath = `${jsonPath}[${index}]`;
		if (!isPlainObject(entry)) return invalidData(apiName, entryPath, { expected_data_type: 'jsonobject' });
		const name = typeof entry.name === 'string' ? entry.name.trim().toLowerCase() : undefined;
		if (!name || !env.taxes.has(name)) return invalidData(apiName, `${entryPath}.name`, { name: entry.name ?? null });
		if (entry.percentage !== undefined && (typeof entry.percentage !== 'number' || entry.percentage < 0 || entry.percentage > 100)) {
			return invalidData(apiName, `${entryPath}.percentage`, { expected_data_type: 'double' });
		}
	}
	return undefined;
}

function validateSubform(def: FieldDef, value: unknown, jsonPath: string, env: ValidationEnv): RecordIssue | undefined {
	if (!Array.isArray(value)) return invalidData(def.apiName, jsonPath, { expected_data_type: 'jsonarray' });
	// Subforms hold at most 100 rows per record (v2 Subforms doc); empty arrays are caught by the mandatory check.
	if (value.length > 100) return { code: 'LIMIT_EXCEEDED', message: 'limit exceeded', details: { api_name: def.apiName, json_path: jsonPath, limit: 100 } };
	const subform = env.modules.get(def.subformModule as string) as ModuleDef;
	for (let index = 0; index < value.length; index++) {
		const row = value[index];
		const rowPath = `${jsonPath}[${index}]`;
		if (!isPlainObject(row)) return invalidData(def.apiName, rowPath, { expected_data_type: 'jsonobject' });
		for (const [key, rowValue] of Object.entries(row)) {
			const keyPath = `${rowPath}.${key}`;
			if (key === 'id') {
				// an existing row of the record being updated; checked against the record when writing
				if (typeof rowValue !== 'string' || !RECORD_ID.test(rowValue)) return invalidData('id', keyPath, { expected_data_type: 'bigint' });
				continue;
			}
			if (key === '_delete') {
				// `{"id": "<row id>", "_delete": null}` removes that row (Zoho "Subform data" page; Kaizen #31 Subforms API)
				if (rowValue !== null || row.id === undefined) return invalidData('_delete', keyPath);
				continue;
			}
			const rowField = findField(subform, key);
			if (!rowField || rowField.readOnly) return invalidData(key, keyPath);
			const issue = validateValue(rowField, rowValue, keyPath, env);
			if (issue) return issue;
			if (key === 'Quantity' && typeof rowValue === 'number' && rowValue <= 0) return invalidData(key, keyPath, { minimum: 0 });
			if ((key === 'List_Price' || key === 'Discount' || key === 'Tax') && typeof rowValue === 'number' && rowValue < 0) {
				return invalidData(key, keyPath, { minimum: 0 });
			}
		}
		if (row.id === undefined) {
			// a new row needs its mandatory fields
			for (const rowField of subform.fields) {
				if (rowField.mandatory && isEmpty(row[rowField.apiName])) return mandatoryNotFound(rowField.apiName, `${rowPath}.${rowField.apiName}`);
			}
		}
	}
	return undefined;
}

/**
 * Unknown keys, read-only keys and values of the wrong type, in input order. `allowId` for bulk update bodies
 * (`id` is mandatory there and checked by the caller).
 */
export function validateFields(
	module: ModuleDef,
	input: Record<string, unknown>,
	jsonPath: string,
	env: ValidationEnv,
	allowId: boolean,
): RecordIssue | undefined {
	for (const [key, value] of Object.entries(input)) {
		if (key === 'id' && allowId) continue;
		const keyPath = `${jsonPath}.${key}`;
		const def = findField(module, key);
		// Only field API names are accepted (v7 Insert Records); read-only system fields cannot be written.
		if (key === '$line_tax' && module.apiName === 'Sales_Orders') {
			// order-level taxes (v7 Insert Records: `$line_tax` on inventory records)
			const taxIssue = validateLineTax(key, value, keyPath, env);
			if (taxIssue) return taxIssue;
			continue;
		}
		if (!def || def.readOnly) return invalidData(key, keyPath);
		const issue = validateValue(def, value, keyPath, env);
		if (issue) return issue;
	}
	return undefined;
}

/** System-mandatory fields: all of them on insert; on update only those sent empty. */
export function checkMandatory(
	module: ModuleDef,
	input: Record<string, unknown>,
	jsonPath: string,
	forInsert: boolean,
): RecordIssue | undefined {
	for (const def of module.fields) {
		if (!def.mandatory) continue;
		const value = input[def.apiName];
		const missing = isEmpty(value) || (def.type === 'subform' && Array.isArray(value) && value.length === 0);
		if (!missing) continue;
		if (forInsert || value !== undefined) return mandatoryNotFound(def.apiName, `${jsonPath}.${def.apiName}`);
	}
	return undefined;
}
