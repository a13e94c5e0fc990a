/**
 * WooCommerce's API-key authentication (includes/class-wc-rest-authentication.php): Basic auth and query keys over
 * https, OAuth 1.0a one-legged signatures otherwise. Written apart from credentials/wooCommerceOAuth1.ts on
 * purpose, so the emulator checks the credential rather than mirroring it.
 */
import { createHmac } from 'node:crypto';
import type http from 'node:http';

import { RestFailure } from './http';
import {
	phpArrayMerge,
	phpAuthUser,
	phpCompare,
	phpEmpty,
	PhpHash,
	phpHashEquals,
	phpRawUrlDecode,
	phpRawUrlEncode,
	phpTreatData,
	phpUrlDecode,
	utf8Bytes,
	type PhpVar,
} from './php';
import type { WooStore } from './store';

/** wc_rest_urlencode_rfc3986() (current: str_replace( ['+', '%7E'], [' ', '~'], rawurlencode( $value ) )). */
export function wcRestUrlencodeRfc3986(value: string): string {
	return phpRawUrlEncode(value).replace(/\+/g, ' ').replace(/%7E/g, '~');
}

/** array_map( 'wc_rest_urlencode_rfc3986', … ) on a value: leaves encoded, nested keys kept. */
export function phpMapDeep(value: PhpVar): PhpVar {
	if (typeof value === 'string') return wcRestUrlencodeRfc3986(value);
	const mapped = new PhpHash();
	for (const [key, item] of value.entries) mapped.set(key, phpMapDeep(item));
	return mapped;
}

/** WC_REST_Authentication::join_with_equals_sign(). */
export function wcJoinWithEqualsSign(params: PhpHash, queryParams: string[], key: string): string[] {
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
export function wcParseOAuthHeader(header: string): PhpHash {
	const params = new PhpHash();
	if (!header.startsWith('OAuth ')) return params;
	for (const match of header.matchAll(/(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))/g)) {
		const quoted = match[3] ?? '';
		params.set(match[1], phpUrlDecode(phpEmpty(quoted) ? match[4] ?? '' : quoted));
	}
	return params;
}

export function invalidSignature(): RestFailure {
	return new RestFailure(
		401,
		'woocommerce_rest_authentication_error',
		'Invalid signature - provided signature does not match.',
	);
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
export function authenticate(this: WooStore, req: http.IncomingMessage, method: string, rawBody: Buffer): boolean {
	const rawUrl = req.url ?? '/';
	const queryStart = rawUrl.indexOf('?');
	const query = queryStart < 0 ? '' : rawUrl.slice(queryStart + 1).split('#')[0];
	const get = phpTreatData(query);
	const basicUser = phpAuthUser(req);
	let error: RestFailure | undefined;
	if (this.ssl) {
		const basic = performBasicAuthentication.call(this, get, basicUser);
		if (basic === true) return true;
		if (basic instanceof RestFailure) error = basic;
	}
	const oauth = performOAuthAuthentication.call(this, req, method, rawUrl, get, rawBody);
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
export function performBasicAuthentication(
	this: WooStore,
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
	if (!isConsumerKey.call(this, key)) return false;
	if (!phpHashEquals(utf8Bytes(this.consumerSecret), secret)) {
		return new RestFailure(401, 'woocommerce_rest_authentication_error', 'Consumer secret is invalid.');
	}
	return true;
}

/** get_user_data_by_consumer_key(): looks the key up by wc_api_hash( sanitize_text_field( $key ) ). */
export function isConsumerKey(this: WooStore, key: PhpVar | undefined): boolean {
	return typeof key === 'string' && key.trim() === utf8Bytes(this.consumerKey);
}

/**
 * perform_oauth_authentication(): get_oauth_parameters() (`$_GET` + `$_POST` + an `Authorization: OAuth` header),
 * the key, check_oauth_signature(), then check_oauth_timestamp_and_nonce(). No OAuth parameter at all → false.
 */
export function performOAuthAuthentication(
	this: WooStore,
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
	if (!isConsumerKey.call(this, params.get('oauth_consumer_key'))) {
		return new RestFailure(401, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.');
	}
	const signatureError = checkOAuthSignature.call(this, method, rawUrl, params);
	if (signatureError) return signatureError;
	return checkOAuthTimestampAndNonce.call(this, params.get('oauth_timestamp')!, params.get('oauth_nonce')!) ?? true;
}

/** check_oauth_signature(), base URI from the home URL (this.url) and the raw request path. */
export function checkOAuthSignature(this: WooStore, method: string, rawUrl: string, params: PhpHash): RestFailure | undefined {
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
export function checkOAuthTimestampAndNonce(this: WooStore, timestamp: PhpVar, nonce: PhpVar): RestFailure | undefined {
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
