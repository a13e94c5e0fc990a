/**
 * Zoho CRM Composite API, `POST /crm/v8/__composite_requests`, as documented on
 * https://www.zoho.com/crm/developer/docs/api/v8/composite-api.html (same text on the v5–v7 pages) and
 * https://www.zoho.com/crm/developer/docs/api/v8/composite-overview.html. What each rule rests on:
 *
 * Confirmed on Zoho's pages:
 * - 1 to 5 sub-requests in `__composite_requests` (mandatory array); `sub_request_id` optional, regex
 *   `[a-zA-Z0-9][a-zA-Z0-9_]*`; `uri` mandatory, regex `/crm(/.*)?/v[0-9]+([.][0-9]+)?/.*`; `method` one of GET, POST,
 *   PUT, PATCH, DELETE; optional `params`, `body`, `headers` (never `authorization` or `x-crm-org`).
 * - `rollback_on_fail` default false; `parallel_execution` default true, but false when rollback_on_fail is true;
 *   both true → AMBIGUITY_DURING_PROCESSING.
 * - References `@{<sub_request_id>:<JSONPath>}` to an earlier sub-request's answer (v8 page, "Using References").
 * - Scope `ZohoCRM.composite_requests.CUSTOM` "(and) Scope of the subrequest".
 * - Credits: "up to five API calls in a single request consuming just one credit per composite call" (v8 overview);
 *   the v3 "What's New" page says "one or two credits per composite call".
 * Second-hand (Zoho's OpenAPI file in the public zoho/crm-oas repository and secondary write-ups, not Zoho's pages):
 * - one record per create/update/upsert sub-request; answer `{"__composite_requests":[{code, details:{response:
 *   {status_code, headers, body}}, message, status}]}`; HTTP 200 all done, 207 some failed, 400 when rolled back;
 *   rolled-back sub-requests report ROLLBACK_PERFORMED (executed, then undone) or PROCESSING_STOPPED (never run).
 * - 2 credits with rollback_on_fail (a secondary source; the emulator takes this pessimistic reading) and 5
 *   concurrency slots per composite call (a secondary source; unconfirmed, pessimistic reading, configurable).
 * The error code for a write sub-request with more than one record is not documented: LIMIT_EXCEEDED here.
 */
import { Answer, errorAnswer, errorBody } from './http';
import { isPlainObject } from './validation';

export const MAX_SUB_REQUESTS = 5;
const SUB_REQUEST_ID = /^[a-zA-Z0-9][a-zA-Z0-9_]*$/;
const SUB_REQUEST_URI = /^\/crm(\/.*)?\/v[0-9]+([.][0-9]+)?\/.*$/;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const FORBIDDEN_HEADERS = new Set(['authorization', 'x-crm-org']);
const TOP_LEVEL_KEYS = new Set(['__composite_requests', 'rollback_on_fail', 'parallel_execution']);
const REFERENCE = /@\{([a-zA-Z0-9][a-zA-Z0-9_]*):(\$[^}]*)\}/g;

export interface SubRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	body: unknown;
}

export interface CompositeRunner {
	/** Runs one sub-request through the normal route (scopes, validation, writes), recording what it changed. */
	run(sub: SubRequest): Promise<Answer>;
	/** Undoes every change the sub-requests made so far (one database transaction). */
	rollback(): void;
}

/** Credits of one composite call (see the header: 1, or 2 with rollback_on_fail, pessimistic). */
export function compositeCredits(body: unknown): number {
	return isPlainObject(body) && body.rollback_on_fail === true ? 2 : 1;
}

interface Checked {
	id: string;
	method: string;
	uri: string;
	params: Record<string, unknown>;
	body: unknown;
}

function invalid(index: number, key: string, extra: Record<string, unknown> = {}): Answer {
	return errorAnswer(400, 'INVALID_DATA', { api_name: key, json_path: `$.__composite_requests[${index}].${key}`, ...extra });
}

/** Validates the whole request before anything runs; an invalid request is refused as a whole. */
function check(body: unknown): { subs: Checked[]; rollback: boolean } | Answer {
	if (!isPlainObject(body)) return errorAnswer(400, 'INVALID_DATA', { expected_data_type: 'jsonobject', json_path: '$' });
	for (const key of Object.keys(body)) {
		if (!TOP_LEVEL_KEYS.has(key)) return errorAnswer(400, 'INVALID_DATA', { api_name: key, json_path: `$.${key}` });
	}
	for (const key of ['rollback_on_fail', 'parallel_execution']) {
		if (body[key] !== undefined && typeof body[key] !== 'boolean') {
			return errorAnswer(400, 'INVALID_DATA', { api_name: key, json_path: `$.${key}`, expected_data_type: 'boolean' });
		}
	}
	const rollback = body.rollback_on_fail === true;
	if (rollback && body.parallel_execution === true) {
		return errorAnswer(400, 'AMBIGUITY_DURING_PROCESSING', { api_names: ['rollback_on_fail', 'parallel_execution'] });
	}
	const list = body.__composite_requests;
	if (list === undefined) return errorAnswer(400, 'MANDATORY_NOT_FOUND', { api_name: '__composite_requests', json_path: '$.__composite_requests' });
	if (!Array.isArray(list)) {
		return errorAnswer(400, 'INVALID_DATA', { api_name: '__composite_requests', json_path: '$.__composite_requests', expected_data_type: 'jsonarray' });
	}
	if (list.length === 0 || list.length > MAX_SUB_REQUESTS) {
		return errorAnswer(400, 'LIMIT_EXCEEDED', { api_name: '__composite_requests', json_path: '$.__composite_requests', limit: MAX_SUB_REQUESTS });
	}
	const subs: Checked[] = [];
	const ids = new Set<string>();
	for (let index = 0; index < list.length; index++) {
		const sub = list[index];
		if (!isPlainObject(sub)) return invalid(index, '', { expected_data_type: 'jsonobject' });
		const id = sub.sub_request_id === undefined ? String(index) : sub.sub_request_id;
		if (typeof id !== 'string' || !SUB_REQUEST_ID.test(id) || ids.has(id)) return invalid(index, 'sub_request_id');
		ids.add(id);
		if (sub.uri === undefined) return errorAnswer(400, 'MANDATORY_NOT_FOUND', { api_name: 'uri', json_path: `$.__composite_requests[${index}].uri` });
		if (typeof sub.uri !== 'string' || !SUB_REQUEST_URI.test(sub.uri)) return invalid(index, 'uri');
		if (sub.method === undefined) return errorAnswer(400, 'MANDATORY_NOT_FOUND', { api_name: 'method', json_path: `$.__composite_requests[${index}].method` });
		if (typeof sub.method !== 'string' || !METHODS.has(sub.method.toUpperCase())) return invalid(index, 'method');
		if (sub.params !== undefined && !isPlainObject(sub.params)) return invalid(index, 'params', { expected_data_type: 'jsonobject' });
		if (sub.body !== undefined && !isPlainObject(sub.body)) return invalid(index, 'body', { expected_data_type: 'jsonobject' });
		if (sub.headers !== undefined) {
			if (!isPlainObject(sub.headers)) return invalid(index, 'headers', { expected_data_type: 'jsonobject' });
			const forbidden = Object.keys(sub.headers).find((name) => FORBIDDEN_HEADERS.has(name.toLowerCase()));
			if (forbidden) return invalid(index, 'headers', { header: forbidden });
		}
		subs.push({ id, method: sub.method.toUpperCase(), uri: sub.uri, params: (sub.params as Record<string, unknown>) ?? {}, body: sub.body });
	}
	return { subs, rollback };
}

/** `$.data[0].details.id`-style paths (dot keys and [n] indices), enough for Zoho's documented references. */
function readPath(root: unknown, path: string): unknown {
	const steps = path.replace(/^\$/, '').match(/\.[^.[\]]+|\[\d+\]/g) ?? [];
	let value = root;
	for (const step of steps) {
		if (value === null || typeof value !== 'object') return undefined;
		value = step.startsWith('[') ? (value as unknown[])[Number(step.slice(1, -1))] : (value as Record<string, unknown>)[step.slice(1)];
	}
	return value;
}

class UnresolvedReference extends Error {}

function resolve(value: unknown, answers: Map<string, unknown>): unknown {
	if (typeof value === 'string') {
		const whole = /^@\{([a-zA-Z0-9][a-zA-Z0-9_]*):(\$[^}]*)\}$/.exec(value);
		const lookup = (id: string, path: string) => {
			if (!answers.has(id)) throw new UnresolvedReference(`${id}:${path}`);
			const found = readPath(answers.get(id), path);
			if (found === undefined) throw new UnresolvedReference(`${id}:${path}`);
			return found;
		};
		if (whole) return lookup(whole[1], whole[2]);
		return value.replace(REFERENCE, (_match, id: string, path: string) => String(lookup(id, path)));
	}
	if (Array.isArray(value)) return value.map((entry) => resolve(entry, answers));
	if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, resolve(entry, answers)]));
	return value;
}

/** A write sub-request carrying more than one record (one record per create/update/upsert sub-request). */
function tooManyRecords(method: string, body: unknown): boolean {
	return method !== 'GET' && isPlainObject(body) && Array.isArray(body.data) && body.data.length > 1;
}

const failed = (answer: Answer) => answer.status >= 400 || answer.status === 207;

/**
 * Runs the sub-requests in order (the emulator serialises even independent ones: only timing differs from
 * parallel execution). Without rollback every sub-request runs; with rollback the first failure stops the rest
 * and undoes the earlier ones.
 */
export async function runComposite(body: unknown, runner: CompositeRunner): Promise<Answer> {
	const checked = check(body);
	if ('status' in checked) return checked;
	const { subs, rollback } = checked;
	const answers = new Map<string, unknown>();
	const entries: Array<Record<string, unknown> | undefined> = subs.map(() => undefined);
	let failedAt = -1;

	for (let index = 0; index < subs.length; index++) {
		const sub = subs[index];
		let answer: Answer;
		try {
			const uri = resolve(sub.uri, answers) as string;
			const params = resolve(sub.params, answers) as Record<string, unknown>;
			const subBody = resolve(sub.body, answers);
			const url = new URL(uri, 'http://127.0.0.1');
			const query: Record<string, string> = { ...Object.fromEntries(url.searchParams) };
			for (const [key, value] of Object.entries(params)) query[key] = Array.isArray(value) ? value.join(',') : String(value);
			answer = tooManyRecords(sub.method, subBody)
				? errorAnswer(400, 'LIMIT_EXCEEDED', { api_name: 'data', json_path: '$.data', limit: 1 })
				: await runner.run({ method: sub.method, path: url.pathname, query, body: subBody });
		} catch (error) {
			if (!(error instanceof UnresolvedReference)) throw error;
			answer = errorAnswer(400, 'INVALID_REFERENCE', { reference: error.message }, 'the reference could not be resolved');
		}
		answers.set(sub.id, answer.body ?? {});
		entries[index] = {
			code: failed(answer) ? subCode(answer) : 'SUCCESS',
			details: { response: { status_code: answer.status, headers: answer.headers ?? {}, body: answer.body ?? {} } },
			message: failed(answer) ? 'the sub-request failed' : 'success',
			status: failed(answer) ? 'error' : 'success',
		};
		if (failed(answer) && failedAt < 0) {
			failedAt = index;
			if (rollback) break;
		}
	}

	if (failedAt >= 0 && rollback) {
		runner.rollback();
		const done = entries.map((entry, index) => {
			if (index === failedAt) return entry;
			if (entry) return { ...errorBody('ROLLBACK_PERFORMED', { ...(entry.details as object) }, 'the sub-request was rolled back') };
			return errorBody('PROCESSING_STOPPED', {}, 'the sub-request was not processed');
		});
		return { status: 400, body: { __composite_requests: done } };
	}
	return { status: failedAt >= 0 ? 207 : 200, body: { __composite_requests: entries } };
}

/** The sub-request's own code: its top-level error, else the first failed record's code. */
function subCode(answer: Answer): string {
	const body = answer.body as { code?: unknown; data?: Array<{ status?: unknown; code?: unknown }> } | undefined;
	if (typeof body?.code === 'string') return body.code;
	const failedRecord = body?.data?.find((record) => record.status !== 'success');
	return typeof failedRecord?.code === 'string' ? failedRecord.code : 'INTERNAL_ERROR';
}
