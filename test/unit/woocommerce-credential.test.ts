import { createHmac } from 'node:crypto';

import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { WooCommerceStoreApi } from '../../credentials/WooCommerceStoreApi.credentials';
import {
	phpParseQuery,
	serializeN8nQuery,
	signWooCommerceRequest,
	wooCommerceBaseUri,
	wooCommerceSignatureBaseString,
} from '../../credentials/wooCommerceOAuth1';
import { WooCommerceEmulator } from '../emulators/woocommerce';
import { n8nHttpRequest } from '../support/n8nCoreContext';
import { runRequestCredentialTest } from '../support/credentialTester';
import { WooCommerceOrderTrigger } from '../../nodes/WooCommerceOrderTrigger/WooCommerceOrderTrigger.node';
import { WOOCOMMERCE_REFUSALS, describeWooCommerceRefusal } from '../../credentials/wooCommerceCredentialTest';

const credential = new WooCommerceStoreApi();
const keys = { url: 'https://shop.example', consumerKey: 'ck_1', consumerSecret: 'cs_1' };

/** The credential's own request-based test, run as n8n's credentials tester runs it. */
async function runCredentialTest(data: Record<string, unknown>) {
	return await runRequestCredentialTest(credential, data as ICredentialDataDecryptedObject);
}

describe('WooCommerceStoreApi credential', () => {
	it('has the contract name and properties', () => {
		expect(credential.name).toBe('wooCommerceStoreApi');
		expect(credential.displayName).toBe('WooCommerce Store API');
		expect(credential.properties.map((property) => [property.name, property.type, property.default])).toEqual([
			['url', 'string', ''],
			['consumerKey', 'string', ''],
			['consumerSecret', 'string', ''],
			['includeCredentialsInQuery', 'boolean', false],
			['httpsTerminatedByProxy', 'boolean', false],
			['webhookSecret', 'string', ''],
		]);
		const passwords = credential.properties.filter((property) => property.typeOptions?.password);
		expect(passwords.map((property) => property.name)).toEqual(['consumerKey', 'consumerSecret', 'webhookSecret']);
	});

	it('authenticates with HTTP Basic by default', async () => {
		const options = await credential.authenticate(keys, { url: '/webhooks', qs: { per_page: 1 } });
		expect(options.auth).toEqual({ username: 'ck_1', password: 'cs_1' });
		expect(options.qs).toEqual({ per_page: 1 });
	});

	it('moves the key into the query string when asked, also without existing qs', async () => {
		const withQs = await credential.authenticate(
			{ ...keys, includeCredentialsInQuery: true },
			{ url: '/webhooks', qs: { per_page: 1 }, auth: { username: 'x', password: 'y' } },
		);
		expect(withQs.auth).toBeUndefined();
		expect(withQs.qs).toEqual({ per_page: 1, consumer_key: 'ck_1', consumer_secret: 'cs_1' });
		const withoutQs = await credential.authenticate({ ...keys, includeCredentialsInQuery: true }, { url: '/x' });
		expect(withoutQs.qs).toEqual({ consumer_key: 'ck_1', consumer_secret: 'cs_1' });
	});

	it('has its own request test (no deprecated helpers), whose rules keep WooCommerce’s own error text', () => {
		expect(credential.test?.request).toMatchObject({ url: '/webhooks', qs: { per_page: 1, _envelope: 1 } });
		const rules = (credential.test?.rules ?? []) as Array<{ type: string; properties: Record<string, unknown> }>;
		for (const refusal of WOOCOMMERCE_REFUSALS) {
			expect(rules).toContainEqual({
				type: 'responseSuccessBody',
				properties: expect.objectContaining({ key: 'body.message', value: refusal.message }),
			});
		}
		expect(describeWooCommerceRefusal(401, 'Consumer secret is invalid.', 'x')).toMatch(
			/^WooCommerce answered HTTP 401: Consumer secret is invalid\. \(x\) — check the consumer key/,
		);
		// the trigger no longer carries a credential test of its own (n8n would prefer it over the credential's)
		const trigger = new WooCommerceOrderTrigger();
		expect(trigger.description.credentials).toEqual([{ name: 'wooCommerceStoreApi', required: true }]);
	});

	it('a URL where no WordPress answers fails with the status and a hint, never "successful"', async () => {
		const woo = await WooCommerceEmulator.start({ consumerKey: 'ck_live', consumerSecret: 'cs_live' });
		try {
			const result = await runCredentialTest({
				url: `${woo.url}/not-wordpress`,
				consumerKey: 'ck_live',
				consumerSecret: 'cs_live',
			});
			// /not-wordpress/wp-json/… is no REST route: a plain HTML 404, not enveloped
			expect(result).toEqual({
				status: 'Error',
				message: expect.stringMatching(/^The store answered HTTP 404 without a WordPress REST response — no WooCommerce REST API/),
			});
		} finally {
			await woo.stop();
		}
	});

	describe('test request against the emulator', () => {
		let woo: WooCommerceEmulator;
		afterEach(async () => await woo.stop());

		const OK = { status: 'OK', message: expect.stringContaining('Connection successful') };
		const runTest = runCredentialTest;
		/** A failed test: its message, which must carry WooCommerce's own words. */
		const failure = async (data: Record<string, unknown>) => {
			const result = await runCredentialTest(data);
			expect(result.status).toBe('Error');
			return result.message;
		};

		describe('store on plain HTTP (is_ssl() false: OAuth 1.0a only)', () => {
			beforeEach(async () => {
				woo = await WooCommerceEmulator.start({ consumerKey: 'ck_live', consumerSecret: 'cs_live' });
			});

			it('succeeds with the right key; only the signature travels (no Basic header, no secret in the URL)', async () => {
				const good = { url: woo.url, consumerKey: 'ck_live', consumerSecret: 'cs_live' };
				expect(await runTest(good)).toEqual(OK);
				expect(await runTest({ ...good, url: `${woo.url}/`, includeCredentialsInQuery: true })).toEqual(OK);
				expect(woo.calls.map((call) => [call.path, call.query.per_page, call.status])).toEqual([
					['/wp-json/wc/v3/webhooks', '1', 200],
					['/wp-json/wc/v3/webhooks', '1', 200],
				]);
				for (const call of woo.calls) {
					expect(call.query).toMatchObject({ oauth_consumer_key: 'ck_live', oauth_signature_method: 'HMAC-SHA256' });
					expect(call.query.consumer_secret).toBeUndefined();
					expect(call.query.consumer_key).toBeUndefined();
					expect(JSON.stringify(call)).not.toContain('cs_live');
					expect(call.authorization).toBeUndefined();
				}
			});

			it('fails with WooCommerce’s OAuth messages for a wrong secret or key', async () => {
				const wrongSecret = await failure({ url: woo.url, consumerKey: 'ck_live', consumerSecret: 'bad' });
				expect(wrongSecret).toMatch(
					/^WooCommerce answered HTTP 401: Invalid signature - provided signature does not match\. \(woocommerce_rest_authentication_error\)/,
				);
				const wrongKey = await failure({ url: woo.url, consumerKey: 'ck_other', consumerSecret: 'cs_live' });
				expect(wrongKey).toContain('Consumer key is invalid.');
			});

			it('fails when the URL is not the site address WooCommerce signs with (localhost vs 127.0.0.1)', async () => {
				const response = await failure({
					url: woo.url.replace('127.0.0.1', 'localhost'),
					consumerKey: 'ck_live',
					consumerSecret: 'cs_live',
				});
				expect(response).toContain('Invalid signature - provided signature does not match.');
			});
		});

		describe('store that believes it is on HTTPS (is_ssl() true, e.g. behind a TLS-terminating proxy)', () => {
			beforeEach(async () => {
				woo = await WooCommerceEmulator.start({ consumerKey: 'ck_live', consumerSecret: 'cs_live', ssl: true });
			});

			it('succeeds through Basic auth only with the explicit proxy switch', async () => {
				const good = { url: woo.url, consumerKey: 'ck_live', consumerSecret: 'cs_live' };
				expect(await failure(good)).toContain('HTTP 401');
				expect(await runTest({ ...good, httpsTerminatedByProxy: true })).toEqual(OK);
			});

			it('a wrong secret fails Basic auth, then the OAuth fallback (https base URI) records its own error', async () => {
				const response = await failure({ url: woo.url, consumerKey: 'ck_live', consumerSecret: 'bad' });
				expect(response).toContain('HTTP 401: Invalid signature - provided signature does not match. (woocommerce_rest_authentication_error)');
			});
		});
	});
});

describe('WooCommerce OAuth 1.0a signing (credentials/wooCommerceOAuth1.ts)', () => {
	const signer = { consumerKey: 'ck_1', consumerSecret: 'cs_1', homeUrl: 'http://shop.example' };
	const fixed = { timestamp: 1700000000, nonce: 'nonce123' };

	it('builds WooCommerce’s string to sign and signature for a known vector', () => {
		const signed = signWooCommerceRequest(
			{
				url: 'http://shop.example/wp-json/wc/v3/orders',
				qs: { per_page: 100, page: 2, search: 'a b/c', status: ['processing', 'on-hold'] },
			},
			signer,
			fixed,
		);
		// Worked out by hand from check_oauth_signature(): parameters sorted by raw key (page < per_page), keys and
		// values rawurlencoded, array items as status%5B0%5D, each pair encoded again, joined with %26.
		const expectedBaseString =
			'GET&http%3A%2F%2Fshop.example%2Fwp-json%2Fwc%2Fv3%2Forders&' +
			'oauth_consumer_key%3Dck_1%26oauth_nonce%3Dnonce123%26oauth_signature_method%3DHMAC-SHA256%26' +
			'oauth_timestamp%3D1700000000%26page%3D2%26per_page%3D100%26search%3Da%2520b%252Fc%26' +
			'status%255B0%255D%3Dprocessing%26status%255B1%255D%3Don-hold';
		const url = new URL(signed.url);
		const params = phpParseQuery(url.search.slice(1));
		expect(wooCommerceSignatureBaseString('GET', 'http://shop.example/wp-json/wc/v3/orders', params)).toBe(
			expectedBaseString,
		);
		// base64(HMAC-SHA256(expectedBaseString, 'cs_1&')), computed outside this code (Python hmac).
		expect(url.searchParams.get('oauth_signature')).toBe('r9HLIpmVoLeI/EsOFidLzvqNhnNZ26af6B+dLUPedgQ=');
		expect(url.search).toBe(
			'?per_page=100&page=2&search=a%20b%2Fc&status%5B0%5D=processing&status%5B1%5D=on-hold' +
				'&oauth_consumer_key=ck_1&oauth_nonce=nonce123&oauth_signature_method=HMAC-SHA256' +
				'&oauth_timestamp=1700000000&oauth_signature=r9HLIpmVoLeI%2FEsOFidLzvqNhnNZ26af6B%2BdLUPedgQ%3D',
		);
		expect(signed.qs).toBeUndefined();
	});

	it('supports HMAC-SHA1 and a relative url with baseURL, as n8n joins them', () => {
		const signed = signWooCommerceRequest(
			{ baseURL: 'http://shop.example/wp-json/wc/v3/', url: '/webhooks', qs: { per_page: 1 } },
			signer,
			{ ...fixed, signatureMethod: 'HMAC-SHA1' },
		);
		const url = new URL(signed.url);
		expect(`${url.origin}${url.pathname}`).toBe('http://shop.example/wp-json/wc/v3/webhooks');
		expect(signed.baseURL).toBeUndefined();
		// base64(HMAC-SHA1('GET&http%3A%2F%2Fshop.example%2Fwp-json%2Fwc%2Fv3%2Fwebhooks&oauth_consumer_key%3Dck_1
		// %26oauth_nonce%3Dnonce123%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000
		// %26per_page%3D1', 'cs_1&')), computed with Python hmac.
		expect(url.searchParams.get('oauth_signature')).toBe('jFpt0nZEKpZa5W4YqE/aoWSjQgY=');
	});

	it('signs with the home URL: plain permalinks drop the trailing slash, a sub-directory home is kept', () => {
		const plain = signWooCommerceRequest({ url: 'http://shop.example/?rest_route=/wc/v3/orders' }, signer, fixed);
		const plainParams = phpParseQuery(new URL(plain.url).search.slice(1));
		expect(plainParams.get('rest_route')).toBe('/wc/v3/orders');
		const plainBase = wooCommerceSignatureBaseString('GET', 'http://shop.example', plainParams);
		expect(plainBase.startsWith('GET&http%3A%2F%2Fshop.example&')).toBe(true);
		expect(new URL(plain.url).searchParams.get('oauth_signature')).toBe(
			createHmac('sha256', 'cs_1&').update(plainBase).digest('base64'),
		);
		const home = 'http://example.com/shop/';
		expect(wooCommerceBaseUri(new URL('http://example.com/shop/wp-json/wc/v3/orders?x=1#f'), home)).toBe(
			'http://example.com/shop/wp-json/wc/v3/orders',
		);
		expect(wooCommerceBaseUri(new URL('http://example.com/shop/?rest_route=/wc/v3/orders'), home)).toBe(
			'http://example.com/shop',
		);
		expect(wooCommerceBaseUri(new URL('http://example.com:8080/wp-json/wc/v3/orders/'), 'http://example.com:8080')).toBe(
			'http://example.com:8080/wp-json/wc/v3/orders/',
		);
	});

	it('parses query strings like PHP: nested brackets, appends, dots and spaces in names, + as space', () => {
		const params = phpParseQuery('a[]=1&a[]=2&b[x][y]=3&c.d=4&e+f=5&g=h+i&j[k=6&l[0]=7&l[0]=8');
		const plain = (value: unknown): unknown =>
			value instanceof Map ? Object.fromEntries([...value].map(([key, item]) => [key, plain(item)])) : value;
		expect(plain(params)).toEqual({
			a: { 0: '1', 1: '2' },
			b: { x: { y: '3' } },
			c_d: '4',
			e_f: '5',
			g: 'h i',
			j_k: '6',
			l: { 0: '8' },
		});
	});

	it('serializes qs the way n8n does (qs.stringify, arrayFormat indices unless the request sets another)', () => {
		const query = { a: [1, 2], o: { k: 'v w' }, n: null, u: undefined, d: new Date(Date.UTC(2024, 0, 2)) };
		expect(serializeN8nQuery(query)).toBe(
			'a%5B0%5D=1&a%5B1%5D=2&o%5Bk%5D=v%20w&n=&d=2024-01-02T00%3A00%3A00.000Z',
		);
		expect(serializeN8nQuery({ a: [1, 2] }, 'brackets')).toBe('a%5B%5D=1&a%5B%5D=2');
		expect(serializeN8nQuery({ a: [1, 2] }, 'repeat')).toBe('a=1&a=2');
		expect(serializeN8nQuery({ a: [1, 2] }, 'comma')).toBe('a=1%2C2');
		expect(serializeN8nQuery({ s: "it's (ok)*!" })).toBe('s=it%27s%20%28ok%29%2A%21');
	});
});

describe('WooCommerceStoreApi credential over http:// against the emulator (ssl: false)', () => {
	let woo: WooCommerceEmulator;
	let keys: ICredentialDataDecryptedObject;
	beforeEach(async () => {
		woo = await WooCommerceEmulator.start();
		keys = { url: woo.url, consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret };
	});
	afterEach(async () => await woo.stop());

	const api = (path: string) => `${woo.url}/wp-json/wc/v3${path}`;
	const send = async (options: IHttpRequestOptions) =>
		await n8nHttpRequest({ json: true, ...options }).catch((caught: { response?: { status: number; data: unknown } }) => {
			if (!caught.response) throw caught;
			return { failed: caught.response.status, ...(caught.response.data as object) };
		});

	it('sends no Basic header next to the signature (unless HTTPS is terminated by a proxy) and fresh timestamp and nonce each time', async () => {
		const first = await credential.authenticate(keys, { url: api('/orders') });
		const second = await credential.authenticate({ ...keys, includeCredentialsInQuery: true }, { url: api('/orders') });
		expect(first.auth).toBeUndefined();
		expect(second.auth).toBeUndefined();
		expect(new URL(second.url).searchParams.get('consumer_secret')).toBeNull();
		const proxied = await credential.authenticate({ ...keys, httpsTerminatedByProxy: true }, { url: api('/orders') });
		expect(proxied.auth).toEqual({ username: woo.consumerKey, password: woo.consumerSecret });
		const [a, b] = [new URL(first.url).searchParams, new URL(second.url).searchParams];
		expect(a.get('oauth_nonce')).toMatch(/^[0-9a-f]{32}$/);
		expect(a.get('oauth_nonce')).not.toBe(b.get('oauth_nonce'));
		expect(Math.abs(Number(a.get('oauth_timestamp')) - Date.now() / 1000)).toBeLessThan(5);
	});

	it('signs query arrays and encoded values exactly as they are sent', async () => {
		for (let i = 0; i < 3; i++) woo.addOrder({ status: i === 1 ? 'on-hold' : 'processing' });
		const options = await credential.authenticate(keys, {
			url: api('/webhooks'),
			qs: { per_page: 100, page: 2, include: [1, 2], search: 'Müller & Söhne / 50% off+' },
		});
		expect(await send(options)).toEqual([]);
		const listed = await credential.authenticate(keys, {
			url: api('/orders?orderby=id'),
			qs: { per_page: 2, page: 2, order: 'asc', status: ['processing', 'on-hold'] },
		});
		expect((await send(listed)).map((order: { id: number }) => order.id)).toEqual([730]);
		expect(woo.calls.map((call) => call.status)).toEqual([200, 200]);
		expect(woo.calls[0].query).toMatchObject({
			per_page: '100',
			page: '2',
			'include[0]': '1',
			'include[1]': '2',
			search: 'Müller & Söhne / 50% off+',
		});
		expect(woo.calls[1].query).toMatchObject({ orderby: 'id', 'status[0]': 'processing', 'status[1]': 'on-hold' });
	});

	it('signs plain-permalink URLs (?rest_route=) and POST bodies (JSON unsigned, form fields signed)', async () => {
		expect(await send(await credential.authenticate(keys, { url: `${woo.url}/?rest_route=/wc/v3/webhooks` }))).toEqual(
			[],
		);
		const json = await credential.authenticate(keys, {
			url: api('/webhooks'),
			method: 'POST',
			body: { topic: 'order.created', delivery_url: 'http://127.0.0.1:9/hook' },
		});
		expect(await send(json)).toMatchObject({ id: 1, topic: 'order.created' });
		const form = await credential.authenticate(keys, {
			url: api('/webhooks'),
			method: 'POST',
			body: new URLSearchParams({ topic: 'order.updated', delivery_url: 'http://127.0.0.1:9/hook' }),
		});
		expect(await send(form)).toMatchObject({ id: 2, topic: 'order.updated' });
		// The same form with a field the signature did not cover is refused.
		const tampered = {
			...form,
			body: new URLSearchParams({ topic: 'order.deleted', delivery_url: 'http://127.0.0.1:9/hook' }),
		};
		expect(await send(tampered)).toMatchObject({
			failed: 401,
			message: 'Invalid signature - provided signature does not match.',
		});
	});

	it('a replayed request is refused; re-authenticating the returned options (n8n after a 401) signs afresh', async () => {
		const options = await credential.authenticate(keys, { url: api('/webhooks'), qs: { per_page: 5 } });
		expect(await send(options)).toEqual([]);
		expect(await send(options)).toEqual({
			failed: 401,
			code: 'woocommerce_rest_authentication_error',
			message: 'Invalid nonce - nonce has already been used.',
			data: { status: 401 },
		});
		const again = await credential.authenticate(keys, options);
		expect(new URL(again.url).searchParams.getAll('oauth_nonce')).toHaveLength(1);
		expect(new URL(again.url).searchParams.getAll('per_page')).toEqual(['5']);
		expect(await send(again)).toEqual([]);
	});

	it('refuses timestamps more than 15 minutes away', async () => {
		const signer = { consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret, homeUrl: woo.url };
		const now = Math.floor(Date.now() / 1000);
		const stale = signWooCommerceRequest({ url: api('/webhooks') }, signer, { timestamp: now - 16 * 60 });
		expect(await send(stale)).toMatchObject({ failed: 401, message: 'Invalid timestamp.' });
		const future = signWooCommerceRequest({ url: api('/webhooks') }, signer, { timestamp: now + 16 * 60 });
		expect(await send(future)).toMatchObject({ failed: 401, message: 'Invalid timestamp.' });
		const skewed = signWooCommerceRequest({ url: api('/webhooks') }, signer, { timestamp: now - 14 * 60 });
		expect(await send(skewed)).toEqual([]);
	});

	it('keeps today’s behaviour for https:// URLs: Basic auth or query keys, no signature', async () => {
		const options = await credential.authenticate(
			{ ...keys, url: 'https://shop.example' },
			{ url: 'https://shop.example/wp-json/wc/v3/webhooks', qs: { per_page: 1 } },
		);
		expect(options).toEqual({
			url: 'https://shop.example/wp-json/wc/v3/webhooks',
			qs: { per_page: 1 },
			auth: { username: woo.consumerKey, password: woo.consumerSecret },
		});
		// Sent to a store that does not see HTTPS, Basic alone is ignored (the route's own 401).
		const viaPlainHttp = { ...options, url: api('/webhooks') };
		expect(await send(viaPlainHttp)).toEqual({
			failed: 401,
			code: 'woocommerce_rest_cannot_view',
			message: 'Sorry, you cannot list resources.',
			data: { status: 401 },
		});
		woo.ssl = true;
		expect(await send(viaPlainHttp)).toEqual([]);
	});
});
