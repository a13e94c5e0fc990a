import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { WooCommerceStoreApi } from '../../credentials/WooCommerceStoreApi.credentials';
import { N8nLikeHttpError, WooCommerceEmulator, n8nLikeHttpRequest } from '../emulators/woocommerce';

const credential = new WooCommerceStoreApi();
const keys = { url: 'https://shop.example', consumerKey: 'ck_1', consumerSecret: 'cs_1' };

/** Resolves the credential test request the way n8n would for `={{$credentials.url…}}` (the expression body). */
function resolveTestBaseUrl(url: string): string {
	const expression = String(credential.test.request.baseURL);
	const match = /^=\{\{(.*)\}\}(.*)$/.exec(expression);
	if (!match) throw new Error(`unexpected baseURL ${expression}`);
	// eslint-disable-next-line @typescript-eslint/no-implied-eval
	const evaluate = new Function('$credentials', `return (${match[1]});`) as (c: { url: string }) => string;
	return `${evaluate({ url })}${match[2]}`;
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
		]);
		const passwords = credential.properties.filter((property) => property.typeOptions?.password);
		expect(passwords.map((property) => property.name)).toEqual(['consumerKey', 'consumerSecret']);
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

	it('tests with a one-item webhooks list (needs manage_woocommerce) and explains 401/404', () => {
		expect(credential.test.request).toMatchObject({ url: '/webhooks', qs: { per_page: 1 } });
		expect(resolveTestBaseUrl('https://shop.example/')).toBe('https://shop.example/wp-json/wc/v3');
		expect(resolveTestBaseUrl(' https://shop.example ')).toBe('https://shop.example/wp-json/wc/v3');
		const rules = (credential.test.rules ?? []) as Array<{ properties: { value: number; message: string } }>;
		expect(rules.map((rule) => rule.properties.value)).toEqual([401, 403, 404]);
		expect(rules[0].properties.message).toContain('HTTPS');
	});

	describe('test request against the emulator', () => {
		let woo: WooCommerceEmulator;
		beforeEach(async () => {
			woo = await WooCommerceEmulator.start({ consumerKey: 'ck_live', consumerSecret: 'cs_live' });
		});
		afterEach(async () => await woo.stop());

		const runTest = async (data: Record<string, unknown>) => {
			const request = credential.test.request;
			const options = await credential.authenticate(data as ICredentialDataDecryptedObject, {
				url: request.url as string,
				baseURL: resolveTestBaseUrl(String(data.url)),
				qs: { ...(request.qs as object) },
			} as IHttpRequestOptions);
			return await n8nLikeHttpRequest(options as any);
		};

		it('succeeds with the right key, by Basic auth and by query string', async () => {
			const good = { url: woo.url, consumerKey: 'ck_live', consumerSecret: 'cs_live' };
			expect(await runTest(good)).toEqual([]);
			expect(await runTest({ ...good, includeCredentialsInQuery: true })).toEqual([]);
			expect(woo.calls.map((call) => [call.path, call.query.per_page, call.status])).toEqual([
				['/wp-json/wc/v3/webhooks', '1', 200],
				['/wp-json/wc/v3/webhooks', '1', 200],
			]);
		});

		it('fails with 401 and WooCommerce’s message for a wrong secret', async () => {
			const error = await runTest({ url: woo.url, consumerKey: 'ck_live', consumerSecret: 'bad' }).catch(
				(caught: unknown) => caught,
			);
			expect(error).toBeInstanceOf(N8nLikeHttpError);
			expect((error as N8nLikeHttpError).response.status).toBe(401);
			expect((error as N8nLikeHttpError).response.data).toMatchObject({ message: 'Consumer secret is invalid.' });
		});
	});
});
