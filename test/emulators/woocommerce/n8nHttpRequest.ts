/**
 * A stand-in for n8n's httpRequest, for unit tests that run node code against the emulator without n8n.
 */

export interface N8nLikeRequestOptions {
	url: string;
	baseURL?: string;
	method?: string;
	qs?: Record<string, unknown>;
	arrayFormat?: 'indices' | 'brackets' | 'repeat' | 'comma';
	body?: unknown;
	headers?: Record<string, unknown>;
	auth?: { username: string; password: string };
	json?: boolean;
	returnFullResponse?: boolean;
}

/** What n8n's axios-based request throws for an HTTP error status (before NodeApiError wraps it). */
export class N8nLikeHttpError extends Error {
	readonly isAxiosError = true;
	constructor(
		readonly response: { status: number; statusText: string; data: unknown; headers: Record<string, string> },
	) {
		super(`Request failed with status code ${response.status}`);
	}
}

/**
 * `qs.stringify(params, { arrayFormat })`, which n8n 2.40 uses for `qs` (@n8n/backend-network http/axios/config.js
 * and request.js; default arrayFormat 'indices'): RFC 3986 encoding of keys and values, undefined left out, null as
 * an empty value, dates as ISO text, `a[0]=`, `a[]=`, `a=&a=` or `a=x,y` for arrays, `o[k]=` for objects.
 */
export function qsStringifyLikeN8n(
	params: Record<string, unknown>,
	arrayFormat: 'indices' | 'brackets' | 'repeat' | 'comma' = 'indices',
): string {
	const encode = (text: string) =>
		encodeURIComponent(text).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
	const out: string[] = [];
	const walk = (prefix: string, value: unknown): void => {
		if (value instanceof Date) value = value.toISOString();
		if (value === null) value = '';
		if (['string', 'number', 'boolean', 'bigint'].includes(typeof value)) {
			out.push(`${encode(prefix)}=${encode(String(value))}`);
		} else if (Array.isArray(value)) {
			if (arrayFormat === 'comma') {
				if (value.length > 0) walk(prefix, value.map((item) => (item instanceof Date ? item.toISOString() : item)).join(','));
				return;
			}
			value.forEach((item, i) =>
				walk(arrayFormat === 'indices' ? `${prefix}[${i}]` : arrayFormat === 'brackets' ? `${prefix}[]` : prefix, item),
			);
		} else if (value !== undefined && typeof value === 'object') {
			for (const [key, item] of Object.entries(value as Record<string, unknown>)) walk(`${prefix}[${key}]`, item);
		}
	};
	for (const [key, value] of Object.entries(params)) walk(key, value);
	return out.join('&');
}

/**
 * Sends a request the way n8n's `helpers.httpRequest` does for these options: the URL as axios builds it (an
 * absolute `url` wins, else baseURL and url joined like combineURLs(), parsed with WHATWG URL, `qs` appended with
 * qsStringifyLikeN8n), `auth` as HTTP Basic, object bodies as JSON, JSON answers parsed, `returnFullResponse` →
 * { body, headers, statusCode, statusMessage } with lower-cased headers; status ≥ 400 throws N8nLikeHttpError.
 */
export async function n8nLikeHttpRequest(options: N8nLikeRequestOptions): Promise<any> {
	const isAbsolute = /^([a-z][a-z\d+\-.]*:)?\/\//i.test(options.url);
	const fullPath =
		isAbsolute || !options.baseURL
			? options.url
			: options.url
				? `${options.baseURL.replace(/\/?\/$/, '')}/${options.url.replace(/^\/+/, '')}`
				: options.baseURL;
	const parsed = new URL(fullPath);
	let path = `${parsed.pathname}${parsed.search}`;
	const query = qsStringifyLikeN8n(options.qs ?? {}, options.arrayFormat);
	if (query !== '') path += `${path.includes('?') ? '&' : '?'}${query}`;
	const target = `${parsed.origin}${path}`;
	const headers: Record<string, string> = {};
	for (const [key, value] of Object.entries(options.headers ?? {})) headers[key] = String(value);
	if (options.auth) {
		headers.Authorization = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
	}
	let body: string | undefined;
	if (options.body instanceof URLSearchParams) {
		body = options.body.toString();
		headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
	} else if (options.body !== undefined && options.body !== null) {
		body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
		if (typeof options.body !== 'string') headers['Content-Type'] = 'application/json';
	}
	const response = await fetch(target, { method: options.method ?? 'GET', headers, body });
	const text = await response.text();
	let data: unknown = text;
	if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') data = JSON.parse(text);
	const responseHeaders: Record<string, string> = {};
	response.headers.forEach((value, key) => {
		responseHeaders[key.toLowerCase()] = value;
	});
	if (response.status >= 400) {
		throw new N8nLikeHttpError({
			status: response.status,
			statusText: response.statusText,
			data,
			headers: responseHeaders,
		});
	}
	return options.returnFullResponse
		? { body: data, headers: responseHeaders, statusCode: response.status, statusMessage: response.statusText }
		: data;
}
