import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

/**
 * WooCommerce REST API key (WooCommerce → Settings → Advanced → REST API). WooCommerce accepts the key over
 * HTTPS only, as HTTP Basic auth or as `consumer_key`/`consumer_secret` query parameters
 * (`WC_REST_Authentication::perform_basic_authentication()`); plain-HTTP stores need OAuth 1.0a, not offered here.
 */
export class WooCommerceStoreApi implements ICredentialType {
	name = 'wooCommerceStoreApi';

	displayName = 'WooCommerce Store API';

	icon: Icon = 'file:woocommerce.svg';

	documentationUrl = 'https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'Store URL',
			name: 'url',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://example.com',
			description: 'Address of the WordPress site, without /wp-json. Must be HTTPS.',
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
				'Whether to send the key as consumer_key/consumer_secret query parameters instead of HTTP Basic auth. Use it when the web server strips the Authorization header (some CGI/FastCGI set-ups).',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const consumerKey = String(credentials.consumerKey ?? '');
		const consumerSecret = String(credentials.consumerSecret ?? '');
		if (credentials.includeCredentialsInQuery === true) {
			delete requestOptions.auth;
			requestOptions.qs = {
				...(requestOptions.qs ?? {}),
				consumer_key: consumerKey,
				consumer_secret: consumerSecret,
			};
			return requestOptions;
		}
		requestOptions.auth = { username: consumerKey, password: consumerSecret };
		return requestOptions;
	}

	/**
	 * Lists one webhook: cheap, and it needs the same manage_woocommerce right the trigger needs.
	 * n8n 2.40 shows only the HTTP status text for a failed test request, so the rules spell out the causes.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.url.trim().replace(/\\/+$/, "")}}/wp-json/wc/v3',
			url: '/webhooks',
			qs: { per_page: 1 },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'WooCommerce refused the key (401). Check the consumer key and secret, that the key has Read/Write permission and belongs to an administrator or shop manager, and that the store URL uses HTTPS (WooCommerce ignores keys on plain HTTP).',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The store or a security plugin blocked the request (403). Allow /wp-json/wc/v3 for this key.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No WooCommerce REST API at this URL (404). Check the store URL, that WooCommerce is active and that WordPress permalinks are not set to "Plain".',
				},
			},
		],
	};
}
