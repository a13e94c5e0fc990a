import type { IDataObject } from 'n8n-workflow';

import type { ZohoRecordResult, ZohoSyncError } from '../types';
import * as clock from './clock';
import { toSyncError, ZohoApiError } from './errors';
import { isRacedUpsert, zohoErrorCategory } from './retryPolicy';
import { zohoApiRequest, zohoCredentialKey, zohoCredentialType, zohoTopLevelError } from './request';
import type { ZohoCallLimits, ZohoContext, ZohoField } from './types';
import { asNodeError } from '../../shared/nodeError';

export const ZOHO_API_VERSION_PATH = '/crm/v8';
/** Zoho accepts at most 100 records per insert/upsert call. */
export const ZOHO_MAX_RECORDS_PER_CALL = 100;
const FIELDS_CACHE_MS = 10 * 60_000;

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
			const header = answer.headers['x-api-credits-remaining'];
			credits = header !== undefined && Number.isFinite(Number(header)) ? Number(header) : null;
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

function recordAction(entry: IDataObject, mode: ZohoWriteArgs['mode']): 'insert' | 'update' {
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

const fieldsCache = new Map<string, { loadedAt: number; fields: Promise<ZohoField[]> }>();

/** For tests: forget cached field metadata. */
export function resetZohoFieldsCache(): void {
	fieldsCache.clear();
}

/** GET /crm/v8/settings/fields?module=…, cached per credential (org) and module for 10 minutes in this process. */
export async function zohoGetFields(
	this: ZohoContext,
	module: string,
	options: { refresh?: boolean } = {},
): Promise<ZohoField[]> {
	const key = `${zohoCredentialKey.call(this, zohoCredentialType.call(this))}|${module}`;
	const cached = fieldsCache.get(key);
	if (!options.refresh && cached && clock.now() - cached.loadedAt < FIELDS_CACHE_MS) {
		return await cached.fields;
	}
	const fields = zohoApiRequest
		.call(this, {
			method: 'GET',
			path: `${ZOHO_API_VERSION_PATH}/settings/fields`,
			qs: { module },
			operation: 'fields.get',
		})
		.then((response) =>
			Array.isArray(response.body?.fields) ? (response.body?.fields as unknown as ZohoField[]) : [],
		);
	const entry = { loadedAt: clock.now(), fields };
	fieldsCache.set(key, entry);
	// a failure is not cached: the next call asks Zoho again
	fields.catch(() => {
		if (fieldsCache.get(key) === entry) fieldsCache.delete(key);
	});
	return await fields;
}
