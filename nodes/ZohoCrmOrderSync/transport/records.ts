import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ZohoRecordResult, ZohoSyncError } from '../types';
import * as clock from './clock';
import { toSyncError, ZohoApiError } from './errors';
import { isRacedUpsert, zohoErrorCategory } from './retryPolicy';
import { creditsRemaining, zohoApiRequest, zohoCredentialKey, zohoCredentialType, zohoTopLevelError } from './request';
import type { ZohoCallLimits, ZohoContext, ZohoField } from './types';
import { asNodeError } from '../../shared/nodeError';

export const ZOHO_API_VERSION_PATH = '/crm/v8';
/** Zoho accepts at most 100 records per insert/upsert call. */
export const ZOHO_MAX_RECORDS_PER_CALL = 100;

export interface ZohoWriteArgs {
	module: string;
	records: IDataObject[];
	/** insert: POST /{Module}; upsert: POST /{Module}/upsert; update: PUT /{Module}, each record with its `id`. */
	mode: 'upsert' | 'insert' | 'update';
	duplicateCheckFields?: string[];
	/** Omit to run Zoho workflows/approvals/blueprints; [] runs none. */
	trigger?: string[];
	operation: string;
	limits?: ZohoCallLimits;
}

interface ChunkOutcome {
	results: ZohoRecordResult[];
	creditsRemaining: number | null;
}

/**
 * Inserts or upserts records in calls of ≤ 100 and maps Zoho's per-record `data[i]` back to input order
 * (200/201/202/207 and 400 envelopes alike). A whole-call failure gives each record of its chunk the same error,
 * with that record's own request body. Never throws for Zoho answers; other errors propagate.
 */
export async function zohoWriteRecords(
	this: ZohoContext,
	args: ZohoWriteArgs,
): Promise<{ results: ZohoRecordResult[]; creditsRemaining: number | null }> {
	const results: ZohoRecordResult[] = [];
	let credits: number | null = null;
	for (let start = 0; start < args.records.length; start += ZOHO_MAX_RECORDS_PER_CALL) {
		const chunk = args.records.slice(start, start + ZOHO_MAX_RECORDS_PER_CALL);
		const outcome = await writeChunk.call(this, args, chunk);
		if (outcome.creditsRemaining !== null) credits = outcome.creditsRemaining;
		let chunkResults = outcome.results;
		if (args.mode === 'upsert' && args.duplicateCheckFields?.length) {
			chunkResults = await resendRacedUpserts.call(this, args, chunk, chunkResults, (value) => {
				if (value !== null) credits = value;
			});
		}
		results.push(...chunkResults);
	}
	return { results, creditsRemaining: credits };
}

/** Sends once more the records of a chunk that lost an upsert race (retryPolicy.isRacedUpsert). */
async function resendRacedUpserts(
	this: ZohoContext,
	args: ZohoWriteArgs,
	chunk: IDataObject[],
	chunkResults: ZohoRecordResult[],
	onCredits: (credits: number | null) => void,
): Promise<ZohoRecordResult[]> {
	const checkFields = new Set(args.duplicateCheckFields ?? []);
	const raced = chunkResults
		.map((result, index) => ({ result, index }))
		.filter(({ result }) => isRacedUpsert(result, checkFields));
	if (raced.length === 0) return chunkResults;
	const resent = await writeChunk.call(
		this,
		args,
		raced.map(({ index }) => chunk[index]),
	);
	onCredits(resent.creditsRemaining);
	const merged = [...chunkResults];
	raced.forEach(({ index, result }, position) => {
		const again = resent.results[position];
		if (!again) return;
		if (!again.ok && !result.ok) again.error.attempts += result.error.attempts;
		merged[index] = again;
	});
	return merged;
}

function recordBody(body: IDataObject, record: IDataObject): IDataObject {
	return { ...body, data: [record] };
}

function withRecordBody(error: ZohoSyncError, body: IDataObject, record: IDataObject): ZohoSyncError {
	return {
		...error,
		details: { ...error.details },
		request: { ...error.request, body: recordBody(body, record) },
	};
}

async function writeChunk(
	this: ZohoContext,
	args: ZohoWriteArgs,
	chunk: IDataObject[],
): Promise<ChunkOutcome> {
	const path = `${ZOHO_API_VERSION_PATH}/${args.module}${args.mode === 'upsert' ? '/upsert' : ''}`;
	const body: IDataObject = { data: chunk };
	if (args.mode === 'upsert' && args.duplicateCheckFields?.length) {
		body.duplicate_check_fields = args.duplicateCheckFields;
	}
	if (args.trigger !== undefined) body.trigger = args.trigger;

	let status: number;
	let envelope: IDataObject | null;
	let attempts: number;
	let credits: number | null;
	try {
		const response = await zohoApiRequest.call(this, {
			method: args.mode === 'update' ? 'PUT' : 'POST',
			path,
			body,
			operation: args.operation,
			limits: args.limits,
			// a plain insert is not safe to repeat after an ambiguous failure; an upsert or update is
			idempotent: args.mode !== 'insert',
		});
		({ status, body: envelope, attempts, creditsRemaining: credits } = response);
	} catch (error) {
		if (!(error instanceof ZohoApiError)) throw asNodeError(this.getNode(), error);
		const answer = error.answer;
		const data = answer?.body?.data;
		// a 4xx carrying per-record results (e.g. 400 when the only record failed validation)
		if (answer && answer.status < 500 && Array.isArray(data) && data.length > 0 && isRecordEnvelope(data)) {
			status = answer.status;
			envelope = answer.body;
			attempts = error.syncError.attempts;
			credits = creditsRemaining(answer.headers);
		} else {
			return {
				results: chunk.map((record) => ({
					ok: false,
					error: withRecordBody(error.syncError, body, record),
				})),
				creditsRemaining: null,
			};
		}
	}

	const data = Array.isArray(envelope?.data) ? (envelope?.data as unknown[]) : null;
	const failedAt = new Date().toISOString();
	const results = chunk.map((record, index): ZohoRecordResult => {
		const request = { method: args.mode === 'update' ? 'PUT' : 'POST', path, body: recordBody(body, record) };
		const item = data?.[index];
		if (typeof item !== 'object' || item === null) {
			const topLevel = zohoTopLevelError(data ? null : envelope);
			return {
				ok: false,
				error: toSyncError({
					category: topLevel.code ? zohoErrorCategory(status, topLevel.code) : 'server',
					httpCode: status,
					zohoCode: topLevel.code,
					message: topLevel.message
						? topLevel.message
						: data
						? `Zoho returned no result for this record (${data.length} results for ${chunk.length} records)`
						: 'Zoho returned no per-record results',
					details: topLevel.code ? topLevel.details : (envelope ?? {}),
					attempts,
					request,
					operation: args.operation,
					failedAt,
				}),
			};
		}
		const entry = item as IDataObject;
		const details =
			typeof entry.details === 'object' && entry.details !== null && !Array.isArray(entry.details)
				? (entry.details as IDataObject)
				: {};
		const code = typeof entry.code === 'string' ? entry.code : null;
		if (entry.status === 'success' && typeof details.id === 'string' && details.id) {
			return {
				ok: true,
				id: details.id,
				action: recordAction(entry, args.mode),
				duplicateField: typeof entry.duplicate_field === 'string' ? entry.duplicate_field : null,
				details,
			};
		}
		return {
			ok: false,
			error: toSyncError({
				category: zohoErrorCategory(null, code),
				httpCode: status,
				zohoCode: code,
				message: typeof entry.message === 'string' ? entry.message : 'Zoho did not accept this record',
				details,
				attempts,
				request,
				operation: args.operation,
				failedAt,
			}),
		};
	});
	return { results, creditsRemaining: credits };
}

function isRecordEnvelope(data: unknown[]): boolean {
	return data.every((item) => typeof item === 'object' && item !== null && 'status' in item);
}

/** Whether Zoho inserted or updated the record of one `data[i]` entry (upserts say so in `action`, else in `message`). */
export function recordAction(entry: IDataObject, mode: ZohoWriteArgs['mode']): 'insert' | 'update' {
	if (entry.action === 'insert' || entry.action === 'update') return entry.action;
	if (mode === 'insert' || mode === 'update') return mode;
	return entry.message === 'record updated' ? 'update' : 'insert';
}

/** POST /crm/v8/coql. Zoho answers 204 (or an empty `data`) when nothing matches: that gives []. */
export async function zohoCoql(
	this: ZohoContext,
	selectQuery: string,
	operation: string,
	limits?: ZohoCallLimits,
): Promise<IDataObject[]> {
	const response = await zohoApiRequest.call(this, {
		method: 'POST',
		path: `${ZOHO_API_VERSION_PATH}/coql`,
		body: { select_query: selectQuery },
		operation,
		limits,
	});
	const data = response.body?.data;
	return Array.isArray(data) ? (data as IDataObject[]) : [];
}

/** GET /crm/v8/{Module}/{id}: the record, or null when Zoho answers 204 (no such record). */
export async function zohoGetRecord(
	this: ZohoContext,
	module: string,
	id: string,
	operation: string,
	limits?: ZohoCallLimits,
): Promise<IDataObject | null> {
	const response = await zohoApiRequest.call(this, {
		method: 'GET',
		path: `${ZOHO_API_VERSION_PATH}/${module}/${encodeURIComponent(id)}`,
		operation,
		limits,
	});
	const data = response.body?.data;
	return Array.isArray(data) && data.length > 0 ? (data[0] as IDataObject) : null;
}

/**
 * Field metadata (fields, the Pipeline picklist, whether Currency exists) changes rarely, so it is kept per org and
 * module for FIELDS_TTL_MS: in this process, and durably in the workflow's static data (saved by n8n after
 * production executions, shared by restarts and queue-mode workers), so a shop with one order an hour does not pay
 * a metadata call per order. It is read again sooner when Zoho refuses a field (zohoForgetFields) or a wanted
 * field is missing (refresh: true).
 */
export const FIELDS_TTL_MS = 24 * 60 * 60_000;
const STATIC_DATA_KEY = 'zohoCrmFieldMetadata';
/** The field properties the node reads; the rest of Zoho's metadata is not stored. */
const KEPT_FIELD_KEYS = [
	'id',
	'api_name',
	'field_label',
	'display_label',
	'data_type',
	'system_mandatory',
	'unique',
	'custom_field',
	'read_only',
	'pick_list_values',
];

interface CachedFields {
	loadedAt: number;
	fields: ZohoField[];
}

const fieldsCache = new Map<string, { loadedAt: number; fields: Promise<ZohoField[]> }>();

/** For tests: forget cached field metadata. */
export function resetZohoFieldsCache(): void {
	fieldsCache.clear();
}

function fieldsKey(this: ZohoContext, module: string): string {
	return `${zohoCredentialKey.call(this, zohoCredentialType.call(this))}|${module}`;
}

/** The workflow's durable store of field metadata, when the context has one (executions do; load-options do not). */
function durableStore(this: ZohoContext): Record<string, CachedFields> | null {
	const context = this as Partial<IExecuteFunctions>;
	if (typeof context.getWorkflowStaticData !== 'function') return null;
	try {
		const data = context.getWorkflowStaticData('global');
		if (typeof data[STATIC_DATA_KEY] !== 'object' || data[STATIC_DATA_KEY] === null) data[STATIC_DATA_KEY] = {};
		return data[STATIC_DATA_KEY] as unknown as Record<string, CachedFields>;
	} catch {
		return null;
	}
}

function keptFields(fields: ZohoField[]): ZohoField[] {
	return fields.map((field) => {
		const kept: IDataObject = {};
		for (const key of KEPT_FIELD_KEYS) if (field[key] !== undefined) kept[key] = field[key] as IDataObject[string];
		if (Array.isArray(field.pick_list_values)) {
			kept.pick_list_values = field.pick_list_values.map(({ display_value, actual_value }) => ({ display_value, actual_value }));
		}
		return kept as unknown as ZohoField;
	});
}

/** Keeps field metadata Zoho returned (also from a composite sub-request), in this process and durably. */
export function zohoRememberFields(this: ZohoContext, module: string, fields: ZohoField[], loadedAt = clock.now()): void {
	const key = fieldsKey.call(this, module);
	const kept = keptFields(fields);
	fieldsCache.set(key, { loadedAt, fields: Promise.resolve(kept) });
	const store = durableStore.call(this);
	if (store) store[key] = { loadedAt, fields: kept };
}

/** Zoho refused a field the metadata led us to send (or not send): read the metadata again next time. */
export function zohoForgetFields(this: ZohoContext, module: string): void {
	const key = fieldsKey.call(this, module);
	fieldsCache.delete(key);
	const store = durableStore.call(this);
	if (store && store[key]) delete store[key];
}

/** Whether the cached metadata is older than `withinMs` before its expiry (so a free refresh is worth it). */
export function zohoFieldsDueSoon(this: ZohoContext, module: string, withinMs: number): boolean {
	const key = fieldsKey.call(this, module);
	const loadedAt = fieldsCache.get(key)?.loadedAt ?? durableStore.call(this)?.[key]?.loadedAt;
	return loadedAt === undefined || clock.now() - loadedAt >= FIELDS_TTL_MS - withinMs;
}

/** GET /crm/v8/settings/fields?module=…, cached per credential (org) and module (see FIELDS_TTL_MS). */
export async function zohoGetFields(
	this: ZohoContext,
	module: string,
	/** maxAgeMs: how old cached metadata may be (default FIELDS_TTL_MS; Infinity when the caller refreshes it itself). */
	options: { refresh?: boolean; maxAgeMs?: number } = {},
): Promise<ZohoField[]> {
	const key = fieldsKey.call(this, module);
	const maxAgeMs = options.maxAgeMs ?? FIELDS_TTL_MS;
	if (!options.refresh) {
		const cached = fieldsCache.get(key);
		if (cached && clock.now() - cached.loadedAt < maxAgeMs) return await cached.fields;
		const durable = durableStore.call(this)?.[key];
		if (durable && Array.isArray(durable.fields) && clock.now() - durable.loadedAt < maxAgeMs) {
			fieldsCache.set(key, { loadedAt: durable.loadedAt, fields: Promise.resolve(durable.fields) });
			return durable.fields;
		}
	}
	const loadedAt = clock.now();
	const fields = zohoApiRequest
		.call(this, {
			method: 'GET',
			path: `${ZOHO_API_VERSION_PATH}/settings/fields`,
			qs: { module },
			operation: 'fields.get',
		})
		.then((response) => {
			const all = Array.isArray(response.body?.fields) ? (response.body?.fields as unknown as ZohoField[]) : [];
			zohoRememberFields.call(this, module, all, loadedAt);
			return keptFields(all);
		});
	const entry = { loadedAt, fields };
	fieldsCache.set(key, entry);
	// a failure is not cached: the next call asks Zoho again
	fields.catch(() => {
		if (fieldsCache.get(key) === entry) fieldsCache.delete(key);
	});
	return await fields;
}
