import type { INodeProperties } from 'n8n-workflow';

/**
 * Zoho data centers: accounts server (OAuth) and API domain suffix.
 * Source: Zoho CRM v8 multi-DC page and the official Node SDK 8.0 `lib/routes/dc/*.js`.
 * Canada's accounts server is accounts.zohocloud.ca while its API domain is zohoapis.ca.
 */
export const ZOHO_DATA_CENTERS: Record<string, { name: string; accounts: string; apiSuffix: string }> = {
	com: { name: 'United States (zoho.com)', accounts: 'https://accounts.zoho.com', apiSuffix: 'com' },
	eu: { name: 'Europe (zoho.eu)', accounts: 'https://accounts.zoho.eu', apiSuffix: 'eu' },
	in: { name: 'India (zoho.in)', accounts: 'https://accounts.zoho.in', apiSuffix: 'in' },
	'com.au': { name: 'Australia (zoho.com.au)', accounts: 'https://accounts.zoho.com.au', apiSuffix: 'com.au' },
	jp: { name: 'Japan (zoho.jp)', accounts: 'https://accounts.zoho.jp', apiSuffix: 'jp' },
	'com.cn': { name: 'China (zoho.com.cn)', accounts: 'https://accounts.zoho.com.cn', apiSuffix: 'com.cn' },
	ca: { name: 'Canada (zohocloud.ca)', accounts: 'https://accounts.zohocloud.ca', apiSuffix: 'ca' },
	sa: { name: 'Saudi Arabia (zoho.sa)', accounts: 'https://accounts.zoho.sa', apiSuffix: 'sa' },
};

export type ZohoEnvironment = 'production' | 'sandbox' | 'developer';

export interface ZohoDataCenterSettings {
	dataCenter?: string;
	environment?: string;
	customAccountsUrl?: string;
	customApiDomain?: string;
}

const trimSlash = (url: string) => url.trim().replace(/\/+$/, '');

/** The accounts server (no trailing slash) for a credential's data center. */
export function zohoAccountsUrl(settings: ZohoDataCenterSettings): string {
	if (settings.dataCenter === 'custom') return trimSlash(settings.customAccountsUrl ?? '');
	return (ZOHO_DATA_CENTERS[settings.dataCenter ?? 'com'] ?? ZOHO_DATA_CENTERS.com).accounts;
}

/**
 * The API base for CRM calls when the token response gave no `api_domain`:
 * www./sandbox./developer.zohoapis.<dc>, or the custom API domain.
 */
export function zohoDefaultApiDomain(settings: ZohoDataCenterSettings): string {
	if (settings.dataCenter === 'custom') return trimSlash(settings.customApiDomain ?? '');
	const dc = ZOHO_DATA_CENTERS[settings.dataCenter ?? 'com'] ?? ZOHO_DATA_CENTERS.com;
	const host = { production: 'www', sandbox: 'sandbox', developer: 'developer' }[
		(settings.environment ?? 'production') as ZohoEnvironment
	];
	return `https://${host ?? 'www'}.zohoapis.${dc.apiSuffix}`;
}

/**
 * Which API base to call: `api_domain` from Zoho's token response when Zoho gives one (it names the org's
 * data center), else derived from data center and environment, else the custom API domain.
 */
export function zohoApiBase(settings: ZohoDataCenterSettings, tokenApiDomain?: string): string {
	if (tokenApiDomain) return trimSlash(tokenApiDomain);
	return zohoDefaultApiDomain(settings);
}

/** The data-center parameters shared by both Zoho credential types. */
export const zohoDataCenterProperties: INodeProperties[] = [
	{
		displayName: 'Data Center',
		name: 'dataCenter',
		type: 'options',
		options: [
			...Object.entries(ZOHO_DATA_CENTERS).map(([value, dc]) => ({ name: dc.name, value })),
			{ name: 'Custom (Enter URLs)', value: 'custom' },
		],
		default: 'com',
		description:
			'Where your Zoho account lives: the domain you see when you log in to Zoho CRM (crm.zoho.eu → Europe)',
	},
	{
		displayName: 'Environment',
		name: 'environment',
		type: 'options',
		options: [
			{ name: 'Production', value: 'production' },
			{ name: 'Sandbox', value: 'sandbox' },
			{ name: 'Developer', value: 'developer' },
		],
		default: 'production',
		description: 'Tokens are issued per environment: a sandbox token only works against sandbox.zohoapis.*',
	},
	{
		displayName: 'Accounts Server URL',
		name: 'customAccountsUrl',
		type: 'string',
		default: '',
		placeholder: 'https://accounts.zoho.com',
		description: 'Zoho accounts server that issues tokens (the "accounts-server" Zoho names after consent)',
		displayOptions: { show: { dataCenter: ['custom'] } },
	},
	{
		displayName: 'API Domain',
		name: 'customApiDomain',
		type: 'string',
		default: '',
		placeholder: 'https://www.zohoapis.com',
		description: 'Base URL of the Zoho CRM API, without /crm/v8',
		displayOptions: { show: { dataCenter: ['custom'] } },
	},
];

/*
 * n8n expressions for credential fields (`$self` inside a credential's own hidden fields, `$credentials` in
 * `test` / `authenticate`). Generated from the table above so the expressions and the TypeScript helpers
 * cannot drift apart. Plain JavaScript only: n8n evaluates them in its expression sandbox.
 */
type CredentialRef = '$self' | '$credentials';

const accountsByDataCenter = JSON.stringify(
	Object.fromEntries(Object.entries(ZOHO_DATA_CENTERS).map(([key, dc]) => [key, dc.accounts])),
);
const apiSuffixByDataCenter = JSON.stringify(
	Object.fromEntries(Object.entries(ZOHO_DATA_CENTERS).map(([key, dc]) => [key, dc.apiSuffix])),
);
const hostByEnvironment = JSON.stringify({ production: 'www', sandbox: 'sandbox', developer: 'developer' });

/** A URL field without surrounding spaces and trailing slashes, as an expression. */
const trimmedUrl = (value: string) => `String(${value} || "").trim().replace(/\\/+$/, "")`;

/** Expression (without `={{ }}`) for the accounts server of the credential's data center. */
export function zohoAccountsUrlExpression(ref: CredentialRef): string {
	return (
		`(${ref}["dataCenter"] === "custom" ? ${trimmedUrl(`${ref}["customAccountsUrl"]`)} : ` +
		`(${accountsByDataCenter}[${ref}["dataCenter"]] || "${ZOHO_DATA_CENTERS.com.accounts}"))`
	);
}

/** Expression (without `={{ }}`) for the default API domain (no token `api_domain` known). */
export function zohoDefaultApiDomainExpression(ref: CredentialRef): string {
	return (
		`(${ref}["dataCenter"] === "custom" ? ${trimmedUrl(`${ref}["customApiDomain"]`)} : ` +
		`"https://" + (${hostByEnvironment}[${ref}["environment"]] || "www") + ".zohoapis." + ` +
		`(${apiSuffixByDataCenter}[${ref}["dataCenter"]] || "com"))`
	);
}
