import type {
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialTestRequest,
} from 'n8n-workflow';

type TestRule = IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody;

/**
 * What usually causes a WooCommerce refusal, by HTTP status.
 */
const HINTS: Record<number, string> = {
	400: 'WooCommerce did not accept the request',
	401: 'check the consumer key and secret, and that the key has Read/Write permission and belongs to an administrator or shop manager. For an http:// store URL (OAuth 1.0a signature) the URL must be exactly the WordPress site address and the n8n server clock must be right; for an HTTPS site behind a proxy, use https:// here',
	403: 'the key needs Read/Write permission for a user who can manage WooCommerce, or a security plugin blocks /wp-json/wc/v3',
	404: 'no WooCommerce REST API at this URL: check the store URL, that WooCommerce is active and that WordPress permalinks are not set to "Plain"',
	500: 'the store failed while answering; see its PHP error log',
};
const hint = (status: number) => HINTS[status] ?? (status >= 500 ? HINTS[500] : HINTS[400]);

/**
 * The refusals WooCommerce and WordPress send for this request, in their own words (WC_REST_Authentication in
 * plugins/woocommerce/includes/class-wc-rest-authentication.php, WC_REST_Webhooks_Controller permission checks,
 * WP_REST_Server::dispatch() for a missing route). n8n's credential screen shows a fixed message per rule, so each
 * known text gets its own rule and keeps WooCommerce's wording.
 */
export const WOOCOMMERCE_REFUSALS: Array<{ status: number; code: string; message: string }> = [
	{ status: 401, code: 'woocommerce_rest_authentication_error', message: 'Consumer key is invalid.' },
	{ status: 401, code: 'woocommerce_rest_authentication_error', message: 'Consumer secret is invalid.' },
	{ status: 401, code: 'woocommerce_rest_authentication_error', message: 'Consumer key is missing.' },
	{ status: 401, code: 'woocommerce_rest_authentication_error', message: 'Consumer secret is missing.' },
	{ status: 401, code: 'woocommerce_rest_authentication_error', message: 'Invalid signature - provided signature does not match.' },
	{ status: 401, code: 'woocommerce_rest_authentication_error', message: 'Invalid signature - signature method is invalid.' },
	{ status: 401, code: 'woocommerce_rest_authentication_error', message: 'Invalid signature - failed to sort parameters.' },
	{ status: 401, code: 'woocommerce_rest_authentication_error', message: 'Invalid timestamp.' },
	{ status: 401, code: 'woocommerce_rest_authentication_error', message: 'Invalid nonce - nonce has already been used.' },
	{ status: 401, code: 'woocommerce_rest_authentication_error', message: 'The API key provided does not have read permissions.' },
	{ status: 401, code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.' },
	{ status: 403, code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.' },
	{ status: 404, code: 'rest_no_route', message: 'No route was found matching the URL and request method.' },
];

/** Statuses that get a rule of their own when WooCommerce's text is not one of the known ones. */
const ENVELOPED_FAILURE_STATUSES = [400, 401, 403, 404, 405, 406, 409, 410, 429, 500, 501, 502, 503, 504];

export function describeWooCommerceRefusal(status: number, ownMessage: string, code?: string): string {
	return `WooCommerce answered HTTP ${status}: ${ownMessage}${code ? ` (${code})` : ''} — ${hint(status)}`;
}

/**
 * The WooCommerce credential test n8n runs from the credential screen: list one webhook, which needs the same right
 * (manage_woocommerce, Read/Write key) the trigger needs to register its webhook. The credential's `authenticate`
 * signs it exactly like the nodes' requests.
 *
 * `_envelope` (a WordPress REST global parameter, https://developer.wordpress.org/rest-api/using-the-rest-api/
 * global-parameters/#_envelope) makes WordPress answer 200 with `{ body, status, headers }`, so n8n's rules can read
 * WooCommerce's own error (`responseSuccessBody`); without it n8n only shows the HTTP status text. A URL where no
 * WordPress answers fails with a plain HTTP error and gets the `responseCode` rules.
 */
export const wooCommerceCredentialTest: ICredentialTestRequest = {
	request: {
		baseURL: '={{ String($credentials.url).trim().replace(/\\/+$/, "") }}/wp-json/wc/v3',
		url: '/webhooks',
		method: 'GET',
		qs: { per_page: 1, _envelope: 1 },
	},
	// n8n's credentials tester reads each rule by its `type` (responseSuccessBody after a 2xx, responseCode after an
	// HTTP error), so one list may hold both kinds; the declared type is a union of single-kind arrays.
	rules: [
		...WOOCOMMERCE_REFUSALS.map(
			(refusal): TestRule => ({
				type: 'responseSuccessBody',
				properties: {
					key: 'body.message',
					value: refusal.message,
					message: describeWooCommerceRefusal(refusal.status, refusal.message, refusal.code),
				},
			}),
		),
		...ENVELOPED_FAILURE_STATUSES.map(
			(status): TestRule => ({
				type: 'responseSuccessBody',
				properties: {
					key: 'status',
					value: status,
					message: `WooCommerce answered HTTP ${status} — ${hint(status)}`,
				},
			}),
		),
		...[401, 403, 404, 500, 502, 503].map(
			(status): TestRule => ({
				type: 'responseCode',
				properties: {
					value: status,
					message: `The store answered HTTP ${status} without a WordPress REST response — ${hint(status)}`,
				},
			}),
		),
	] as TestRule[] as ICredentialTestRequest['rules'],
};
