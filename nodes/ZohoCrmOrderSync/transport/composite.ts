import type { IDataObject } from 'n8n-workflow';

import type { ZohoSyncError } from '../types';
import { toSyncError, ZohoApiError } from './errors';
import { zohoErrorCategory } from './retryPolicy';
import { ZOHO_API_VERSION_PATH } from './records';
import { zohoApiRequest } from './request';
import type { ZohoCallLimits, ZohoContext } from './types';
import { asNodeError } from '../../shared/nodeError';

/**
 * Zoho Composite API: up to five sub-requests in one HTTP call, one credit per call (two with rollback by a
 * secondary source), `rollback_on_fail` making them one database transaction.
 * https://www.zoho.com/crm/developer/docs/api/v8/composite-api.html
 * https://www.zoho.com/crm/developer/docs/api/v8/composite-overview.html
 */
export const ZOHO_COMPOSITE_PATH = `${ZOHO_API_VERSION_PATH}/__composite_requests`;
export const ZOHO_MAX_SUB_REQUESTS = 5;
/**
 * Concurrency slots one composite call is counted as. A secondary source says 5; Zoho's pages do not say. Until
 * confirmed, the node assumes the worst so a burst of composite calls never trips Zoho's concurrency limit.
 */
export const COMPOSITE_CONCURRENCY_SLOTS = 5;

export interface ZohoSubRequest {
	/** `[a-zA-Z0-9][a-zA-Z0-9_]*`; later sub-requests refer to it as `@{<id>:$.data[0].details.id}`. */
	id: string;
	method: 'GET' | 'POST' | 'PUT';
	/** Below the API domain, e.g. /crm/v8/Contacts/upsert. */
	uri: string;
	params?: IDataObject;
	body?: IDataObject;
}

export type ZohoSubResult =
	| { ok: true; status: number; body: IDataObject | null }
	| { ok: false; error: ZohoSyncError };

export interface ZohoCompositeOutcome {
	/** One entry per sub-request id when Zoho answered per sub-request. */
	results: Map<string, ZohoSubResult>;
	/** The error that decided the call: the refused sub-request's own error, or a failure of the whole call. */
	failure: ZohoSyncError | null;
}

/** Sub-requests Zoho rolled back or never ran because another one failed: not the cause of the failure. */
const ROLLBACK_CODES = new Set(['ROLLBACK_PERFORMED', 'PROCESSING_STOPPED']);

/**
 * Sends the sub-requests in one composite call with `rollback_on_fail: true` (and `parallel_execution: false`, which
 * Zoho requires with it; both true is AMBIGUITY_DURING_PROCESSING). Never throws for Zoho answers.
 * `idempotent`: whether the whole call may be repeated after an ambiguous failure (true when every write is an upsert).
 */
export async function zohoCompositeRequest(
	this: ZohoContext,
	subRequests: ZohoSubRequest[],
	options: { operation: string; limits?: ZohoCallLimits; idempotent: boolean },
): Promise<ZohoCompositeOutcome> {
	const body: IDataObject = {
		rollback_on_fail: true,
		parallel_execution: false,
		__composite_requests: subRequests.map((sub) => {
			const entry: IDataObject = { sub_request_id: sub.id, method: sub.method, uri: sub.uri };
			if (sub.params) entry.params = sub.params;
			if (sub.body) entry.body = sub.body;
			return entry;
		}),
	};
	const request = { method: 'POST', path: ZOHO_COMPOSITE_PATH, body };
	let status: number;
	let answer: IDataObject | null;
	let attempts: number;
	try {
		const response = await zohoApiRequest.call(this, {
			method: 'POST',
			path: ZOHO_COMPOSITE_PATH,
			body,
			operation: options.operation,
			limits: options.limits,
			idempotent: options.idempotent,
			slots: COMPOSITE_CONCURRENCY_SLOTS,
		});
		({ status, body: answer, attempts } = response);
	} catch (error) {
		if (!(error instanceof ZohoApiError)) throw asNodeError(this.getNode(), error);
		const entries = error.answer?.body?.__composite_requests;
		if (!error.answer || error.answer.status >= 500 || !Array.isArray(entries)) {
			return { results: new Map(), failure: { ...error.syncError, request } };
		}
		status = error.answer.status;
		answer = error.answer.body;
		attempts = error.syncError.attempts;
	}

	const entries = Array.isArray(answer?.__composite_requests) ? (answer?.__composite_requests as unknown[]) : [];
	const failedAt = new Date().toISOString();
	const results = new Map<string, ZohoSubResult>();
	let failure: ZohoSyncError | null = null;
	subRequests.forEach((sub, index) => {
		const entry = (typeof entries[index] === 'object' && entries[index] !== null ? entries[index] : {}) as IDataObject;
		const response = ((entry.details as IDataObject | undefined)?.response ?? {}) as IDataObject;
		const innerStatus = typeof response.status_code === 'number' ? response.status_code : null;
		const innerBody = typeof response.body === 'object' && response.body !== null ? (response.body as IDataObject) : null;
		const entryCode = typeof entry.code === 'string' ? entry.code : null;
		const record = Array.isArray(innerBody?.data) ? ((innerBody?.data as IDataObject[])[0] ?? null) : null;
		const recordFailed = record !== null && typeof record === 'object' && record.status === 'error';
		const succeeded =
			entry.status === 'success' && innerStatus !== null && innerStatus < 300 && innerStatus !== 207 && !recordFailed;
		if (succeeded) {
			results.set(sub.id, { ok: true, status: innerStatus, body: innerBody });
			return;
		}
		// the sub-request's own error: the failed record, else the sub-request's top-level error, else the entry
		const source: IDataObject = recordFailed ? record : innerBody && typeof innerBody.code === 'string' ? innerBody : entry;
		const code = typeof source.code === 'string' ? source.code : entryCode;
		const httpCode = innerStatus ?? status;
		const error = toSyncError({
			category: ROLLBACK_CODES.has(code ?? '') ? 'validation' : zohoErrorCategory(httpCode, code),
			httpCode,
			zohoCode: code,
			message: typeof source.message === 'string' ? source.message : `Zoho did not complete the sub-request ${sub.id}`,
			details: {
				...(typeof source.details === 'object' && source.details !== null ? (source.details as IDataObject) : {}),
				sub_request_id: sub.id,
				uri: sub.uri,
			},
			attempts,
			request,
			operation: options.operation,
			failedAt,
		});
		results.set(sub.id, { ok: false, error });
		if (!ROLLBACK_CODES.has(code ?? '') && !failure) failure = error;
	});
	if (!failure && [...results.values()].some((result) => !result.ok)) {
		failure = [...results.values()].find((result): result is Extract<ZohoSubResult, { ok: false }> => !result.ok)!.error;
	}
	if (!failure && entries.length !== subRequests.length) {
		failure = toSyncError({
			category: 'server',
			httpCode: status,
			zohoCode: null,
			message: `Zoho answered ${entries.length} sub-requests for ${subRequests.length}`,
			details: answer ?? {},
			attempts,
			request,
			operation: options.operation,
			failedAt,
		});
	}
	return { results, failure };
}
