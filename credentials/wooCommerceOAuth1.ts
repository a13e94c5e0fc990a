import { createHmac, randomBytes } from 'crypto';
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

/**
 * OAuth 1.0a "one-legged" signing exactly as WooCommerce checks it on a store where `is_ssl()` is false.
 * Over plain HTTP WooCommerce ignores the consumer key/secret (Basic auth or `consumer_key` query parameters) and runs
 * `WC_REST_Authentication::perform_oauth_authentication()` instead (plugins/woocommerce/includes/
 * class-wc-rest-authentication.php in woocommerce/woocommerce):
 *
 * - parameters = PHP's `$_GET` merged with `$_POST` (form bodies of POST requests), as PHP parsed them — so
 *   `status[0]=a` is an array, and every query parameter, not only `oauth_*`, is signed;
 * - base URI = `get_home_url( null, <request path>, 'http' )`: the site's home URL plus the path, without query;
 * - top-level keys sorted with strcmp, keys and values rawurlencode()d, nested keys written as `key%5Bsub%5D`,
 *   each `key=value` encoded again and joined with `%26`;
 * - string to sign = `METHOD&rawurlencode(base URI)&params`, HMAC keyed with `consumer_secret&`;
 * - `oauth_timestamp` within ±15 minutes of the server clock; `oauth_nonce` not seen for the key in 15 minutes.
 *
 * PHP strings are bytes, so this file handles them as binary strings (one character per byte, like Buffer 'latin1').
 */

export type WooOAuthSignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256';

/** A PHP value as `$_GET` holds it: a byte string or an ordered array (integer keys as their decimal text). */
export type PhpValue = string | PhpArray;
export type PhpArray = Map<string, PhpValue>;

/** The parameters this signer adds; a re-signed request (n8n re-authenticates after a 401) drops the old ones. */
const OAUTH_QUERY_KEYS = [
	'oauth_consumer_key',
	'oauth_nonce',
	'oauth_signature',
	'oauth_signature_method',
	'oauth_timestamp',
];

function utf8ToBytes(text: string): string {
	return Buffer.from(text, 'utf8').toString('latin1');
}

/** PHP rawurlencode() of a byte string: everything but A-Z a-z 0-9 - _ . ~ becomes %XX. */
export function phpRawUrlEncode(bytes: string): string {
	let out = '';
	for (let i = 0; i < bytes.length; i++) {
		const ch = bytes[i];
		out += /[A-Za-z0-9\-_.~]/.test(ch)
			? ch
			: `%${(bytes.charCodeAt(i) & 0xff).toString(16).toUpperCase().padStart(2, '0')}`;
	}
	return out;
}

/** PHP urldecode(): `+` is a space, valid %XX sequences become bytes, anything else stays. */
function phpUrlDecode(encoded: string): string {
	return encoded.replace(/\+|%([0-9A-Fa-f]{2})/g, (match: string, hex?: string) =>
		hex ? String.fromCharCode(parseInt(hex, 16)) : ' ',
	);
}

function nextIndex(table: PhpArray): string {
	let next = 0;
	for (const key of table.keys()) {
		if (/^(0|[1-9]\d{0,17})$/.test(key)) next = Math.max(next, Number(key) + 1);
	}
	return String(next);
}

/** One `name=value` the way PHP's php_register_variable_ex() files it: `a[b][]` nests, `a.b` becomes `a_b`. */
function registerPhpVariable(target: PhpArray, rawName: string, value: string): void {
	let name = rawName.replace(/^ +/, '');
	if (name.includes('\0')) name = name.slice(0, name.indexOf('\0'));
	const bracket = name.indexOf('[');
	const base = (bracket < 0 ? name : name.slice(0, bracket)).replace(/[ .]/g, '_');
	if (base === '') return;
	if (bracket < 0) {
		target.set(base, value);
		return;
	}
	let table = target;
	let index: string | null = base;
	let position = bracket;
	let first = true;
	for (;;) {
		let start = position + 1;
		let end: number;
		let next: string | null;
		if (name[start] === ' ' && name[start + 1] === ']') start += 1;
		if (name[start] === ']') {
			next = null;
			end = start;
		} else {
			end = name.indexOf(']', start);
			if (end < 0) {
				// An unterminated `[`: at the first level it is part of the name, deeper it is ignored.
				if (first) table.set(`${base}_${name.slice(position + 1).replace(/[ .[]/g, '_')}`, value);
				else table.set(index ?? nextIndex(table), value);
				return;
			}
			next = name.slice(position + 1, end);
		}
		const key: string = index ?? nextIndex(table);
		const existing = table.get(key);
		const child: PhpArray = existing instanceof Map ? existing : new Map<string, PhpValue>();
		table.set(key, child);
		table = child;
		index = next;
		first = false;
		if (name[end + 1] !== '[') break;
		position = end + 1;
	}
	table.set(index ?? nextIndex(table), value);
}

/** PHP's parsing of a query string or form body into `$_GET` / `$_POST`. */
export function phpParseQuery(query: string): PhpArray {
	const result: PhpArray = new Map();
	for (const part of query.split('&')) {
		if (part === '') continue;
		const separator = part.indexOf('=');
		const name = phpUrlDecode(separator < 0 ? part : part.slice(0, separator));
		const value = separator < 0 ? '' : phpUrlDecode(part.slice(separator + 1));
		registerPhpVariable(result, name, value);
	}
	return result;
}

/** PHP array_merge(): later string keys overwrite, integer keys are renumbered. */
function phpArrayMerge(...arrays: PhpArray[]): PhpArray {
	const result: PhpArray = new Map();
	let next = 0;
	for (const array of arrays) {
		for (const [key, value] of array) {
			if (/^(0|-?[1-9]\d{0,17})$/.test(key)) result.set(String(next++), value);
			else result.set(key, value);
		}
	}
	return result;
}

function encodeLeaves(value: PhpValue): PhpValue {
	if (typeof value === 'string') return phpRawUrlEncode(value);
	return new Map([...value].map(([key, item]) => [key, encodeLeaves(item)] as [string, PhpValue]));
}

/**
 * WooCommerce's string to sign (check_oauth_signature(), normalize_parameters(), join_with_equals_sign()).
 * `params` are all request parameters as PHP parsed them; `oauth_signature` is left out here.
 */
export function wooCommerceSignatureBaseString(method: string, baseUri: string, params: PhpArray): string {
	const keys = [...params.keys()].filter((key) => key !== 'oauth_signature');
	// uksort( $params, 'strcmp' ): byte order of the raw keys.
	keys.sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
	const pairs: string[] = [];
	const join = (entries: Array<[string, PhpValue]>, parentKey: string) => {
		for (const [key, value] of entries) {
			// `if ( $key )`: PHP treats the parent key "0" as false and does not nest under it.
			const paramKey = parentKey !== '' && parentKey !== '0' ? `${parentKey}%5B${key}%5D` : key;
			if (typeof value === 'string') pairs.push(phpRawUrlEncode(`${paramKey}=${value}`));
			else join([...value], paramKey);
		}
	};
	join(
		keys.map((key) => [phpRawUrlEncode(key), encodeLeaves(params.get(key)!)]),
		'',
	);
	return `${method.toUpperCase()}&${phpRawUrlEncode(utf8ToBytes(baseUri))}&${pairs.join('%26')}`;
}

/** base64( hash_hmac( sha1|sha256, string to sign, consumer_secret . '&', true ) ). */
export function wooCommerceSignature(
	baseString: string,
	consumerSecret: string,
	signatureMethod: WooOAuthSignatureMethod = 'HMAC-SHA256',
): string {
	const algorithm = signatureMethod === 'HMAC-SHA1' ? 'sha1' : 'sha256';
	return createHmac(algorithm, Buffer.from(`${utf8ToBytes(consumerSecret)}&`, 'latin1'))
		.update(Buffer.from(baseString, 'latin1'))
		.digest('base64');
}

/** RFC 3986 percent-encoding of UTF-8 text, as the `qs` package (n8n's query serializer) writes it. */
function encodeQueryComponent(text: string): string {
	return encodeURIComponent(text).replace(
		/[!'()*]/g,
		(ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
	);
}

type ArrayFormat = NonNullable<IHttpRequestOptions['arrayFormat']>;

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * `qs.stringify(params, { arrayFormat })` as n8n 2.40 serializes `requestOptions.qs` (@n8n/backend-network
 * axios defaults: arrayFormat 'indices' unless the request sets one): undefined skipped, null as `key=`,
 * dates as ISO text, arrays as `key[0]=` / `key[]=` / repeated `key=` / comma-joined, objects as `key[sub]=`.
 */
export function serializeN8nQuery(params: IDataObject, arrayFormat: ArrayFormat = 'indices'): string {
	const parts: string[] = [];
	const add = (prefix: string, value: unknown): void => {
		if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return;
		if (value instanceof Date) value = value.toISOString();
		if (value === null) value = '';
		if (Array.isArray(value)) {
			if (arrayFormat === 'comma') {
				if (value.length === 0) return;
				const joined = value.map((item) => (item instanceof Date ? item.toISOString() : item)).join(',');
				parts.push(`${encodeQueryComponent(prefix)}=${encodeQueryComponent(joined)}`);
				return;
			}
			value.forEach((item, index) => {
				const key =
					arrayFormat === 'brackets' ? `${prefix}[]` : arrayFormat === 'repeat' ? prefix : `${prefix}[${index}]`;
				add(key, item);
			});
			return;
		}
		if (isPlainObject(value)) {
			for (const key of Object.keys(value)) add(`${prefix}[${key}]`, value[key]);
			return;
		}
		parts.push(`${encodeQueryComponent(prefix)}=${encodeQueryComponent(String(value))}`);
	};
	for (const key of Object.keys(params)) add(key, params[key]);
	return parts.join('&');
}

/**
 * The URL axios will request for these options: `url` if absolute, else baseURL and url joined like axios'
 * combineURLs(), parsed with WHATWG URL (axios' http adapter sends `pathname + search`). Undefined if not absolute.
 */
export function resolveRequestUrl(requestOptions: IHttpRequestOptions): URL | undefined {
	const url = requestOptions.url ?? '';
	const isAbsolute = /^([a-z][a-z\d+\-.]*:)?\/\//i.test(url);
	const fullPath =
		!isAbsolute && requestOptions.baseURL
			? url
				? `${requestOptions.baseURL.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}`
				: requestOptions.baseURL
			: url;
	try {
		return new URL(fullPath);
	} catch {
		return undefined;
	}
}

/**
 * `get_home_url( null, $request_path, 'http' )` as WooCommerce rebuilds it: home URL + request path with the home
 * path removed. For the request path `<home path>/` (e.g. `/?rest_route=…`) that is the home URL without slash.
 */
export function wooCommerceBaseUri(target: URL, homeUrl?: string): string {
	let homePath = '';
	try {
		if (homeUrl) homePath = new URL(homeUrl.trim()).pathname.replace(/\/+$/, '');
	} catch {
		homePath = '';
	}
	const path = target.pathname;
	const rest = path.startsWith(`${homePath}/`) ? path.slice(homePath.length + 1) : path;
	return `http://${target.host}${homePath}${rest !== '' ? `/${rest.replace(/^\/+/, '')}` : ''}`;
}

function formBodyQuery(requestOptions: IHttpRequestOptions): string {
	// PHP fills $_POST only for POST requests with a form body; JSON bodies are not signed.
	if ((requestOptions.method ?? 'GET').toUpperCase() !== 'POST') return '';
	const body = requestOptions.body;
	if (body instanceof URLSearchParams) return body.toString();
	const headers = (requestOptions.headers ?? {}) as IDataObject;
	const contentTypeKey = Object.keys(headers).find((key) => key.toLowerCase() === 'content-type');
	const contentType = contentTypeKey ? String(headers[contentTypeKey]) : '';
	if (!/^application\/x-www-form-urlencoded/i.test(contentType)) return '';
	if (typeof body === 'string') return body;
	return isPlainObject(body) ? serializeN8nQuery(body) : '';
}

export interface WooOAuthSigner {
	consumerKey: string;
	consumerSecret: string;
	/** The store URL from the credential (the WordPress home URL). */
	homeUrl?: string;
	/** Also send consumer_key/consumer_secret in the query (they are then signed like any parameter). */
	keyInQuery?: boolean;
}

export interface WooOAuthOverrides {
	/** Seconds since the epoch; default now. */
	timestamp?: number;
	/** Default 32 random hex characters. */
	nonce?: string;
	signatureMethod?: WooOAuthSignatureMethod;
}

/**
 * Returns new request options whose absolute `url` carries the whole query — the existing query, `qs` serialized as
 * n8n would, and the oauth_* parameters — so what is signed is byte for byte what is sent; `qs` is removed.
 */
export function signWooCommerceRequest(
	requestOptions: IHttpRequestOptions,
	signer: WooOAuthSigner,
	overrides: WooOAuthOverrides = {},
): IHttpRequestOptions {
	const target = resolveRequestUrl(requestOptions);
	if (!target) throw new Error(`Cannot sign a request without an absolute URL: ${requestOptions.url}`);
	const replaced = new Set(OAUTH_QUERY_KEYS);
	const extra: IDataObject = { ...(requestOptions.qs ?? {}) };
	if (signer.keyInQuery) {
		replaced.add('consumer_key').add('consumer_secret');
		extra.consumer_key = signer.consumerKey;
		extra.consumer_secret = signer.consumerSecret;
	}
	const kept = target.search
		.slice(1)
		.split('&')
		.filter((part) => part !== '' && !replaced.has(phpUrlDecode(part.split('=')[0])));
	const signatureMethod = overrides.signatureMethod ?? 'HMAC-SHA256';
	const oauth: IDataObject = {
		oauth_consumer_key: signer.consumerKey,
		oauth_nonce: overrides.nonce ?? randomBytes(16).toString('hex'),
		oauth_signature_method: signatureMethod,
		oauth_timestamp: String(overrides.timestamp ?? Math.floor(Date.now() / 1000)),
	};
	const arrayFormat = requestOptions.arrayFormat ?? 'indices';
	const query = [...kept, serializeN8nQuery(extra, arrayFormat), serializeN8nQuery(oauth)]
		.filter((part) => part !== '')
		.join('&');
	const params = phpArrayMerge(phpParseQuery(query), phpParseQuery(formBodyQuery(requestOptions)));
	const baseString = wooCommerceSignatureBaseString(
		requestOptions.method ?? 'GET',
		wooCommerceBaseUri(target, signer.homeUrl),
		params,
	);
	const signature = wooCommerceSignature(baseString, signer.consumerSecret, signatureMethod);
	target.search = `?${query}&${serializeN8nQuery({ oauth_signature: signature })}`;
	target.hash = '';
	const signed: IHttpRequestOptions = { ...requestOptions, url: target.href };
	delete signed.qs;
	delete signed.baseURL;
	delete signed.arrayFormat;
	return signed;
}
