import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IHttpRequestOptions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { WooCommerceStoreApi } from '../../credentials/WooCommerceStoreApi.credentials';

/**
 * Credential test for `wooCommerceStoreApi`. A request-based `test` on the credential only shows the HTTP
 * status text when it fails (n8n 2.40 credentials-tester); this one shows WooCommerce's own error text,
 * e.g. "Consumer secret is invalid." It lists one webhook: the same right (manage_woocommerce, read/write
 * key) that the trigger needs to register its webhook.
 */
export async function wooCommerceStoreApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = (credential.data ?? {}) as IDataObject;
	const storeUrl = String(data.url ?? '').trim().replace(/\/+$/, '');
	if (!/^https?:\/\//i.test(storeUrl)) {
		return { status: 'Error', message: 'The store URL must start with https:// (or http://)' };
	}
	const signed = await new WooCommerceStoreApi().authenticate(data as never, {
		method: 'GET',
		url: `${storeUrl}/wp-json/wc/v3/webhooks`,
		qs: { per_page: 1 },
		headers: {},
	} as IHttpRequestOptions);
	const headers: IDataObject = { ...(signed.headers ?? {}) };
	if (signed.auth) {
		const basic = Buffer.from(`${signed.auth.username}:${signed.auth.password}`).toString('base64');
		headers.Authorization = `Basic ${basic}`;
	}
	let response: { statusCode: number; body: unknown };
	try {
		response = await this.helpers.request({
			method: 'GET',
			uri: signed.url,
			qs: signed.qs,
			headers,
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			timeout: 20000,
		});
	} catch (error) {
		return { status: 'Error', message: `The store could not be reached: ${(error as Error).message}` };
	}
	if (response.statusCode >= 200 && response.statusCode < 300) {
		return { status: 'OK', message: 'Connection successful: this key can manage the store’s webhooks' };
	}
	return { status: 'Error', message: describeWooCommerceRefusal(response.statusCode, response.body) };
}

/** WooCommerce's own words first, then what usually causes that status. */
export function describeWooCommerceRefusal(statusCode: number, body: unknown): string {
	const answer = (typeof body === 'object' && body !== null ? body : {}) as IDataObject;
	const own = typeof answer.message === 'string' ? answer.message : '';
	const code = typeof answer.code === 'string' ? ` (${answer.code})` : '';
	const hints: Record<number, string> = {
		401: 'check the consumer key and secret, and that the key has Read/Write permission and belongs to an administrator or shop manager. For an http:// store URL (OAuth 1.0a signature) the URL must be exactly the WordPress site address and the n8n server clock must be right; for an HTTPS site behind a proxy, use https:// here',
		403: 'the key needs Read/Write permission for a user who can manage WooCommerce, or a security plugin blocks /wp-json/wc/v3',
		404: 'no WooCommerce REST API at this URL: check the store URL, that WooCommerce is active and that WordPress permalinks are not set to "Plain"',
	};
	const hint = hints[statusCode] ? ` — ${hints[statusCode]}` : '';
	return `WooCommerce answered HTTP ${statusCode}: ${own || 'no error message'}${code}${hint}`;
}
