import nock from 'nock';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { ZohoCrmOAuth2Api } from '../../credentials/ZohoCrmOAuth2Api.credentials';
import { ZohoCrmRefreshTokenApi } from '../../credentials/ZohoCrmRefreshTokenApi.credentials';
import {
	ZOHO_DATA_CENTERS,
	zohoAccountsUrl,
	zohoApiBase,
	zohoDefaultApiDomain,
} from '../../credentials/zohoDataCenters';
import { isZohoTokenError, parseZohoTokenAnswer, type ZohoTokenError } from '../../credentials/zohoToken';
import { createZohoContext, expressionWorkflow, mockNode, resolveCredentialData } from '../support/n8nCoreContext';

const oauth2 = new ZohoCrmOAuth2Api();
const refresh = new ZohoCrmRefreshTokenApi();
const property = (credential: { properties: Array<{ name: string }> }, name: string) =>
	credential.properties.find((p) => p.name === name) as IDataObject | undefined;

const workflow = expressionWorkflow;

/** Resolves a `={{ }}` value exactly as n8n's credentials-helper does: `$self` = the credential data. */
function resolveSelf(expression: string, data: IDataObject): string {
	const input = { ...data, value: expression };
	const out = workflow.expression.getComplexParameterValue(
		mockNode,
		input as never,
		'internal',
		{},
		undefined,
		undefined,
		input,
	) as IDataObject;
	return String(out.value);
}

/** Resolves a request field with `$credentials`, as the routing node does for a credential test request. */
function resolveWithCredentials(expression: string, credentials: IDataObject): string {
	return String(
		workflow.expression.getSimpleParameterValue(
			mockNode,
			expression,
			'internal',
			{ $credentials: credentials } as never,
			undefined,
			'',
		),
	);
}

const allDataCenters = Object.keys(ZOHO_DATA_CENTERS);

describe('zohoCrmOAuth2Api credential', () => {
	it('keeps the agreed names and n8n OAuth2 settings', () => {
		expect(oauth2.name).toBe('zohoCrmOAuth2Api');
		expect(oauth2.displayName).toBe('Zoho CRM OAuth2 API');
		expect(oauth2.extends).toEqual(['oAuth2Api']);
		expect(property(oauth2, 'grantType')).toMatchObject({ type: 'hidden', default: 'authorizationCode' });
		expect(property(oauth2, 'authQueryParameters')).toMatchObject({
			type: 'hidden',
			default: 'access_type=offline&prompt=consent',
		});
		expect(property(oauth2, 'authentication')).toMatchObject({ type: 'hidden', default: 'body' });
		expect(property(oauth2, 'scope')).toMatchObject({
			type: 'string',
			default:
				'ZohoCRM.modules.contacts.ALL,ZohoCRM.modules.accounts.ALL,ZohoCRM.modules.deals.ALL,' +
				'ZohoCRM.modules.salesorders.ALL,ZohoCRM.modules.products.ALL,ZohoCRM.settings.fields.READ,' +
				'ZohoCRM.coql.READ,ZohoCRM.composite_requests.CUSTOM',
		});
		const dataCenter = property(oauth2, 'dataCenter') as { options: Array<{ value: string }> };
		expect(dataCenter.options.map((o) => o.value)).toEqual([
			'com',
			'eu',
			'in',
			'com.au',
			'jp',
			'com.cn',
			'ca',
			'sa',
			'custom',
		]);
	});

	describe.each([
		['without the isolate', false],
		['with the expression isolate acquired (as credentials-helper does)', true],
	])('auth and token URLs follow the data center %s', (_label, useIsolate) => {
		beforeAll(async () => {
			if (useIsolate) await workflow.expression.acquireIsolate();
		});
		afterAll(async () => {
			if (useIsolate) await workflow.expression.releaseIsolate();
		});

		it.each(allDataCenters)('%s', (dc) => {
			const authUrl = String(property(oauth2, 'authUrl')?.default);
			const tokenUrl = String(property(oauth2, 'accessTokenUrl')?.default);
			expect(authUrl.startsWith('={{')).toBe(true);
			expect(resolveSelf(authUrl, { dataCenter: dc })).toBe(`${ZOHO_DATA_CENTERS[dc].accounts}/oauth/v2/auth`);
			expect(resolveSelf(tokenUrl, { dataCenter: dc })).toBe(`${ZOHO_DATA_CENTERS[dc].accounts}/oauth/v2/token`);
		});

		it('Canada uses accounts.zohocloud.ca; custom uses the entered accounts server', () => {
			const tokenUrl = String(property(oauth2, 'accessTokenUrl')?.default);
			expect(resolveSelf(tokenUrl, { dataCenter: 'ca' })).toBe('https://accounts.zohocloud.ca/oauth/v2/token');
			expect(
				resolveSelf(tokenUrl, { dataCenter: 'custom', customAccountsUrl: ' https://accounts.zoho.uk/ ' }),
			).toBe('https://accounts.zoho.uk/oauth/v2/token');
			expect(
				resolveSelf(String(property(oauth2, 'authUrl')?.default), {
					dataCenter: 'custom',
					customAccountsUrl: 'https://accounts.zoho.uk',
				}),
			).toBe('https://accounts.zoho.uk/oauth/v2/auth');
		});
	});

	it('the fake n8n context resolves the hidden URLs the same way (token refresh reads accessTokenUrl)', () => {
		const data = resolveCredentialData('zohoCrmOAuth2Api', { dataCenter: 'jp' });
		expect(data.accessTokenUrl).toBe('https://accounts.zoho.jp/oauth/v2/token');
		expect(data.authUrl).toBe('https://accounts.zoho.jp/oauth/v2/auth');
	});
});

describe('zohoCrmRefreshTokenApi credential', () => {
	beforeAll(() => nock.disableNetConnect());
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.enableNetConnect());

	const stored = (extra: IDataObject = {}): ICredentialDataDecryptedObject =>
		resolveCredentialData('zohoCrmRefreshTokenApi', {
			dataCenter: 'eu',
			clientId: '1000.CLIENT',
			clientSecret: 'secret',
			refreshToken: '1000.refresh',
			...extra,
		}) as ICredentialDataDecryptedObject;

	const preAuth = async (credentials: ICredentialDataDecryptedObject) => {
		const { context } = createZohoContext({ credentialType: 'zohoCrmRefreshTokenApi', credentials: {} });
		return await refresh.preAuthentication.call({ helpers: context.helpers } as never, credentials);
	};

	const preAuthError = async (credentials: ICredentialDataDecryptedObject): Promise<ZohoTokenError> => {
		try {
			await preAuth(credentials);
		} catch (error) {
			expect(error).not.toBeInstanceOf(TypeError);
			expect(isZohoTokenError(error)).toBe(true);
			return error as ZohoTokenError;
		}
		throw new Error('preAuthentication did not fail');
	};

	it('keeps the agreed names, hidden expirable access token and Zoho-oauthtoken header', () => {
		expect(refresh.name).toBe('zohoCrmRefreshTokenApi');
		expect(refresh.displayName).toBe('Zoho CRM Self Client API');
		expect(property(refresh, 'accessToken')).toMatchObject({
			type: 'hidden',
			default: '',
			typeOptions: { expirable: true },
		});
		expect(property(refresh, 'apiDomain')).toMatchObject({ type: 'hidden', default: '' });
		expect(property(refresh, 'clientSecret')?.typeOptions).toMatchObject({ password: true });
		expect(property(refresh, 'refreshToken')?.typeOptions).toMatchObject({ password: true });
		const header = refresh.authenticate.properties.headers?.Authorization as string;
		expect(resolveWithCredentials(header, { accessToken: '1000.abc' })).toBe('Zoho-oauthtoken 1000.abc');
	});

	it('the test request calls a cheap CRM endpoint on the token api_domain, else the data center domain', () => {
		const request = refresh.test.request;
		expect(request.url).toBe('/crm/v8/settings/fields');
		expect(request.qs).toEqual({ module: 'Contacts' });
		const baseURL = String(request.baseURL);
		expect(resolveWithCredentials(baseURL, { apiDomain: 'https://www.zohoapis.in', dataCenter: 'eu' })).toBe(
			'https://www.zohoapis.in',
		);
		for (const dc of allDataCenters) {
			for (const environment of ['production', 'sandbox', 'developer']) {
				expect(resolveWithCredentials(baseURL, { apiDomain: '', dataCenter: dc, environment })).toBe(
					zohoDefaultApiDomain({ dataCenter: dc, environment }),
				);
			}
		}
		expect(
			resolveWithCredentials(baseURL, {
				apiDomain: '',
				dataCenter: 'custom',
				customApiDomain: 'https://www.zohoapis.uk/',
			}),
		).toBe('https://www.zohoapis.uk');
	});

	it('preAuthentication posts the refresh-token grant as a form and returns token, api_domain and expiry', async () => {
		let form: URLSearchParams | undefined;
		nock('https://accounts.zoho.eu')
			.post('/oauth/v2/token', (body: string) => {
				form = new URLSearchParams(body);
				return true;
			})
			.matchHeader('content-type', 'application/x-www-form-urlencoded')
			.reply(200, {
				access_token: '1000.new',
				api_domain: 'https://www.zohoapis.eu',
				token_type: 'Bearer',
				expires_in: 3600,
			});
		const before = Date.now();
		const output = await preAuth(stored());
		expect(Object.fromEntries(form?.entries() ?? [])).toEqual({
			grant_type: 'refresh_token',
			client_id: '1000.CLIENT',
			client_secret: 'secret',
			refresh_token: '1000.refresh',
		});
		expect(output.accessToken).toBe('1000.new');
		expect(output.apiDomain).toBe('https://www.zohoapis.eu');
		const expiresAt = Date.parse(String(output.accessTokenExpiresAt));
		expect(expiresAt).toBeGreaterThanOrEqual(before + 3600_000);
		expect(expiresAt).toBeLessThan(Date.now() + 3600_000 + 1000);
	});

	it('goes to the accounts server of the data center (Canada: accounts.zohocloud.ca)', async () => {
		nock('https://accounts.zohocloud.ca')
			.post('/oauth/v2/token')
			.reply(200, { access_token: 'ca-token', api_domain: 'https://www.zohoapis.ca', expires_in: 3600 });
		const output = await preAuth(stored({ dataCenter: 'ca' }));
		expect(output.accessToken).toBe('ca-token');
		expect(output.apiDomain).toBe('https://www.zohoapis.ca');
	});

	it('invalid_code with HTTP 200 → tells the user to reconnect / make a new refresh token', async () => {
		nock('https://accounts.zoho.eu').post('/oauth/v2/token').reply(200, { error: 'invalid_code' });
		const error = await preAuthError(stored());
		expect(error.kind).toBe('auth');
		expect(error.zohoError).toBe('invalid_code');
		expect(error.message).toMatch(/revoked/);
		expect(error.message).toMatch(/reconnect/);
	});

	it('invalid_client → points at client id/secret and the data center', async () => {
		nock('https://accounts.zoho.eu').post('/oauth/v2/token').reply(200, { error: 'invalid_client' });
		const error = await preAuthError(stored());
		expect(error.kind).toBe('auth');
		expect(error.message).toMatch(/Client ID/);
		expect(error.message).toMatch(/Data Center/);
	});

	it.each([200, 400])('Access Denied (too many requests) with HTTP %s → throttle error naming the limit', async (status) => {
		nock('https://accounts.zoho.eu').post('/oauth/v2/token').reply(status, {
			error_description: 'You have made too many requests continuously. Please try again after some time.',
			error: 'Access Denied',
			status: 'failure',
		});
		const error = await preAuthError(stored());
		expect(error.kind).toBe('rate_limit');
		expect(error.httpStatus).toBe(status);
		expect(error.message).toMatch(/10 access tokens per refresh token in 10 minutes/);
	});

	it.each([
		['an HTML page', 'text/html', '<html>Bad gateway</html>'],
		['an empty body', 'application/json', ''],
		['a JSON array', 'application/json', '[1,2]'],
		['JSON null', 'application/json', 'null'],
		['no access token', 'application/json', '{"api_domain":"https://www.zohoapis.eu"}'],
	])('an unexpected token answer (%s) is a clear error, never a TypeError', async (_label, type, body) => {
		nock('https://accounts.zoho.eu').post('/oauth/v2/token').reply(200, body, { 'Content-Type': type });
		const error = await preAuthError(stored());
		expect(error.kind).toBe('auth');
		expect(error.message).toMatch(/Zoho's token endpoint/);
	});

	it('a custom data center without accounts URL fails clearly before any request', async () => {
		const error = await preAuthError(stored({ dataCenter: 'custom', customAccountsUrl: '' }));
		expect(error.message).toMatch(/Accounts Server URL/);
	});
});

describe('token answer parsing', () => {
	it('reads expires_in as seconds', () => {
		expect(parseZohoTokenAnswer({ access_token: 'a', expires_in: 3600 }).expiresInMs).toBe(3600_000);
	});

	it('reads the legacy expires_in_sec (seconds) + expires_in (milliseconds) variant', () => {
		expect(
			parseZohoTokenAnswer({ access_token: 'a', expires_in_sec: 3600, expires_in: 3600000 }).expiresInMs,
		).toBe(3600_000);
	});

	it('accepts a JSON string and reports a missing expiry as null', () => {
		const answer = parseZohoTokenAnswer('{"access_token":"a","api_domain":"https://www.zohoapis.jp "}');
		expect(answer).toEqual({ accessToken: 'a', apiDomain: 'https://www.zohoapis.jp', expiresInMs: null });
	});
});

describe('data centers and API base', () => {
	it.each(allDataCenters)('%s: accounts server and production / sandbox / developer API domains', (dc) => {
		const suffix = ZOHO_DATA_CENTERS[dc].apiSuffix;
		expect(zohoAccountsUrl({ dataCenter: dc })).toBe(ZOHO_DATA_CENTERS[dc].accounts);
		expect(zohoDefaultApiDomain({ dataCenter: dc })).toBe(`https://www.zohoapis.${suffix}`);
		expect(zohoDefaultApiDomain({ dataCenter: dc, environment: 'sandbox' })).toBe(
			`https://sandbox.zohoapis.${suffix}`,
		);
		expect(zohoDefaultApiDomain({ dataCenter: dc, environment: 'developer' })).toBe(
			`https://developer.zohoapis.${suffix}`,
		);
	});

	it('Canada: accounts.zohocloud.ca but www.zohoapis.ca', () => {
		expect(zohoAccountsUrl({ dataCenter: 'ca' })).toBe('https://accounts.zohocloud.ca');
		expect(zohoDefaultApiDomain({ dataCenter: 'ca' })).toBe('https://www.zohoapis.ca');
	});

	it('api_domain from the token answer wins over the data center, then the custom domain', () => {
		expect(zohoApiBase({ dataCenter: 'com' }, 'https://www.zohoapis.eu/')).toBe('https://www.zohoapis.eu');
		expect(zohoApiBase({ dataCenter: 'com', environment: 'sandbox' })).toBe('https://sandbox.zohoapis.com');
		expect(zohoApiBase({ dataCenter: 'custom', customApiDomain: 'https://www.zohoapis.uk' })).toBe(
			'https://www.zohoapis.uk',
		);
	});
});
