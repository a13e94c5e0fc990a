import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentialTestRequest,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { wooCommerceCredentialTest } from './wooCommerceCredentialTest';
import { resolveRequestUrl, signWooCommerceRequest } from './wooCommerceOAuth1';

/**
 * WooCommerce REST API key (WooCommerce → Settings → Advanced → REST API). WooCommerce reads the key itself
 * (HTTP Basic auth or `consumer_key`/`consumer_secret` query parameters) only when `is_ssl()` is true; otherwise it
 * accepts only OAuth 1.0a one-legged signatures (`WC_REST_Authentication::authenticate()`,
 * https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-http). So https:// stores get the key,
 * and http:// stores get only a signed request (wooCommerceOAuth1.ts): the secret itself never crosses plain HTTP.
 * A store behind a TLS-terminating proxy (it believes it runs on HTTPS, and the n8n → proxy leg is private) reads
 * only the key; the explicit "HTTPS Is Terminated by a Proxy" switch allows that.
 */
export class WooCommerceStoreApi implements ICredentialType {
	name = 'wooCommerceStoreApi';

	displayName = 'WooCommerce Store API';

	icon: Icon = { light: 'file:woocommerce.svg', dark: 'file:woocommerce.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-woocommerce-zohocrm/n8n-nodes-woocommerce-zohocrm#woocommerce-credential-woocommerce-store-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Store URL',
			name: 'url',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://example.com',
			description:
				'Address of the WordPress site, without /wp-json. With http:// requests are signed with OAuth 1.0a, which only works if this is exactly the site address WordPress has (Settings → General, www or not) and the n8n server clock is right to within 15 minutes.',
		},
		{
			displayName: 'Consumer Key',
			name: 'consumerKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Key with Read/Write permission of an administrator or shop manager (registering webhooks needs manage_woocommerce)',
		},
		{
			displayName: 'Consumer Secret',
			name: 'consumerSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Include Credentials in Query',
			name: 'includeCredentialsInQuery',
			type: 'boolean',
			default: false,
			description:
				'Whether to send the key as consumer_key/consumer_secret query parameters instead of HTTP Basic auth (https:// only). Use it when the web server strips the Authorization header (some CGI/FastCGI set-ups).',
		},
		{
			displayName: 'HTTPS Is Terminated by a Proxy',
			name: 'httpsTerminatedByProxy',
			type: 'boolean',
			default: false,
			description:
				'Whether the Store URL is http:// only between n8n and a TLS-terminating proxy in your own network, and WordPress believes it runs on HTTPS (then it ignores OAuth signatures and wants the key). Only then is the consumer secret sent over http://, as HTTP Basic auth. Leave off for any store reached over the internet.',
		},
		{
			displayName: 'Webhook Secret (Existing Webhook)',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only for the WooCommerce Order Trigger in "Use Existing Webhook" mode: the Secret of the webhook you created in WooCommerce → Settings → Advanced → Webhooks. Kept encrypted with this credential, not in the workflow.',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const consumerKey = String(credentials.consumerKey ?? '');
		const consumerSecret = String(credentials.consumerSecret ?? '');
		const keyInQuery = credentials.includeCredentialsInQuery === true;
		let authenticated: IHttpRequestOptions = { ...requestOptions };
		if (resolveRequestUrl(requestOptions)?.protocol === 'http:') {
			// Over plain HTTP only the signature travels: no Basic header, no consumer_secret in the URL.
			authenticated = signWooCommerceRequest(requestOptions, {
				consumerKey,
				consumerSecret,
				homeUrl: String(credentials.url ?? ''),
				keyInQuery: false,
			});
			if (credentials.httpsTerminatedByProxy === true) {
				authenticated.auth = { username: consumerKey, password: consumerSecret };
			} else {
				delete authenticated.auth;
			}
			return authenticated;
		} else if (keyInQuery) {
			authenticated.qs = {
				...(requestOptions.qs ?? {}),
				consumer_key: consumerKey,
				consumer_secret: consumerSecret,
			};
		}
		if (keyInQuery) delete authenticated.auth;
		else authenticated.auth = { username: consumerKey, password: consumerSecret };
		return authenticated;
	}

	/** Lists one webhook; a refusal shows WooCommerce's own text (wooCommerceCredentialTest.ts). */
	test: ICredentialTestRequest = wooCommerceCredentialTest;
}
