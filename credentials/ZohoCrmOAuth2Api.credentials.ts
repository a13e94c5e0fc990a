import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import {
	zohoAccountsUrlExpression,
	zohoDataCenterProperties,
	zohoDefaultApiDomainExpression,
} from './zohoDataCenters';

/** The least the Zoho CRM Order Sync nodes need. Zoho separates scopes with commas. */
export const ZOHO_CRM_DEFAULT_SCOPES = [
	'ZohoCRM.modules.contacts.ALL',
	'ZohoCRM.modules.accounts.ALL',
	'ZohoCRM.modules.deals.ALL',
	'ZohoCRM.modules.salesorders.ALL',
	'ZohoCRM.modules.products.ALL',
	'ZohoCRM.settings.fields.READ',
	'ZohoCRM.coql.READ',
	// Order → Sync in One Call: "ZohoCRM.composite_requests.CUSTOM (and) Scope of the subrequest"
	// (https://www.zoho.com/crm/developer/docs/api/v8/composite-api.html)
	'ZohoCRM.composite_requests.CUSTOM',
].join(',');

/**
 * Zoho CRM through n8n's OAuth2 flow. The accounts server follows the chosen data center; API calls go to the
 * `api_domain` Zoho returns with the token (kept by n8n in oauthTokenData), which names the org's data center.
 * n8n resolves `$self` in hidden fields both for the authorization URL and for token refreshes
 * (credentials-helper applyDefaultsAndOverwrites passes the credential data as `$self`).
 */
export class ZohoCrmOAuth2Api implements ICredentialType {
	name = 'zohoCrmOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Zoho CRM OAuth2 API';

	icon = { light: 'file:zohoCrm.svg', dark: 'file:zohoCrm.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-woocommerce-zohocrm/n8n-nodes-woocommerce-zohocrm#zoho-credential';

	properties: INodeProperties[] = [
		...zohoDataCenterProperties,
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: `={{ ${zohoAccountsUrlExpression('$self')} + "/oauth/v2/auth" }}`,
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: `={{ ${zohoAccountsUrlExpression('$self')} + "/oauth/v2/token" }}`,
			required: true,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: ZOHO_CRM_DEFAULT_SCOPES,
			description:
				'Comma-separated Zoho scopes. The default is what the sync nodes need; reconnect after changing it.',
		},
		{
			// access_type=offline: Zoho only issues a refresh token then; prompt=consent: it issues one on every
			// (re)connect, not only the first (https://www.zoho.com/accounts/protocol/oauth/web-apps/authorization.html)
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: 'access_type=offline&prompt=consent',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
	];

	/** Reads the Contacts fields with the connected token, at the org's `api_domain` when Zoho named one. */
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{ $credentials.oauthTokenData && $credentials.oauthTokenData.api_domain ? $credentials.oauthTokenData.api_domain : ${zohoDefaultApiDomainExpression(
				'$credentials',
			)} }}`,
			url: '/crm/v8/settings/fields',
			qs: { module: 'Contacts' },
		},
	};
}
