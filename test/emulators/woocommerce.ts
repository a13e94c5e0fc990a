/**
 * A strict WooCommerce REST API (wc/v3) emulator for tests: API-key auth, webhooks CRUD, orders listing, and
 * webhook deliveries and pings the way WooCommerce sends them.
 *
 * Sources (paths relative to plugins/woocommerce/ in woocommerce/woocommerce; see
 * /work/shared/reference/woocommerce-webhooks.md for the digest):
 * - includes/class-wc-rest-authentication.php  — key auth, error codes and texts
 * - includes/rest-api/Controllers/Version1/class-wc-rest-webhooks-v1-controller.php (v2/v3 inherit it)
 * - includes/class-wc-webhook.php  — deliver(), deliver_ping(), generate_signature(), log_delivery(), failed_delivery()
 * - includes/data-stores/class-wc-webhook-data-store.php  — update() re-pings while `pending_delivery`
 * - includes/rest-api/Controllers/Version2|3/class-wc-rest-orders-*controller.php  — orders collection params
 * - WordPress core WP_REST_Server / rest_validate_value_from_schema — rest_no_route, rest_missing_callback_param,
 *   rest_invalid_param.
 *
 * Authentication follows WC_REST_Authentication::authenticate(): with `ssl: false` (the default — the emulator is
 * served over plain http://127.0.0.1, so `is_ssl()` is false) only OAuth 1.0a one-legged signatures are accepted and
 * Basic auth / consumer_key query parameters are ignored; with `ssl: true` Basic auth and query keys are read first
 * and OAuth 1.0a is the fallback (then signed with an https:// base URI).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

import orderFixture from '../fixtures/woocommerce-order.json';

export interface WooEmulatorOptions {
	consumerKey?: string;
	consumerSecret?: string;
	port?: number;
	/** Permission of the API key (WooCommerce → Settings → Advanced → REST API). Default read_write. */
	keyPermissions?: 'read' | 'write' | 'read_write';
	/**
	 * What `is_ssl()` answers. Default false: the emulator is served over http://, so like a real store there it
	 * accepts only OAuth 1.0a. true: a store that believes it runs on HTTPS (e.g. behind a TLS-terminating proxy that
	 * sets HTTPS=on) and therefore reads Basic auth and consumer_key/consumer_secret query parameters.
	 */
	ssl?: boolean;
}

export type WooWebhookStatus = 'active' | 'paused' | 'disabled';

export interface WooWebhook {
	id: number;
	name: string;
	status: WooWebhookStatus;
	topic: string;
	resource: string;
	event: string;
	hooks: string[];
	delivery_url: string;
	secret: string;
	api_version: 'wp_api_v3';
	user_id: number;
	date_created: string;
	date_created_gmt: string;
	date_modified: string;
	date_modified_gmt: string;
	failure_count: number;
	/** True until a ping got exactly HTTP 200 (WC_Webhook_Data_Store::create()). */
	pending_delivery: boolean;
}

/** A stored order: the exact `GET /wc/v3/orders/{id}` body. */
export type WooOrderRecord = Record<string, any> & {
	id: number;
	number: string;
	status: string;
	date_created: string;
	date_created_gmt: string;
	date_modified: string;
	date_modified_gmt: string;
};

export interface WooCall {
	method: string;
	path: string;
	query: Record<string, string>;
	status: number;
}

/** Every request the emulator sent to a delivery URL (deliveries and pings), for assertions. */
export interface WooOutboundRecord {
	kind: 'delivery' | 'ping';
	webhookId: number;
	url: string;
	headers: Record<string, string>;
	body: string;
	status: number;
	responseBody: string;
}

const WC_VERSION = '9.8.5';
const WP_VERSION = '6.8.1';
const USER_AGENT = `WooCommerce/${WC_VERSION} Hookshot (WordPress/${WP_VERSION})`;
/** The fixture store runs on Europe/Berlin; in March that is UTC+1. Dates without offset are site-local. */
const SITE_UTC_OFFSET_MINUTES = 60;
const SITE_USER_ID = 1;

/** Topic → hooks, from WC_Webhook::get_default_topic_hooks() (order rows as in the reference table). */
const TOPIC_HOOKS: Record<string, string[]> = {
	'coupon.created': ['woocommerce_process_shop_coupon_meta', 'woocommerce_new_coupon'],
	'coupon.updated': ['woocommerce_process_shop_coupon_meta', 'woocommerce_update_coupon'],
	'coupon.deleted': ['wp_trash_post'],
	'coupon.restored': ['untrashed_post'],
	'customer.created': ['user_register', 'woocommerce_created_customer', 'woocommerce_new_customer'],
	'customer.updated': ['profile_update', 'woocommerce_update_customer'],
	'customer.deleted': ['delete_user'],
	'order.created': ['woocommerce_new_order'],
	'order.updated': ['woocommerce_update_order', 'woocommerce_order_refunded', 'woocommerce_delete_order_refund'],
	'order.deleted': ['wp_trash_post', 'woocommerce_trash_order'],
	'order.restored': ['untrashed_post', 'woocommerce_untrash_order'],
	'product.created': ['woocommerce_process_product_meta', 'woocommerce_new_product', 'woocommerce_new_product_variation'],
	'product.updated': ['woocommerce_process_product_meta', 'woocommerce_update_product', 'woocommerce_update_product_variation'],
	'product.deleted': ['wp_trash_post'],
	'product.restored': ['untrashed_post'],
};

/** REST enum of v3 order statuses (`any`, `trash` and the registered statuses without `wc-`). */
const ORDER_STATUS_ENUM = [
	'any',
	'trash',
	'auto-draft',
	'pending',
	'processing',
	'on-hold',
	'completed',
	'cancelled',
	'refunded',
	'failed',
	'checkout-draft',
	'draft',
];

// ---------------------------------------------------------------------------------------------------------------
// PHP-compatible encoding and signing
// ---------------------------------------------------------------------------------------------------------------

function phpEscapeString(value: string): string {
	let out = '"';
	for (let i = 0; i < value.length; i++) {
		const ch = value[i];
		const code = value.charCodeAt(i);
		switch (ch) {
			case '"':
				out += '\\"';
				break;
			case '\\':
				out += '\\\\';
				break;
			case '/':
				out += '\\/';
				break;
			case '\b':
				out += '\\b';
				break;
			case '\f':
				out += '\\f';
				break;
			case '\n':
				out += '\\n';
				break;
			case '\r':
				out += '\\r';
				break;
			case '\t':
				out += '\\t';
				break;
			default:
				// Control characters and everything outside ASCII become \uXXXX, per UTF-16 unit (PHP lower-case hex;
				// astral characters thus come out as a surrogate pair).
				out += code < 0x20 || code > 0x7e ? (code === 0x7f ? ch : `\\u${code.toString(16).padStart(4, '0')}`) : ch;
		}
	}
	return `${out}"`;
}

function phpNumber(value: number): string {
	if (!Number.isFinite(value)) throw new Error(`json_encode cannot encode ${value}`);
	const text = String(value);
	// PHP (serialize_precision -1) writes 1.0e+25 where JavaScript writes 1e+25.
	const exponent = /^(-?\d+)(e[+-]\d+)$/.exec(text);
	return exponent ? `${exponent[1]}.0${exponent[2]}` : text;
}

/**
 * Like PHP `json_encode($value)` with default flags (what `wp_json_encode` produces): `/` as `\/`, non-ASCII as
 * `\uXXXX` (surrogate pairs for astral characters), no whitespace. Object keys with undefined values are skipped.
 */
export function phpJsonEncode(value: unknown): string {
	if (value === null || value === undefined) return 'null';
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	if (typeof value === 'number') return phpNumber(value);
	if (typeof value === 'string') return phpEscapeString(value);
	if (Array.isArray(value)) return `[${value.map((item) => phpJsonEncode(item)).join(',')}]`;
	if (typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
		return `{${entries.map(([key, item]) => `${phpEscapeString(key)}:${phpJsonEncode(item)}`).join(',')}}`;
	}
	throw new Error(`json_encode cannot encode a ${typeof value}`);
}

/** `wp_specialchars_decode( $secret, ENT_QUOTES )`, applied by WC_Webhook::generate_signature() (PR #22722). */
function wpSpecialcharsDecode(value: string): string {
	return value
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#0*39;/g, "'")
		.replace(/&#x0*27;/gi, "'")
		.replace(/&amp;/g, '&');
}

/** base64(HMAC-SHA256(body, secret)), as WC_Webhook::generate_signature() with the default algorithm. */
export function wcSignature(body: string | Buffer, secret: string): string {
	return createHmac('sha256', secret).update(body).digest('base64');
}

// ---------------------------------------------------------------------------------------------------------------
// Fixture helpers
// ---------------------------------------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, any> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function deepMerge(target: Record<string, any>, source: Record<string, any>): Record<string, any> {
	for (const [key, value] of Object.entries(source)) {
		if (isPlainObject(value) && isPlainObject(target[key])) {
			deepMerge(target[key], value);
		} else {
			target[key] = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
		}
	}
	return target;
}

/** A deep copy of test/fixtures/woocommerce-order.json, with `overrides` deep-merged (arrays are replaced). */
export function sampleOrder(overrides: object = {}): any {
	const order = JSON.parse(JSON.stringify(orderFixture)) as Record<string, any>;
	return deepMerge(order, overrides as Record<string, any>);
}

/** `Y-m-d\TH:i:s` without offset, as wc_rest_prepare_date_response() formats. */
function formatWooDate(date: Date): string {
	return date.toISOString().slice(0, 19);
}

function siteLocal(date: Date): string {
	return formatWooDate(new Date(date.getTime() + SITE_UTC_OFFSET_MINUTES * 60_000));
}

// ---------------------------------------------------------------------------------------------------------------
// REST plumbing
// ---------------------------------------------------------------------------------------------------------------

interface RestError {
	code: string;
	message: string;
	data: Record<string, unknown> & { status: number };
}

class RestFailure extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly extra: Record<string, unknown> = {},
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}

	toBody(): RestError {
		return { code: this.code, message: this.message, data: { status: this.status, ...this.extra } };
	}
}

interface Reply {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

interface RequestContext {
	method: string;
	route: string;
	match: RegExpExecArray;
	params: Record<string, unknown>;
	authenticated: boolean;
}

type ParamSpec =
	| { type: 'integer'; minimum?: number; maximum?: number; default?: number }
	| { type: 'string'; enum?: string[]; default?: string; format?: 'date-time' }
	| { type: 'boolean'; default?: boolean }
	| { type: 'array'; enum?: string[]; default?: string[]; items?: 'integer' | 'string' };

function enumText(values: string[]): string {
	return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')}, and ${values[values.length - 1]}`;
}

/** WordPress `rest_validate_value_from_schema` + `rest_sanitize_value_from_schema`, for the types used here. */
function validateParams(
	params: Record<string, unknown>,
	specs: Record<string, ParamSpec>,
	required: string[] = [],
): Record<string, any> {
	const missing = required.filter((name) => params[name] === undefined);
	if (missing.length > 0) {
		throw new RestFailure(400, 'rest_missing_callback_param', `Missing parameter(s): ${missing.join(', ')}`, {
			params: missing,
		});
	}
	const invalid: Record<string, string> = {};
	const details: Record<string, unknown> = {};
	const result: Record<string, any> = {};
	const fail = (name: string, code: string, message: string) => {
		invalid[name] = message;
		details[name] = { code, message, data: null };
	};
	for (const [name, spec] of Object.entries(specs)) {
		const raw = params[name];
		if (raw === undefined) {
			result[name] = spec.default;
			continue;
		}
		if (spec.type === 'integer') {
			const text = String(raw).trim();
			if (!/^-?\d+$/.test(text)) {
				fail(name, 'rest_invalid_type', `${name} is not of type integer.`);
				continue;
			}
			const value = Number(text);
			if (
				(spec.minimum !== undefined && value < spec.minimum) ||
				(spec.maximum !== undefined && value > spec.maximum)
			) {
				fail(
					name,
					'rest_out_of_bounds',
					`${name} must be between ${spec.minimum} (inclusive) and ${spec.maximum} (inclusive)`,
				);
				continue;
			}
			result[name] = value;
		} else if (spec.type === 'boolean') {
			const text = String(raw).toLowerCase();
			if (['true', '1'].includes(text)) result[name] = true;
			else if (['false', '0', ''].includes(text)) result[name] = false;
			else fail(name, 'rest_invalid_type', `${name} is not of type boolean.`);
		} else if (spec.type === 'string') {
			if (typeof raw !== 'string' && typeof raw !== 'number') {
				fail(name, 'rest_invalid_type', `${name} is not of type string.`);
				continue;
			}
			const value = String(raw);
			if (spec.enum && !spec.enum.includes(value)) {
				fail(name, 'rest_not_in_enum', `${name} is not one of ${enumText(spec.enum)}.`);
				continue;
			}
			if (
				spec.format === 'date-time' &&
				!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/.test(value)
			) {
				fail(name, 'rest_invalid_date', 'Invalid date.');
				continue;
			}
			result[name] = value;
		} else {
			// wp_parse_list(): arrays as given, strings split on commas and spaces.
			const list = Array.isArray(raw)
				? raw.map(String)
				: String(raw)
						.split(/[\s,]+/)
						.filter((item) => item !== '');
			const bad = spec.enum ? list.find((item) => !spec.enum!.includes(item)) : undefined;
			if (bad !== undefined) {
				fail(name, 'rest_not_in_enum', `${name}[${list.indexOf(bad)}] is not one of ${enumText(spec.enum!)}.`);
				continue;
			}
			if (spec.items === 'integer' && list.some((item) => !/^\d+$/.test(item))) {
				fail(name, 'rest_invalid_type', `${name}[0] is not of type integer.`);
				continue;
			}
			result[name] = spec.items === 'integer' ? list.map(Number) : list;
		}
	}
	if (Object.keys(invalid).length > 0) {
		throw new RestFailure(400, 'rest_invalid_param', `Invalid parameter(s): ${Object.keys(invalid).join(', ')}`, {
			params: invalid,
			details,
		});
	}
	return result;
}

// ---------------------------------------------------------------------------------------------------------------
// PHP request parsing and WooCommerce's OAuth 1.0a check (class-wc-rest-authentication.php), written apart from
// credentials/wooCommerceOAuth1.ts on purpose so the emulator checks the credential rather than mirroring it.
// PHP strings are bytes: here they are JS strings with one character per byte (Buffer 'latin1').
// ---------------------------------------------------------------------------------------------------------------

type PhpVar = string | PhpHash;

/** A PHP array: ordered, canonical integer strings are integer keys (zend_symtable_*). */
class PhpHash {
	readonly entries = new Map<string, PhpVar>();
	private nextFree = 0;

	static isIntegerKey(key: string): boolean {
		return /^(0|-?[1-9]\d{0,17})$/.test(key);
	}

	get size(): number {
		return this.entries.size;
	}

	get(key: string): PhpVar | undefined {
		return this.entries.get(key);
	}

	set(key: string, value: PhpVar): void {
		if (PhpHash.isIntegerKey(key) && Number(key) >= this.nextFree) this.nextFree = Number(key) + 1;
		this.entries.set(key, value);
	}

	/** `$array[] = $value` (zend_hash_next_index_insert). */
	append(value: PhpVar): void {
		this.set(String(this.nextFree), value);
	}
}

function utf8Bytes(text: string): string {
	return Buffer.from(text, 'utf8').toString('latin1');
}

/** php_url_decode(): `+` → space, %XX → byte. */
function phpUrlDecode(text: string): string {
	return text.replace(/%[0-9a-fA-F]{2}|\+/g, (match) =>
		match === '+' ? ' ' : String.fromCharCode(parseInt(match.slice(1), 16)),
	);
}

/** rawurldecode(): %XX → byte only. */
function phpRawUrlDecode(text: string): string {
	return text.replace(/%[0-9a-fA-F]{2}/g, (match) => String.fromCharCode(parseInt(match.slice(1), 16)));
}

/** rawurlencode() of bytes (PHP ≥ 5.3 keeps `~`). */
function phpRawUrlEncode(bytes: string): string {
	return Array.from(bytes, (ch) =>
		/^[A-Za-z0-9_.~-]$/.test(ch) ? ch : `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
	).join('');
}

/** php_register_variable_ex(): files `name=value` into `$_GET`/`$_POST`, nesting on `[…]`. */
function phpRegisterVariable(symtable: PhpHash, rawName: string, value: string): void {
	let varName = rawName;
	while (varName.startsWith(' ')) varName = varName.slice(1); // leading spaces are ignored
	if (varName.includes('\0')) varName = varName.slice(0, varName.indexOf('\0')); // C string
	const chars = Array.from(varName);
	let p = 0;
	let isArray = false;
	for (; p < chars.length; p++) {
		if (chars[p] === ' ' || chars[p] === '.') {
			chars[p] = '_';
		} else if (chars[p] === '[') {
			isArray = true;
			break;
		}
	}
	if (p === 0) return; // empty variable name
	let table = symtable;
	let index: string | null = chars.slice(0, p).join('');
	if (isArray) {
		let ip = p;
		for (let level = 1; ; level++) {
			ip++;
			const indexStart = ip;
			if (chars[ip] === ' ') ip++;
			let newIndex: string | null = null;
			if (chars[ip] !== ']') {
				const close = chars.indexOf(']', ip);
				if (close < 0) {
					// Not an index: at the first level `[` and later ' ', '.', '[' become '_' in the plain name;
					// deeper, the value goes to the current index.
					if (level === 1) {
						const rest = chars.slice(indexStart).map((ch) => (ch === ' ' || ch === '.' || ch === '[' ? '_' : ch));
						index = `${chars.slice(0, indexStart - 1).join('')}_${rest.join('')}`;
					}
					break;
				}
				newIndex = chars.slice(indexStart, close).join('');
				ip = close;
			}
			let child: PhpHash;
			if (index === null) {
				child = new PhpHash();
				table.append(child);
			} else {
				const existing = table.get(index);
				child = existing instanceof PhpHash ? existing : new PhpHash();
				if (!(existing instanceof PhpHash)) table.set(index, child);
			}
			table = child;
			index = newIndex;
			ip++;
			if (chars[ip] !== '[') break;
		}
	}
	if (index === null) table.append(value);
	else table.set(index, value);
}

/** php_default_treat_data(): `&`-separated pairs, both sides url-decoded, empty pieces skipped. */
function phpTreatData(data: string): PhpHash {
	const result = new PhpHash();
	for (const piece of data.split('&')) {
		if (piece === '') continue;
		const equals = piece.indexOf('=');
		if (equals < 0) phpRegisterVariable(result, phpUrlDecode(piece), '');
		else phpRegisterVariable(result, phpUrlDecode(piece.slice(0, equals)), phpUrlDecode(piece.slice(equals + 1)));
	}
	return result;
}

/** array_merge(): string keys of later arrays overwrite, integer keys are renumbered from 0. */
function phpArrayMerge(...arrays: PhpHash[]): PhpHash {
	const result = new PhpHash();
	for (const array of arrays) {
		for (const [key, value] of array.entries) {
			if (PhpHash.isIntegerKey(key)) result.append(value);
			else result.set(key, value);
		}
	}
	return result;
}

/** empty(): unset, '', '0' or an empty array. */
function phpEmpty(value: PhpVar | undefined): boolean {
	return value === undefined || value === '' || value === '0' || (value instanceof PhpHash && value.size === 0);
}

/** PHP 8 `$string <=> $int`: numerically for numeric strings, else as strings. */
function phpCompare(value: string, other: number): number {
	if (/^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$/.test(value)) {
		return Math.sign(Number(value.trim()) - other);
	}
	const text = String(other);
	return value === text ? 0 : value < text ? -1 : 1;
}

function phpHashEquals(known: string, user: string): boolean {
	const left = Buffer.from(known, 'latin1');
	const right = Buffer.from(user, 'latin1');
	return left.length === right.length && timingSafeEqual(left, right);
}

/** wc_rest_urlencode_rfc3986() (current: str_replace( ['+', '%7E'], [' ', '~'], rawurlencode( $value ) )). */
function wcRestUrlencodeRfc3986(value: string): string {
	return phpRawUrlEncode(value).replace(/\+/g, ' ').replace(/%7E/g, '~');
}

/** array_map( 'wc_rest_urlencode_rfc3986', … ) on a value: leaves encoded, nested keys kept. */
function phpMapDeep(value: PhpVar): PhpVar {
	if (typeof value === 'string') return wcRestUrlencodeRfc3986(value);
	const mapped = new PhpHash();
	for (const [key, item] of value.entries) mapped.set(key, phpMapDeep(item));
	return mapped;
}

/** WC_REST_Authentication::join_with_equals_sign(). */
function wcJoinWithEqualsSign(params: PhpHash, queryParams: string[], key: string): string[] {
	for (const [entryKey, paramValue] of params.entries) {
		let paramKey = entryKey;
		// `if ( $key )`: '' and '0' are false in PHP.
		if (key !== '' && key !== '0') paramKey = `${key}%5B${paramKey}%5D`;
		if (paramValue instanceof PhpHash) queryParams = wcJoinWithEqualsSign(paramValue, queryParams, paramKey);
		else queryParams.push(wcRestUrlencodeRfc3986(`${paramKey}=${paramValue}`));
	}
	return queryParams;
}

/** WC_REST_Authentication::parse_header(): `OAuth k="v", …` (the regex is WooCommerce's, typo included). */
function wcParseOAuthHeader(header: string): PhpHash {
	const params = new PhpHash();
	if (!header.startsWith('OAuth ')) return params;
	for (const match of header.matchAll(/(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))/g)) {
		const quoted = match[3] ?? '';
		params.set(match[1], phpUrlDecode(phpEmpty(quoted) ? match[4] ?? '' : quoted));
	}
	return params;
}

/** PHP_AUTH_USER / PHP_AUTH_PW, which PHP sets from `Authorization: Basic` when it has a colon. */
function phpAuthUser(req: http.IncomingMessage): { user: string; password: string } | undefined {
	const authorization = String(req.headers.authorization ?? '');
	if (!/^basic /i.test(authorization)) return undefined;
	const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('latin1');
	const separator = decoded.indexOf(':');
	if (separator < 0) return undefined;
	return { user: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
}

function invalidSignature(): RestFailure {
	return new RestFailure(
		401,
		'woocommerce_rest_authentication_error',
		'Invalid signature - provided signature does not match.',
	);
}

function requireUser(ctx: RequestContext, code: string, message: string): void {
	// rest_authorization_required_code(): 401 when nobody is logged in.
	if (!ctx.authenticated) throw new RestFailure(401, code, message);
}

function isValidWebhookTopic(topic: string): boolean {
	// wc_is_webhook_valid_topic()
	const forbidden = [
		'action.woocommerce_login_credentials',
		'action.woocommerce_product_csv_importer_check_import_file_path',
		'action.woocommerce_webhook_should_deliver',
	];
	if (forbidden.includes(topic)) return false;
	if (topic.startsWith('action.woocommerce_') || topic.startsWith('action.wc_')) return true;
	const [resource, event] = topic.split('.');
	return (
		['coupon', 'customer', 'order', 'product'].includes(resource) &&
		['created', 'updated', 'deleted', 'restored'].includes(event ?? '')
	);
}

function isValidDeliveryUrl(url: string): boolean {
	// wc_is_valid_url(): must start with http:// or https:// and pass FILTER_VALIDATE_URL.
	if (!url.startsWith('http://') && !url.startsWith('https://')) return false;
	try {
		const parsed = new URL(url);
		return parsed.hostname !== '' && !/\s/.test(url);
	} catch {
		return false;
	}
}

/** wp_generate_password( 50, true, true ): the secret WooCommerce picks when none is sent. */
function wpGeneratePassword(length: number): string {
	const chars =
		'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()-_ []{}<>~`+=,.;:/?|';
	const bytes = randomBytes(length);
	return Array.from(bytes, (byte) => chars[byte % chars.length]).join('');
}

interface OutboundResult {
	status: number;
	body: string;
}

function postOnce(
	url: string,
	body: string | Buffer,
	headers: Record<string, string>,
	timeoutMs: number,
): Promise<OutboundResult> {
	return new Promise((resolve) => {
		let target: URL;
		try {
			target = new URL(url);
		} catch {
			resolve({ status: 0, body: 'invalid URL' });
			return;
		}
		const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
		if (target.protocol !== 'http:' && target.protocol !== 'https:') {
			resolve({ status: 0, body: `unsupported protocol ${target.protocol}` });
			return;
		}
		const request = (target.protocol === 'https:' ? https : http).request(
			target,
			{
				method: 'POST',
				headers: { ...headers, 'Content-Length': String(payload.length), Connection: 'close' },
				timeout: timeoutMs,
			},
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
				);
				response.on('error', (error) => resolve({ status: 0, body: error.message }));
			},
		);
		request.on('timeout', () => request.destroy(new Error('timeout')));
		// A transport error is a WP_Error; intval() turns its code into 0 (a failure).
		request.on('error', (error) => resolve({ status: 0, body: error.message }));
		request.end(payload);
	});
}

// ---------------------------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------------------------

export class WooCommerceEmulator {
	readonly url: string;
	readonly consumerKey: string;
	readonly consumerSecret: string;
	keyPermissions: 'read' | 'write' | 'read_write';
	/** `is_ssl()` of the emulated store; may be changed between requests. */
	ssl: boolean;
	webhooks: WooWebhook[] = [];
	orders: WooOrderRecord[] = [];
	calls: WooCall[] = [];
	/** Deliveries and pings sent by the emulator, oldest first. */
	outbound: WooOutboundRecord[] = [];

	private nextWebhookId = 1;
	private nextOrderId = 728;
	private nextItemId = 400;
	private lastOrderTime = 0;
	/** The API key's `nonces` column: used OAuth nonces keyed by their oauth_timestamp. */
	private usedNonces = new Map<string, string>();

	private constructor(
		private readonly server: http.Server,
		port: number,
		options: WooEmulatorOptions,
	) {
		this.url = `http://127.0.0.1:${port}`;
		this.consumerKey = options.consumerKey ?? 'ck_test';
		this.consumerSecret = options.consumerSecret ?? 'cs_test';
		this.keyPermissions = options.keyPermissions ?? 'read_write';
		this.ssl = options.ssl ?? false;
	}

	static async start(options: WooEmulatorOptions = {}): Promise<WooCommerceEmulator> {
		let emulator: WooCommerceEmulator | undefined;
		const server = http.createServer((req, res) => {
			void emulator!.handle(req, res);
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
		});
		emulator = new WooCommerceEmulator(server, (server.address() as AddressInfo).port, options);
		return emulator;
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}

	// ----- test controls -------------------------------------------------------------------------------------

	/**
	 * Stores a new order built from the fixture: next id (728, 729, …) unless `overrides.id` is given, number = id,
	 * fresh order key and line-item ids, dates = now (strictly increasing by ≥ 1 s), links pointing at this store.
	 * Does not deliver anything. Returns a copy of the stored order.
	 */
	addOrder(overrides: object = {}): WooOrderRecord {
		const requested = (overrides as Record<string, unknown>).id;
		const id = typeof requested === 'number' ? requested : this.nextOrderId;
		this.nextOrderId = Math.max(this.nextOrderId, id + 1);
		if (this.orders.some((order) => order.id === id)) throw new Error(`order ${id} already exists`);

		const time = Math.max(Date.now(), this.lastOrderTime + 1000);
		this.lastOrderTime = time;
		const created = new Date(time);
		const orderKey = `wc_order_${randomBytes(8).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 13)}`;
		const order = sampleOrder() as WooOrderRecord;
		order.id = id;
		order.number = String(id);
		order.order_key = orderKey;
		for (const field of ['date_created', 'date_modified', 'date_paid']) {
			order[field] = siteLocal(created);
			order[`${field}_gmt`] = formatWooDate(created);
		}
		for (const list of ['line_items', 'tax_lines', 'shipping_lines', 'fee_lines', 'coupon_lines']) {
			for (const item of order[list] as Array<Record<string, unknown>>) item.id = this.nextItemId++;
		}
		order.payment_url = `${this.url}/checkout/order-pay/${id}/?pay_for_order=true&key=${orderKey}`;
		order._links = this.orderLinks(id, order.customer_id as number);
		deepMerge(order, overrides as Record<string, any>);
		this.orders.push(order);
		return JSON.parse(JSON.stringify(order));
	}

	/**
	 * Delivers `order` to every active webhook with `topic` (or only to `options.webhookId`), as WC_Webhook::deliver():
	 * body = trim(wp_json_encode(payload)) (`{"id":N}` for *.deleted), all X-WC-Webhook-* headers, signed with the
	 * webhook secret unless `options.secret` (sign with another secret) or `options.signature` (send this header
	 * verbatim) is given. Counts failures like log_delivery(), then re-pings while the webhook is pending_delivery.
	 */
	async deliver(
		topic: string,
		order: object,
		options: { webhookId?: number; signature?: string; secret?: string } = {},
	): Promise<Array<{ webhookId: number; status: number; body: string }>> {
		const targets = this.webhooks.filter(
			(webhook) =>
				webhook.status === 'active' &&
				webhook.topic === topic &&
				(options.webhookId === undefined || webhook.id === options.webhookId),
		);
		const results: Array<{ webhookId: number; status: number; body: string }> = [];
		for (const webhook of targets) {
			const payload = webhook.event === 'deleted' ? { id: (order as { id?: unknown }).id } : order;
			const body = phpJsonEncode(payload).trim();
			const headers = this.deliveryHeaders(webhook, body, options.secret);
			if (options.signature !== undefined) headers['X-WC-Webhook-Signature'] = options.signature;
			const result = await this.send('delivery', webhook, body, headers, 60_000);
			results.push({ webhookId: webhook.id, status: result.status, body: result.body });
		}
		return results;
	}

	/**
	 * Sends `body` to webhook `webhookId` with the full WooCommerce header set computed over these exact bytes
	 * (signed with the webhook secret); `headers` override them, and a header given as '' is left out.
	 * Counts as a delivery (failure counting, re-ping).
	 */
	async deliverRaw(
		webhookId: number,
		body: string | Buffer,
		headers: Record<string, string> = {},
	): Promise<{ status: number; body: string }> {
		const webhook = this.requireWebhook(webhookId);
		const merged = this.deliveryHeaders(webhook, body);
		for (const [name, value] of Object.entries(headers)) {
			const existing = Object.keys(merged).find((key) => key.toLowerCase() === name.toLowerCase());
			if (existing) delete merged[existing];
			if (value !== '') merged[name] = value;
		}
		return await this.send('delivery', webhook, body, merged, 60_000);
	}

	/** WC_Webhook::deliver_ping(): unsigned `webhook_id=N`, no X-WC headers; only exactly 200 clears pending_delivery. */
	async ping(webhookId: number): Promise<{ status: number; body: string }> {
		return await this.sendPing(this.requireWebhook(webhookId));
	}

	// ----- outbound ------------------------------------------------------------------------------------------

	private requireWebhook(webhookId: number): WooWebhook {
		const webhook = this.webhooks.find((candidate) => candidate.id === webhookId);
		if (!webhook) throw new Error(`no webhook ${webhookId} in the emulator`);
		return webhook;
	}

	private deliveryHeaders(webhook: WooWebhook, body: string | Buffer, secret?: string): Record<string, string> {
		// X-WC-Webhook-Delivery-ID = wp_hash( id . strtotime('now') ): an HMAC-MD5 of id and whole seconds.
		const deliveryId = createHmac('md5', 'emulator-salt')
			.update(`${webhook.id}${Math.floor(Date.now() / 1000)}`)
			.digest('hex');
		return {
			'User-Agent': USER_AGENT,
			'Content-Type': 'application/json',
			'X-WC-Webhook-Source': `${this.url}/`,
			'X-WC-Webhook-Topic': webhook.topic,
			'X-WC-Webhook-Resource': webhook.resource,
			'X-WC-Webhook-Event': webhook.event,
			'X-WC-Webhook-Signature': wcSignature(body, wpSpecialcharsDecode(secret ?? webhook.secret)),
			'X-WC-Webhook-ID': String(webhook.id),
			'X-WC-Webhook-Delivery-ID': deliveryId,
		};
	}

	private async send(
		kind: 'delivery',
		webhook: WooWebhook,
		body: string | Buffer,
		headers: Record<string, string>,
		timeoutMs: number,
	): Promise<OutboundResult> {
		// redirection => 0: a 301/302 is not followed (and still counts as success).
		const result = await postOnce(webhook.delivery_url, body, headers, timeoutMs);
		this.outbound.push({
			kind,
			webhookId: webhook.id,
			url: webhook.delivery_url,
			headers,
			body: body.toString(),
			status: result.status,
			responseBody: result.body,
		});
		this.logDelivery(webhook, result.status);
		// log_delivery() saves the webhook; the data store pings again while it is still pending_delivery.
		await this.afterSave(webhook, false);
		return result;
	}

	/** WC_Webhook::log_delivery() / failed_delivery(): 200–302 resets; the 7th consecutive failure disables. */
	private logDelivery(webhook: WooWebhook, status: number): void {
		if (status >= 200 && status < 303) {
			webhook.failure_count = 0;
			return;
		}
		// woocommerce_max_webhook_delivery_failures defaults to 5; "more than 5" previous failures disables.
		if (webhook.failure_count > 5) {
			webhook.status = 'disabled';
		} else {
			webhook.failure_count += 1;
		}
	}

	private async sendPing(webhook: WooWebhook): Promise<OutboundResult> {
		const body = `webhook_id=${webhook.id}`;
		// wp_safe_remote_post() with only a user-agent: WordPress sends a string body form-encoded, 5 s timeout.
		const headers = { 'User-Agent': USER_AGENT, 'Content-Type': 'application/x-www-form-urlencoded' };
		const result = await postOnce(webhook.delivery_url, body, headers, 5_000);
		this.outbound.push({
			kind: 'ping',
			webhookId: webhook.id,
			url: webhook.delivery_url,
			headers,
			body,
			status: result.status,
			responseBody: result.body,
		});
		if (result.status === 200) webhook.pending_delivery = false;
		return result;
	}

	/** WC_Webhook_Data_Store::update(): an active webhook pings when its URL changed or while pending_delivery. */
	private async afterSave(webhook: WooWebhook, deliveryUrlChanged: boolean): Promise<void> {
		if (webhook.status === 'active' && (deliveryUrlChanged || webhook.pending_delivery)) {
			await this.sendPing(webhook);
		}
	}

	// ----- inbound REST --------------------------------------------------------------------------------------

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://emulator.invalid');
		const method = (req.method ?? 'GET').toUpperCase();
		const query: Record<string, string> = {};
		for (const [key, value] of url.searchParams) query[key] = value;
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);

		let reply: Reply;
		try {
			reply = await this.route(req, url, method, rawBody);
		} catch (error) {
			if (error instanceof RestFailure) {
				reply = { status: error.status, body: error.toBody(), headers: error.headers };
			} else {
				reply = {
					status: 500,
					body: { code: 'internal_server_error', message: String(error), data: { status: 500 } },
				};
			}
		}
		this.calls.push({ method, path: url.pathname, query, status: reply.status });
		const body = typeof reply.body === 'string' ? reply.body : phpJsonEncode(reply.body);
		res.writeHead(reply.status, {
			'Content-Type':
				typeof reply.body === 'string' ? 'text/html; charset=UTF-8' : 'application/json; charset=UTF-8',
			'X-Robots-Tag': 'noindex',
			...(reply.headers ?? {}),
		});
		res.end(body);
	}

	private route(req: http.IncomingMessage, url: URL, method: string, rawBody: Buffer): Reply | Promise<Reply> {
		// Pretty permalinks (/wp-json/…) or plain permalinks (?rest_route=/…).
		let route: string | null = null;
		if (url.pathname === '/wp-json' || url.pathname.startsWith('/wp-json/')) {
			route = url.pathname.slice('/wp-json'.length) || '/';
		} else if (url.searchParams.has('rest_route')) {
			route = url.searchParams.get('rest_route') ?? '/';
		}
		if (route === null) {
			return { status: 404, body: '<!DOCTYPE html><html><body><h1>Page not found</h1></body></html>' };
		}
		route = route.length > 1 ? route.replace(/\/+$/, '') : route;

		const params = this.requestParams(req, url, rawBody);
		const isWcRoute = route.startsWith('/wc/') || route.startsWith('/wc-');
		const authenticated = isWcRoute ? this.authenticate(req, method, rawBody) : false;

		if (authenticated) {
			// WC_REST_Authentication::check_user_permissions() on rest_pre_dispatch.
			const needs = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
			if (this.keyPermissions !== 'read_write' && this.keyPermissions !== needs) {
				throw new RestFailure(
					401,
					'woocommerce_rest_authentication_error',
					`The API key provided does not have ${needs} permissions.`,
				);
			}
		}

		const routes: Array<{ pattern: RegExp; handlers: Record<string, (ctx: RequestContext) => Reply | Promise<Reply>> }> =
			[
				{
					pattern: /^\/wc\/v3\/webhooks$/,
					handlers: { GET: (ctx) => this.listWebhooks(ctx), POST: (ctx) => this.createWebhook(ctx) },
				},
				{
					pattern: /^\/wc\/v3\/webhooks\/(\d+)$/,
					handlers: {
						GET: (ctx) => this.getWebhook(ctx),
						POST: (ctx) => this.updateWebhook(ctx),
						PUT: (ctx) => this.updateWebhook(ctx),
						PATCH: (ctx) => this.updateWebhook(ctx),
						DELETE: (ctx) => this.deleteWebhook(ctx),
					},
				},
				{ pattern: /^\/wc\/v3\/orders$/, handlers: { GET: (ctx) => this.listOrders(ctx) } },
				{ pattern: /^\/wc\/v3\/orders\/(\d+)$/, handlers: { GET: (ctx) => this.getOrder(ctx) } },
			];
		for (const candidate of routes) {
			const match = candidate.pattern.exec(route);
			const handler = match ? candidate.handlers[method === 'HEAD' ? 'GET' : method] : undefined;
			if (match && handler) return handler({ method, route, match, params, authenticated });
		}
		throw new RestFailure(404, 'rest_no_route', 'No route was found matching the URL and request method.');
	}

	/** Query, then form or JSON body on top (WP_REST_Request::get_param order: JSON, POST, GET). */
	private requestParams(req: http.IncomingMessage, url: URL, rawBody: Buffer): Record<string, unknown> {
		const params: Record<string, unknown> = {};
		for (const key of new Set(url.searchParams.keys())) {
			if (key === 'rest_route') continue;
			if (key.endsWith('[]')) params[key.slice(0, -2)] = url.searchParams.getAll(key);
			else params[key] = url.searchParams.get(key);
		}
		const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
		if (rawBody.length > 0 && contentType === 'application/json') {
			let parsed: unknown;
			try {
				parsed = JSON.parse(rawBody.toString('utf8'));
			} catch {
				throw new RestFailure(400, 'rest_invalid_json', 'Invalid JSON body passed.', {
					json_error_code: 4,
					json_error_message: 'Syntax error',
				});
			}
			if (isPlainObject(parsed)) Object.assign(params, parsed);
		} else if (rawBody.length > 0 && contentType === 'application/x-www-form-urlencoded') {
			for (const [key, value] of new URLSearchParams(rawBody.toString('utf8'))) params[key] = value;
		}
		return params;
	}

	/**
	 * WC_REST_Authentication::authenticate() plus its rest_authentication_errors filters: Basic auth (query keys first)
	 * only when is_ssl(), then OAuth 1.0a. An error either records (set_error) fails the request even if the other
	 * then finds the user; no error and no user leaves the request unauthenticated, for the route to refuse.
	 *
	 * send_unauthorized_headers() would add `WWW-Authenticate: Basic realm="WooCommerce API…"` only while auth_method
	 * is 'basic_auth', but a failed Basic attempt always goes on to perform_oauth_authentication(), which sets 'oauth1'
	 * — so WooCommerce never sends that header, and neither does the emulator.
	 */
	private authenticate(req: http.IncomingMessage, method: string, rawBody: Buffer): boolean {
		const rawUrl = req.url ?? '/';
		const queryStart = rawUrl.indexOf('?');
		const query = queryStart < 0 ? '' : rawUrl.slice(queryStart + 1).split('#')[0];
		const get = phpTreatData(query);
		const basicUser = phpAuthUser(req);
		let error: RestFailure | undefined;
		if (this.ssl) {
			const basic = this.performBasicAuthentication(get, basicUser);
			if (basic === true) return true;
			if (basic instanceof RestFailure) error = basic;
		}
		const oauth = this.performOAuthAuthentication(req, method, rawUrl, get, rawBody);
		if (oauth instanceof RestFailure) error = oauth;
		if (error) throw error;
		if (oauth === true) return true;
		if (this.ssl && basicUser) {
			// Nobody authenticated, so WordPress core tries the Basic credentials as an application password for a
			// user named like the key (wp_authenticate_application_password(); only available when is_ssl()).
			throw new RestFailure(401, 'invalid_username', 'Unknown username. Check again or try your email address.');
		}
		return false;
	}

	/**
	 * perform_basic_authentication(): `$_GET['consumer_key']`/`['consumer_secret']` first, then PHP_AUTH_USER/PW.
	 * An unknown key is no error (false); a known key with a wrong secret is.
	 */
	private performBasicAuthentication(
		get: PhpHash,
		basicUser: { user: string; password: string } | undefined,
	): true | false | RestFailure {
		let key: PhpVar | undefined;
		let secret: PhpVar | undefined;
		if (!phpEmpty(get.get('consumer_key')) && !phpEmpty(get.get('consumer_secret'))) {
			key = get.get('consumer_key');
			secret = get.get('consumer_secret');
		}
		if (phpEmpty(key) && basicUser && !phpEmpty(basicUser.user) && !phpEmpty(basicUser.password)) {
			key = basicUser.user;
			secret = basicUser.password;
		}
		if (typeof key !== 'string' || typeof secret !== 'string' || phpEmpty(key) || phpEmpty(secret)) return false;
		if (!this.isConsumerKey(key)) return false;
		if (!phpHashEquals(utf8Bytes(this.consumerSecret), secret)) {
			return new RestFailure(401, 'woocommerce_rest_authentication_error', 'Consumer secret is invalid.');
		}
		return true;
	}

	/** get_user_data_by_consumer_key(): looks the key up by wc_api_hash( sanitize_text_field( $key ) ). */
	private isConsumerKey(key: PhpVar | undefined): boolean {
		return typeof key === 'string' && key.trim() === utf8Bytes(this.consumerKey);
	}

	/**
	 * perform_oauth_authentication(): get_oauth_parameters() (`$_GET` + `$_POST` + an `Authorization: OAuth` header),
	 * the key, check_oauth_signature(), then check_oauth_timestamp_and_nonce(). No OAuth parameter at all → false.
	 */
	private performOAuthAuthentication(
		req: http.IncomingMessage,
		method: string,
		rawUrl: string,
		get: PhpHash,
		rawBody: Buffer,
	): boolean | RestFailure {
		// PHP fills $_POST only for POST requests with a form body.
		const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
		const post =
			method === 'POST' && contentType === 'application/x-www-form-urlencoded'
				? phpTreatData(rawBody.toString('latin1'))
				: new PhpHash();
		let params = phpArrayMerge(get, post);
		const headerParams = wcParseOAuthHeader(String(req.headers.authorization ?? '').trim());
		if (headerParams.size > 0) params = phpArrayMerge(params, headerParams);

		const required = [
			'oauth_consumer_key',
			'oauth_timestamp',
			'oauth_nonce',
			'oauth_signature',
			'oauth_signature_method',
		];
		const missing = required.filter((name) => phpEmpty(params.get(name)));
		if (missing.length === required.length) return false;
		if (missing.length > 0) {
			return new RestFailure(
				401,
				'woocommerce_rest_authentication_missing_parameter',
				`Missing OAuth parameter${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
			);
		}
		if (!this.isConsumerKey(params.get('oauth_consumer_key'))) {
			return new RestFailure(401, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.');
		}
		const signatureError = this.checkOAuthSignature(method, rawUrl, params);
		if (signatureError) return signatureError;
		return this.checkOAuthTimestampAndNonce(params.get('oauth_timestamp')!, params.get('oauth_nonce')!) ?? true;
	}

	/** check_oauth_signature(), base URI from the home URL (this.url) and the raw request path. */
	private checkOAuthSignature(method: string, rawUrl: string, params: PhpHash): RestFailure | undefined {
		let requestPath = rawUrl.split(/[?#]/)[0];
		// $wp_base = get_home_url( null, '/', 'relative' ): '/' for a site at the domain root.
		if (requestPath.startsWith('/')) requestPath = requestPath.slice(1);
		const home = this.ssl ? this.url.replace(/^http:/, 'https:') : this.url;
		const baseUri = requestPath !== '' ? `${home}/${requestPath.replace(/^\/+/, '')}` : home;

		const provided = params.get('oauth_signature');
		if (typeof provided !== 'string') return invalidSignature();
		const consumerSignature = phpRawUrlDecode(provided.replace(/ /g, '+'));
		const signed = new PhpHash();
		const keys = [...params.entries.keys()].filter((key) => key !== 'oauth_signature');
		keys.sort((left, right) => (left === right ? 0 : left < right ? -1 : 1)); // uksort( $params, 'strcmp' )
		for (const key of keys) signed.set(key, params.get(key)!);
		// normalize_parameters(): keys and (deep) values through wc_rest_urlencode_rfc3986().
		const normalized = new PhpHash();
		for (const [key, value] of signed.entries) normalized.set(wcRestUrlencodeRfc3986(key), phpMapDeep(value));
		const queryString = wcJoinWithEqualsSign(normalized, [], '').join('%26');
		const stringToSign = `${method}&${phpRawUrlEncode(baseUri)}&${queryString}`;

		const signatureMethod = normalized.get('oauth_signature_method');
		if (signatureMethod !== 'HMAC-SHA1' && signatureMethod !== 'HMAC-SHA256') {
			return new RestFailure(
				401,
				'woocommerce_rest_authentication_error',
				'Invalid signature - signature method is invalid.',
			);
		}
		const signature = createHmac(
			signatureMethod === 'HMAC-SHA1' ? 'sha1' : 'sha256',
			Buffer.from(`${utf8Bytes(this.consumerSecret)}&`, 'latin1'),
		)
			.update(Buffer.from(stringToSign, 'latin1'))
			.digest('base64');
		return phpHashEquals(signature, consumerSignature) ? undefined : invalidSignature();
	}

	/**
	 * check_oauth_timestamp_and_nonce(): ±15 min around time(); the key's used nonces are stored keyed by their
	 * timestamp (so a second request in the same second replaces the first one's nonce, as in WooCommerce).
	 */
	private checkOAuthTimestampAndNonce(timestamp: PhpVar, nonce: PhpVar): RestFailure | undefined {
		const validWindow = 15 * 60;
		const now = Math.floor(Date.now() / 1000);
		if (
			typeof timestamp !== 'string' ||
			phpCompare(timestamp, now - validWindow) < 0 ||
			phpCompare(timestamp, now + validWindow) > 0
		) {
			return new RestFailure(401, 'woocommerce_rest_authentication_error', 'Invalid timestamp.');
		}
		if (typeof nonce !== 'string' || [...this.usedNonces.values()].includes(nonce)) {
			return new RestFailure(
				401,
				'woocommerce_rest_authentication_error',
				'Invalid nonce - nonce has already been used.',
			);
		}
		this.usedNonces.set(timestamp, nonce);
		for (const nonceTimestamp of [...this.usedNonces.keys()]) {
			if (phpCompare(nonceTimestamp, now - validWindow) < 0) this.usedNonces.delete(nonceTimestamp);
		}
		return undefined;
	}

	// ----- webhooks ------------------------------------------------------------------------------------------

	private webhookResponse(webhook: WooWebhook): Record<string, unknown> {
		// WC_REST_Webhooks_V2_Controller::prepare_item_for_response(): never the secret, no api_version.
		return {
			id: webhook.id,
			name: webhook.name,
			status: webhook.status,
			topic: webhook.topic,
			resource: webhook.resource,
			event: webhook.event,
			hooks: webhook.hooks,
			delivery_url: webhook.delivery_url,
			date_created: webhook.date_created,
			date_created_gmt: webhook.date_created_gmt,
			date_modified: webhook.date_modified,
			date_modified_gmt: webhook.date_modified_gmt,
			_links: {
				self: [{ href: `${this.url}/wp-json/wc/v3/webhooks/${webhook.id}` }],
				collection: [{ href: `${this.url}/wp-json/wc/v3/webhooks` }],
			},
		};
	}

	private listWebhooks(ctx: RequestContext): Reply {
		const args = validateParams(ctx.params, {
			page: { type: 'integer', minimum: 1, default: 1 },
			per_page: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
			offset: { type: 'integer', minimum: 0 },
			status: { type: 'string', enum: ['all', 'active', 'paused', 'disabled'], default: 'all' },
			order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
			orderby: { type: 'string', enum: ['date', 'id', 'title'], default: 'date' },
			search: { type: 'string' },
			include: { type: 'array', items: 'integer', default: [] },
			exclude: { type: 'array', items: 'integer', default: [] },
		});
		requireUser(ctx, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
		let items = this.webhooks.filter(
			(webhook) =>
				(args.status === 'all' || webhook.status === args.status) &&
				(args.include.length === 0 || args.include.includes(webhook.id)) &&
				!args.exclude.includes(webhook.id) &&
				(args.search === undefined || webhook.name.toLowerCase().includes(String(args.search).toLowerCase())),
		);
		items = this.sortBy(items, args.orderby === 'title' ? 'name' : args.orderby === 'id' ? 'id' : 'date_created_gmt', args.order);
		return this.paginate(
			items.map((webhook) => this.webhookResponse(webhook)),
			args.page,
			args.per_page,
			args.offset,
			'/wc/v3/webhooks',
			ctx.params,
		);
	}

	private async createWebhook(ctx: RequestContext): Promise<Reply> {
		const args = validateParams(
			ctx.params,
			{
				topic: { type: 'string' },
				delivery_url: { type: 'string' },
				name: { type: 'string' },
				secret: { type: 'string' },
				status: { type: 'string', enum: ['active', 'paused', 'disabled'] },
			},
			['topic', 'delivery_url'],
		);
		requireUser(ctx, 'woocommerce_rest_cannot_create', 'Sorry, you are not allowed to create resources.');
		if (ctx.params.id !== undefined && ctx.params.id !== '' && ctx.params.id !== 0) {
			throw new RestFailure(400, 'woocommerce_rest_shop_webhook_exists', 'Cannot create existing shop_webhook.');
		}
		const topic = String(args.topic);
		if (topic === '' || !isValidWebhookTopic(topic.toLowerCase())) {
			throw new RestFailure(
				400,
				'woocommerce_rest_shop_webhook_invalid_topic',
				'Webhook topic is required and must be valid.',
			);
		}
		const deliveryUrl = String(args.delivery_url);
		if (deliveryUrl === '' || !isValidDeliveryUrl(deliveryUrl)) {
			throw new RestFailure(
				400,
				'woocommerce_rest_shop_webhook_invalid_delivery_url',
				'Webhook delivery URL must be a valid URL starting with http:// or https://.',
			);
		}
		const now = new Date();
		const [resource, event] = topic.split('.');
		const webhook: WooWebhook = {
			id: this.nextWebhookId++,
			name:
				typeof args.name === 'string' && args.name !== ''
					? args.name
					: `Webhook created on ${now.toLocaleString('en-US', { month: 'short', day: '2-digit', year: 'numeric' })} @ ${now.toLocaleString('en-US', { hour: '2-digit', minute: '2-digit', hour12: true })}`,
			// prepare_item_for_database() sets post_status 'publish' → active; the `status` sent is ignored.
			status: 'active',
			topic,
			resource: topic.startsWith('action.') ? 'action' : resource,
			event: topic.startsWith('action.') ? topic.slice('action.'.length) : event,
			hooks: TOPIC_HOOKS[topic] ?? (topic.startsWith('action.') ? [topic.slice('action.'.length)] : []),
			delivery_url: deliveryUrl,
			secret: typeof args.secret === 'string' && args.secret !== '' ? args.secret : wpGeneratePassword(50),
			api_version: 'wp_api_v3',
			user_id: SITE_USER_ID,
			date_created: siteLocal(now),
			date_created_gmt: formatWooDate(now),
			date_modified: siteLocal(now),
			date_modified_gmt: formatWooDate(now),
			failure_count: 0,
			pending_delivery: true,
		};
		this.webhooks.push(webhook);
		const reply: Reply = {
			status: 201,
			body: this.webhookResponse(webhook),
			headers: { Location: `${this.url}/wp-json/wc/v3/webhooks/${webhook.id}` },
		};
		// create_item() pings after building the 201 response and ignores the result; the call blocks meanwhile.
		await this.sendPing(webhook);
		return reply;
	}

	private getWebhook(ctx: RequestContext): Reply {
		requireUser(ctx, 'woocommerce_rest_cannot_view', 'Sorry, you cannot view this resource.');
		const webhook = this.webhooks.find((candidate) => candidate.id === Number(ctx.match[1]));
		if (Number(ctx.match[1]) === 0) {
			throw new RestFailure(404, 'woocommerce_rest_shop_webhook_invalid_id', 'Invalid ID.');
		}
		// get_item() → prepare_item_for_response() returns this 400 for an unknown id (the 404 is only for id 0).
		if (!webhook) throw new RestFailure(400, 'woocommerce_rest_shop_webhook_invalid_id', 'ID is invalid.');
		return { status: 200, body: this.webhookResponse(webhook) };
	}

	private async updateWebhook(ctx: RequestContext): Promise<Reply> {
		const args = validateParams(ctx.params, {
			topic: { type: 'string' },
			delivery_url: { type: 'string' },
			name: { type: 'string' },
			secret: { type: 'string' },
			status: { type: 'string', enum: ['active', 'paused', 'disabled'] },
		});
		requireUser(ctx, 'woocommerce_rest_cannot_edit', 'Sorry, you are not allowed to edit this resource.');
		const webhook = this.webhooks.find((candidate) => candidate.id === Number(ctx.match[1]));
		if (!webhook) throw new RestFailure(400, 'woocommerce_rest_shop_webhook_invalid_id', 'ID is invalid.');
		let topic = webhook.topic;
		if (args.topic) {
			if (!isValidWebhookTopic(String(args.topic).toLowerCase())) {
				throw new RestFailure(400, 'woocommerce_rest_shop_webhook_invalid_topic', 'Webhook topic must be valid.');
			}
			topic = String(args.topic);
		}
		let deliveryUrl = webhook.delivery_url;
		if (args.delivery_url) {
			if (!isValidDeliveryUrl(String(args.delivery_url))) {
				throw new RestFailure(
					400,
					'woocommerce_rest_shop_webhook_invalid_delivery_url',
					'Webhook delivery URL must be a valid URL starting with http:// or https://.',
				);
			}
			deliveryUrl = String(args.delivery_url);
		}
		const urlChanged = deliveryUrl !== webhook.delivery_url;
		if (topic !== webhook.topic) {
			const [resource, event] = topic.split('.');
			webhook.topic = topic;
			webhook.resource = resource;
			webhook.event = event;
			webhook.hooks = TOPIC_HOOKS[topic] ?? [];
		}
		webhook.delivery_url = deliveryUrl;
		if (args.secret) webhook.secret = String(args.secret);
		// Re-activating does not reset failure_count (neither update_item nor the admin save touches it).
		if (args.status) webhook.status = args.status as WooWebhookStatus;
		if (args.name) webhook.name = String(args.name);
		const now = new Date();
		webhook.date_modified = siteLocal(now);
		webhook.date_modified_gmt = formatWooDate(now);
		await this.afterSave(webhook, urlChanged);
		return { status: 200, body: this.webhookResponse(webhook) };
	}

	private deleteWebhook(ctx: RequestContext): Reply {
		const args = validateParams(ctx.params, { force: { type: 'boolean', default: false } });
		requireUser(ctx, 'woocommerce_rest_cannot_delete', 'Sorry, you are not allowed to delete this resource.');
		if (!args.force) {
			throw new RestFailure(501, 'woocommerce_rest_trash_not_supported', 'Webhooks do not support trashing.');
		}
		const index = this.webhooks.findIndex((candidate) => candidate.id === Number(ctx.match[1]));
		if (index < 0) throw new RestFailure(404, 'woocommerce_rest_shop_webhook_invalid_id', 'Invalid ID.');
		const [webhook] = this.webhooks.splice(index, 1);
		return { status: 200, body: this.webhookResponse(webhook) };
	}

	// ----- orders --------------------------------------------------------------------------------------------

	private orderLinks(id: number, customerId: number): Record<string, unknown> {
		const links: Record<string, unknown> = {
			self: [
				{
					href: `${this.url}/wp-json/wc/v3/orders/${id}`,
					targetHints: { allow: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
				},
			],
			collection: [{ href: `${this.url}/wp-json/wc/v3/orders` }],
		};
		if (customerId) links.customer = [{ href: `${this.url}/wp-json/wc/v3/customers/${customerId}` }];
		return links;
	}

	private listOrders(ctx: RequestContext): Reply {
		const args = validateParams(ctx.params, {
			page: { type: 'integer', minimum: 1, default: 1 },
			per_page: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
			offset: { type: 'integer', minimum: 0 },
			order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
			orderby: { type: 'string', enum: ['date', 'id', 'include', 'title', 'slug', 'modified'], default: 'date' },
			status: { type: 'array', enum: ORDER_STATUS_ENUM, default: ['any'] },
			after: { type: 'string', format: 'date-time' },
			before: { type: 'string', format: 'date-time' },
			modified_after: { type: 'string', format: 'date-time' },
			modified_before: { type: 'string', format: 'date-time' },
			dates_are_gmt: { type: 'boolean', default: false },
			include: { type: 'array', items: 'integer', default: [] },
			exclude: { type: 'array', items: 'integer', default: [] },
			customer: { type: 'integer', minimum: 0 },
		});
		requireUser(ctx, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
		const statuses: string[] = args.status;
		const gmt = args.dates_are_gmt === true;
		// Simplification: an offset in the date parameter is ignored; the wall-clock time is compared with the
		// site-local column, or the *_gmt column when dates_are_gmt=true. WP date_query after/before is exclusive.
		const wallClock = (value: string) => value.replace(' ', 'T').slice(0, 19);
		const created = (order: WooOrderRecord) => (gmt ? order.date_created_gmt : order.date_created);
		const modified = (order: WooOrderRecord) => (gmt ? order.date_modified_gmt : order.date_modified);
		const items = this.orders.filter((order) => {
			const statusOk = statuses.includes('any')
				? // `any` = post statuses not excluded from search: everything but trash and auto-draft (CPT storage).
					!['trash', 'auto-draft'].includes(order.status) || statuses.includes(order.status)
				: statuses.includes(order.status);
			return (
				statusOk &&
				(args.after === undefined || created(order) > wallClock(args.after)) &&
				(args.before === undefined || created(order) < wallClock(args.before)) &&
				(args.modified_after === undefined || modified(order) > wallClock(args.modified_after)) &&
				(args.modified_before === undefined || modified(order) < wallClock(args.modified_before)) &&
				(args.include.length === 0 || args.include.includes(order.id)) &&
				!args.exclude.includes(order.id) &&
				(args.customer === undefined || order.customer_id === args.customer)
			);
		});
		// date/modified sort appends ID for stable pages (`$args['orderby'] .= ' ID'`); title/slug are not emulated.
		const key = args.orderby === 'id' ? 'id' : args.orderby === 'modified' ? 'date_modified_gmt' : 'date_created_gmt';
		let sorted = this.sortBy(items, key, args.order);
		if (args.orderby === 'include' && args.include.length > 0) {
			sorted = [...items].sort((a, b) => args.include.indexOf(a.id) - args.include.indexOf(b.id));
		}
		return this.paginate(
			sorted.map((order) => JSON.parse(JSON.stringify(order))),
			args.page,
			args.per_page,
			args.offset,
			'/wc/v3/orders',
			ctx.params,
		);
	}

	private getOrder(ctx: RequestContext): Reply {
		requireUser(ctx, 'woocommerce_rest_cannot_view', 'Sorry, you cannot view this resource.');
		const order = this.orders.find((candidate) => candidate.id === Number(ctx.match[1]));
		if (!order) throw new RestFailure(404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');
		return { status: 200, body: order };
	}

	// ----- shared --------------------------------------------------------------------------------------------

	private sortBy<T extends { id: number }>(items: T[], key: string, order: 'asc' | 'desc'): T[] {
		const direction = order === 'asc' ? 1 : -1;
		return [...items].sort((a, b) => {
			const left = (a as Record<string, any>)[key];
			const right = (b as Record<string, any>)[key];
			if (left < right) return -direction;
			if (left > right) return direction;
			return (a.id - b.id) * direction;
		});
	}

	private paginate(
		items: unknown[],
		page: number,
		perPage: number,
		offset: number | undefined,
		route: string,
		params: Record<string, unknown>,
	): Reply {
		const total = items.length;
		const totalPages = Math.ceil(total / perPage);
		const start = offset !== undefined ? offset : (page - 1) * perPage;
		const headers: Record<string, string> = {
			'X-WP-Total': String(total),
			'X-WP-TotalPages': String(totalPages),
		};
		const base = new URL(`${this.url}/wp-json${route}`);
		for (const [key, value] of Object.entries(params)) {
			if (typeof value === 'string' && !['consumer_key', 'consumer_secret'].includes(key)) {
				base.searchParams.set(key, value);
			}
		}
		const links: string[] = [];
		if (page > 1) {
			base.searchParams.set('page', String(Math.min(page - 1, Math.max(totalPages, 1))));
			links.push(`<${base.toString()}>; rel="prev"`);
		}
		if (totalPages > page) {
			base.searchParams.set('page', String(page + 1));
			links.push(`<${base.toString()}>; rel="next"`);
		}
		if (links.length > 0) headers.Link = links.join(', ');
		return { status: 200, body: items.slice(start, start + perPage), headers };
	}
}

// ---------------------------------------------------------------------------------------------------------------
// A stand-in for n8n's httpRequest, for unit tests that run node code against the emulator without n8n
// ---------------------------------------------------------------------------------------------------------------

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
