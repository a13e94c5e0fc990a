import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IAuthenticateGeneric,
	INodeProperties,
} from 'n8n-workflow';

import {
	zohoAccountsUrl,
	zohoDataCenterProperties,
	zohoDefaultApiDomainExpression,
} from './zohoDataCenters';
import { parseZohoTokenAnswer, ZohoTokenError } from './zohoToken';

/**
 * Zoho CRM with a Self Client refresh token (server-to-server, no browser consent in n8n).
 * n8n calls `preAuthentication` when the hidden expirable `accessToken` is empty, and again with
 * credentialsExpired after a 401, then persists every key it returns (credentials-helper preAuthentication).
 */
export class ZohoCrmRefreshTokenApi implements ICredentialType {
	name = 'zohoCrmRefreshTokenApi';

	displayName = 'Zoho CRM Self Client API';

	icon = { light: 'file:zohoCrm.svg', dark: 'file:zohoCrm.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-woocommerce-zohocrm/n8n-nodes-woocommerce-zohocrm#zoho-credential';

	properties: INodeProperties[] = [
		...zohoDataCenterProperties,
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			description: 'From the Self Client in the Zoho API Console of your data center',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Refresh Token',
			name: 'refreshToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Exchange a Self Client grant code (with access_type=offline) once for a refresh token; it does not expire until revoked',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'API Domain',
			name: 'apiDomain',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Access Token Expires At',
			name: 'accessTokenExpiresAt',
			type: 'hidden',
			typeOptions: { password: true },
			default: '',
		},
	];

	/** POST {accounts}/oauth/v2/token grant_type=refresh_token (form body, as Zoho's docs and SDK send it). */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const accountsUrl = zohoAccountsUrl(credentials);
		if (!/^https?:\/\//.test(accountsUrl)) {
			throw new ZohoTokenError(
				'The Accounts Server URL is missing or not a URL (Data Center "Custom").',
				'no_accounts_url',
				'auth',
				null,
			);
		}
		const form = new URLSearchParams({
			grant_type: 'refresh_token',
			client_id: String(credentials.clientId ?? ''),
			client_secret: String(credentials.clientSecret ?? ''),
			refresh_token: String(credentials.refreshToken ?? ''),
		});
		// Zoho may send token errors with 200 or 400: read every status and let the body decide.
		const response = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${accountsUrl}/oauth/v2/token`,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
			body: form.toString(),
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 60000,
		})) as { statusCode?: number; body?: unknown } | undefined;
		const status = typeof response?.statusCode === 'number' ? response.statusCode : null;
		const answer = parseZohoTokenAnswer(response?.body, status);
		const result: IDataObject = {
			accessToken: answer.accessToken,
			apiDomain: answer.apiDomain ?? '',
			accessTokenExpiresAt:
				answer.expiresInMs === null ? '' : new Date(Date.now() + answer.expiresInMs).toISOString(),
		};
		return result;
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Zoho-oauthtoken {{$credentials.accessToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{ $credentials.apiDomain ? $credentials.apiDomain : ${zohoDefaultApiDomainExpression(
				'$credentials',
			)} }}`,
			url: '/crm/v8/settings/fields',
			qs: { module: 'Contacts' },
		},
	};
}
