/** HTTP plumbing for the Zoho emulator: request bodies, JSON answers, Zoho's top-level error bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Answer {
	status: number;
	/** undefined → no body (204) */
	body?: unknown;
	headers?: Record<string, string>;
}

/**
 * Messages of Zoho's top-level error bodies `{code, details, message, status: "error"}` (OAS `API_Exception`), taken
 * from the v7/v8 "Possible Errors" lists and, for INVALID_TOKEN / AUTHENTICATION_FAILURE / TOO_MANY_REQUESTS, from
 * bodies quoted by public test fixtures and digests (reference §4).
 */
export const ERROR_MESSAGES: Record<string, string> = {
	AUTHENTICATION_FAILURE: 'Authentication failed',
	INVALID_TOKEN: 'invalid oauth token',
	OAUTH_SCOPE_MISMATCH: 'invalid oauth scope to access this URL',
	TOO_MANY_REQUESTS: 'too many requests. please try again after some time',
	INTERNAL_ERROR: 'Internal Server Error',
	INVALID_URL_PATTERN: 'Please check if the URL trying to access is a correct one',
	INVALID_REQUEST_METHOD: 'The http request method type is not a valid one',
	INVALID_MODULE: 'the module name given seems to be invalid',
	INVALID_DATA: 'invalid data',
	MANDATORY_NOT_FOUND: 'required field not found',
	DUPLICATE_DATA: 'duplicate data',
	LIMIT_EXCEEDED: 'limit exceeded',
	REQUIRED_PARAM_MISSING: 'One of the expected parameter is missing',
	EXPECTED_PARAM_MISSING: 'mandatory param missing',
	LIMIT_REACHED: 'Maximum response iteration limit reached',
	NO_PERMISSION: 'permission denied',
	AMBIGUITY_DURING_PROCESSING: 'rollback_on_fail and parallel_execution cannot both be true',
};

export const errorBody = (code: string, details: Record<string, unknown> = {}, message?: string) => ({
	code,
	details,
	message: message ?? ERROR_MESSAGES[code] ?? code.toLowerCase().replace(/_/g, ' '),
	status: 'error',
});

export const errorAnswer = (
	status: number,
	code: string,
	details: Record<string, unknown> = {},
	message?: string,
): Answer => ({ status, body: errorBody(code, details, message) });

export function readBody(request: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks)));
		request.on('error', reject);
	});
}

/** Form fields from an urlencoded or multipart/form-data body (Zoho's token endpoint accepts both). */
export function parseFormBody(contentType: string | undefined, raw: Buffer): Record<string, string> {
	const type = (contentType ?? '').toLowerCase();
	const text = raw.toString('utf8');
	if (type.startsWith('multipart/form-data')) {
		const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
		if (!boundary) return {};
		const fields: Record<string, string> = {};
		for (const part of text.split(`--${boundary[1] ?? boundary[2]}`)) {
			const match = /name="([^"]+)"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n?$/.exec(part);
			if (match) fields[match[1]] = match[2];
		}
		return fields;
	}
	if (type.startsWith('application/x-www-form-urlencoded') || (type === '' && text.includes('='))) {
		return Object.fromEntries(new URLSearchParams(text));
	}
	return {};
}

export function send(response: ServerResponse, answer: Answer): void {
	const headers: Record<string, string> = { ...(answer.headers ?? {}) };
	if (answer.body === undefined) {
		response.writeHead(answer.status, headers);
		response.end();
		return;
	}
	const payload = JSON.stringify(answer.body);
	headers['Content-Type'] = 'application/json;charset=UTF-8';
	headers['Content-Length'] = String(Buffer.byteLength(payload));
	response.writeHead(answer.status, headers);
	response.end(payload);
}

/** Zoho's time format: ISO-8601 with an offset and no milliseconds, e.g. 2024-05-01T10:00:00+00:00. */
export const zohoTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

export const roundMoney = (value: number) => Math.round((value + Number.EPSILON) * 100) / 100;
