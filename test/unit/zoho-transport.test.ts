/**
 * zohoApiRequest: auth and token refresh, retries and back-off, error translation.
 * Real HTTP through the fake n8n context (n8n 2.40.7 request-helper semantics), intercepted by nock.
 */
import nock from 'nock';
import { NodeApiError } from 'n8n-workflow';

import * as clock from '../../nodes/ZohoCrmOrderSync/transport/clock';
import {
	ZohoApiError,
	zohoApiRequest,
	zohoCredentialType,
	type ZohoRequest,
} from '../../nodes/ZohoCrmOrderSync/transport';
import { createZohoContext } from '../support/n8nCoreContext';
import {
	EU_ACCOUNTS,
	EU_API,
	oauth2Context,
	recordWaits,
	refreshTokenContext,
	setUpNock,
	US_ACCOUNTS,
	US_API,
} from '../support/zohoTransportFixtures';

setUpNock();

const upsert: ZohoRequest = {
	method: 'POST',
	path: '/crm/v8/Contacts/upsert',
	body: { data: [{ Email: 'a@example.com', Last_Name: 'A' }], duplicate_check_fields: ['Email'] },
	operation: 'contact.upsert',
};
const ok = { data: [{ code: 'SUCCESS', status: 'success', details: { id: '1' }, action: 'insert' }] };
const invalidToken = { code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' };
const serverError = { code: 'INTERNAL_ERROR', details: {}, message: 'Internal Server Error', status: 'error' };
const tooMany = {
	code: 'TOO_MANY_REQUESTS',
	details: {},
	message: 'too many requests. please try again after some time',
	status: 'error',
};

/** A socket error as Node's http module raises it. */
const netError = (code: string, message: string) => Object.assign(new Error(message), { code });

async function expectZohoError(promise: Promise<unknown>): Promise<ZohoApiError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(ZohoApiError);
		expect(error).toBeInstanceOf(NodeApiError);
		return error as ZohoApiError;
	}
	throw new Error('expected a ZohoApiError');
}

describe('auth header and token refresh', () => {
	it('OAuth2: signs with the stored token on the token api_domain', async () => {
		const { context } = oauth2Context();
		const scope = nock(US_API)
			.matchHeader('authorization', 'Bearer old-token')
			.post('/crm/v8/Contacts/upsert', upsert.body as nock.DataMatcherMap)
			.reply(200, ok, { 'X-API-CREDITS-REMAINING': '4321' });
		const response = await zohoApiRequest.call(context, upsert);
		expect(response).toMatchObject({ status: 200, body: ok, attempts: 1, creditsRemaining: 4321 });
		expect(scope.isDone()).toBe(true);
	});

	it('OAuth2: 401 INVALID_TOKEN → n8n refreshes once (Zoho token endpoint) → request succeeds', async () => {
		const { context, stored, tokenRequests } = oauth2Context();
		let refreshForm: URLSearchParams | undefined;
		nock(US_API)
			.matchHeader('authorization', 'Bearer old-token')
			.post('/crm/v8/Contacts/upsert')
			.times(2) // our non-throwing attempt, then n8n's own attempt in throwing mode
			.reply(401, invalidToken);
		nock(US_ACCOUNTS)
			.post('/oauth/v2/token', (body: string) => {
				refreshForm = new URLSearchParams(body);
				return true;
			})
			.reply(200, { access_token: 'new-token', token_type: 'Bearer', expires_in: 3600 });
		const retried = nock(US_API)
			.matchHeader('authorization', 'Bearer new-token')
			.post('/crm/v8/Contacts/upsert')
			.reply(200, ok);

		const response = await zohoApiRequest.call(context, upsert);

		expect(response.status).toBe(200);
		expect(response.attempts).toBe(2);
		expect(retried.isDone()).toBe(true);
		expect(tokenRequests()).toBe(1);
		expect(refreshForm?.get('grant_type')).toBe('refresh_token');
		expect(refreshForm?.get('client_id')).toBe('1000.CLIENT'); // authentication: body
		// n8n merges the new token data over the old: api_domain survives
		expect(stored.oauthTokenData).toMatchObject({ access_token: 'new-token', api_domain: US_API });
	});

	it('refresh token: first call fetches a token (preAuthentication) and sends Zoho-oauthtoken', async () => {
		const { context, stored } = refreshTokenContext();
		nock(EU_ACCOUNTS)
			.post('/oauth/v2/token')
			.reply(200, { access_token: 'tok-1', api_domain: EU_API, expires_in: 3600 });
		const crm = nock(EU_API)
			.matchHeader('authorization', 'Zoho-oauthtoken tok-1')
			.post('/crm/v8/Contacts/upsert')
			.reply(201, ok);
		const response = await zohoApiRequest.call(context, upsert);
		expect(response.status).toBe(201);
		expect(crm.isDone()).toBe(true);
		expect(stored).toMatchObject({ accessToken: 'tok-1', apiDomain: EU_API });
	});

	it('refresh token: 401 INVALID_TOKEN → preAuthentication again (credentialsExpired) → success', async () => {
		const { context, stored, tokenRequests } = refreshTokenContext({ accessToken: 'tok-1', apiDomain: EU_API });
		nock(EU_API)
			.matchHeader('authorization', 'Zoho-oauthtoken tok-1')
			.post('/crm/v8/Contacts/upsert')
			.times(2)
			.reply(401, invalidToken);
		nock(EU_ACCOUNTS)
			.post('/oauth/v2/token')
			.reply(200, { access_token: 'tok-2', api_domain: EU_API, expires_in: 3600 });
		const retried = nock(EU_API)
			.matchHeader('authorization', 'Zoho-oauthtoken tok-2')
			.post('/crm/v8/Contacts/upsert')
			.reply(200, ok);

		const response = await zohoApiRequest.call(context, upsert);

		expect(response.status).toBe(200);
		expect(retried.isDone()).toBe(true);
		expect(tokenRequests()).toBe(1);
		expect(stored.accessToken).toBe('tok-2');
	});

	it('refresh token: parallel 401s share one refresh (Zoho allows 10 tokens per 10 minutes)', async () => {
		const { context, tokenRequests } = refreshTokenContext({ accessToken: 'tok-1', apiDomain: EU_API });
		nock(EU_API)
			.matchHeader('authorization', 'Zoho-oauthtoken tok-1')
			.post('/crm/v8/Contacts/upsert')
			.times(4) // 3 first attempts + the refreshing call's throwing attempt
			.reply(401, invalidToken);
		nock(EU_ACCOUNTS)
			.post('/oauth/v2/token')
			.delay(50)
			.reply(200, { access_token: 'tok-2', api_domain: EU_API, expires_in: 3600 });
		nock(EU_API)
			.matchHeader('authorization', 'Zoho-oauthtoken tok-2')
			.post('/crm/v8/Contacts/upsert')
			.times(3)
			.reply(200, ok);

		const responses = await Promise.all([1, 2, 3].map(() => zohoApiRequest.call(context, upsert)));

		expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
		expect(tokenRequests()).toBe(1);
	});

	it('refresh token: another queue-mode worker stored a new token meanwhile → resent with it, no token call', async () => {
		const { context, stored, tokenRequests } = refreshTokenContext({ accessToken: 'tok-1', apiDomain: EU_API });
		nock(EU_API)
			.matchHeader('authorization', 'Zoho-oauthtoken tok-1')
			.post('/crm/v8/Contacts/upsert')
			.reply(() => {
				// the other worker's refresh lands in n8n's database while this call is out
				stored.accessToken = 'tok-2';
				return [401, invalidToken];
			});
		const token = nock(EU_ACCOUNTS).post('/oauth/v2/token').reply(200, { access_token: 'tok-3', expires_in: 3600 });
		const resent = nock(EU_API)
			.matchHeader('authorization', 'Zoho-oauthtoken tok-2')
			.post('/crm/v8/Contacts/upsert')
			.reply(200, ok);

		const response = await zohoApiRequest.call(context, upsert);

		expect(response.status).toBe(200);
		expect(resent.isDone()).toBe(true);
		expect(token.isDone()).toBe(false);
		expect(tokenRequests()).toBe(0);
	});

	it('refresh token: a token stored by another worker that is refused too → one refresh after all', async () => {
		const { context, stored, tokenRequests } = refreshTokenContext({ accessToken: 'tok-1', apiDomain: EU_API });
		nock(EU_API)
			.matchHeader('authorization', 'Zoho-oauthtoken tok-1')
			.post('/crm/v8/Contacts/upsert')
			.reply(() => {
				stored.accessToken = 'tok-2';
				return [401, invalidToken];
			});
		nock(EU_API)
			.matchHeader('authorization', 'Zoho-oauthtoken tok-2')
			.post('/crm/v8/Contacts/upsert')
			.times(2) // the resend, then the refreshing call's throwing attempt
			.reply(401, invalidToken);
		nock(EU_ACCOUNTS).post('/oauth/v2/token').reply(200, { access_token: 'tok-3', api_domain: EU_API, expires_in: 3600 });
		nock(EU_API).matchHeader('authorization', 'Zoho-oauthtoken tok-3').post('/crm/v8/Contacts/upsert').reply(200, ok);

		const response = await zohoApiRequest.call(context, upsert);

		expect(response.status).toBe(200);
		expect(tokenRequests()).toBe(1);
		expect(stored.accessToken).toBe('tok-3');
	});

	it('OAuth2: a refresh answered with HTTP 200 {"error":"invalid_code"} ends in a clear reconnect error', async () => {
		const { context } = oauth2Context();
		// n8n merges the error answer into the token data and retries with the old token
		nock(US_API).post('/crm/v8/Contacts/upsert').times(3).reply(401, invalidToken);
		nock(US_ACCOUNTS).post('/oauth/v2/token').reply(200, { error: 'invalid_code' });
		const error = await expectZohoError(zohoApiRequest.call(context, upsert));
		expect(error.syncError).toMatchObject({ category: 'auth', httpCode: 401, zohoCode: 'INVALID_TOKEN' });
		expect(error.syncError.details.tokenError).toBe('invalid_code');
		expect(error.message).toMatch(/reconnect/);
	});

	it('OAuth2: a refresh answered "Access Denied" (HTTP 400) → throttle error, no crash', async () => {
		const { context } = oauth2Context();
		nock(US_API).post('/crm/v8/Contacts/upsert').times(2).reply(401, invalidToken);
		nock(US_ACCOUNTS).post('/oauth/v2/token').reply(400, {
			error_description: 'You have made too many requests continuously. Please try again after some time.',
			error: 'Access Denied',
			status: 'failure',
		});
		const error = await expectZohoError(zohoApiRequest.call(context, upsert));
		expect(error.syncError).toMatchObject({ category: 'rate_limit', zohoCode: 'Access Denied' });
		expect(error.message).toMatch(/10 access tokens per refresh token in 10 minutes/);
	});

	it.each([
		['invalid_code', 'auth', /reconnect/],
		['invalid_client', 'auth', /Data Center/],
	])('refresh token: token answer %s with HTTP 200 → %s error, no CRM call', async (code, category, text) => {
		const { context } = refreshTokenContext();
		nock(EU_ACCOUNTS).post('/oauth/v2/token').reply(200, { error: code });
		const error = await expectZohoError(zohoApiRequest.call(context, upsert));
		expect(error.syncError).toMatchObject({ category, zohoCode: code, attempts: 1 });
		expect(error.message).toMatch(text);
		expect(nock.pendingMocks()).toEqual([]);
	});

	it('refresh token: "Access Denied" → rate_limit; further 401s do not ask for tokens for 10 minutes', async () => {
		const { context, tokenRequests } = refreshTokenContext({ accessToken: 'tok-1', apiDomain: EU_API });
		nock(EU_API).post('/crm/v8/Contacts/upsert').times(2).reply(401, invalidToken);
		nock(EU_ACCOUNTS).post('/oauth/v2/token').reply(200, {
			error_description: 'You have made too many requests continuously. Please try again after some time.',
			error: 'Access Denied',
			status: 'failure',
		});
		const first = await expectZohoError(zohoApiRequest.call(context, upsert));
		expect(first.syncError.category).toBe('rate_limit');
		expect(first.message).toMatch(/10 minutes/);
		expect(tokenRequests()).toBe(1);

		nock(EU_API).post('/crm/v8/Contacts/upsert').reply(401, invalidToken);
		const second = await expectZohoError(zohoApiRequest.call(context, upsert));
		expect(second.syncError.category).toBe('rate_limit');
		expect(tokenRequests()).toBe(1);
	});

	it('refresh token: an HTML token answer is an auth error, not a TypeError', async () => {
		const { context } = refreshTokenContext();
		nock(EU_ACCOUNTS).post('/oauth/v2/token').reply(200, '<html>oops</html>', { 'Content-Type': 'text/html' });
		const error = await expectZohoError(zohoApiRequest.call(context, upsert));
		expect(error.syncError.category).toBe('auth');
	});

	it('OAUTH_SCOPE_MISMATCH → no refresh, no retry, names the scope the call needs', async () => {
		const { context, tokenRequests } = oauth2Context();
		const scope = nock(US_API).post('/crm/v8/Contacts/upsert').reply(401, {
			code: 'OAUTH_SCOPE_MISMATCH',
			details: {},
			message: 'invalid oauth scope to access this URL',
			status: 'error',
		});
		const error = await expectZohoError(zohoApiRequest.call(context, upsert));
		expect(scope.isDone()).toBe(true);
		expect(tokenRequests()).toBe(0);
		expect(error.syncError).toMatchObject({
			category: 'scope',
			httpCode: 401,
			zohoCode: 'OAUTH_SCOPE_MISMATCH',
			attempts: 1,
			details: { requiredScope: 'ZohoCRM.modules.contacts.ALL' },
		});
		expect(error.message).toMatch(/needs the scope ZohoCRM\.modules\.contacts\.ALL/);
	});

	it('403 NO_PERMISSION → auth, one call', async () => {
		const { context } = oauth2Context();
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(403, {
			code: 'NO_PERMISSION',
			details: { permissions: ['Crm_Implied_Create_Contacts'] },
			message: 'permission denied',
			status: 'error',
		});
		const error = await expectZohoError(zohoApiRequest.call(context, upsert));
		expect(error.syncError).toMatchObject({ category: 'auth', httpCode: 403, attempts: 1 });
	});
});

describe('retries and back-off', () => {
	it('429 with Retry-After (seconds) waits exactly that long', async () => {
		const waits = recordWaits();
		const { context } = oauth2Context();
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(429, tooMany, { 'Retry-After': '7' });
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(200, ok);
		const response = await zohoApiRequest.call(context, upsert);
		expect(waits).toEqual([7000]);
		expect(response.attempts).toBe(2);
	});

	it('429 with Retry-After as an HTTP date waits until then', async () => {
		const waits = recordWaits();
		const fixedNow = Date.UTC(2025, 0, 1, 12, 0, 0);
		jest.spyOn(clock, 'now').mockReturnValue(fixedNow);
		const { context } = oauth2Context();
		nock(US_API)
			.post('/crm/v8/Contacts/upsert')
			.reply(429, tooMany, { 'Retry-After': new Date(fixedNow + 3000).toUTCString() });
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(200, ok);
		await zohoApiRequest.call(context, upsert);
		expect(waits).toEqual([3000]);
	});

	it('429 without Retry-After backs off 1 s, 5 s, 25 s with ±20 % jitter', async () => {
		const waits = recordWaits();
		const { context } = oauth2Context();
		nock(US_API).post('/crm/v8/Contacts/upsert').times(3).reply(429, tooMany);
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(200, ok);
		const response = await zohoApiRequest.call(context, upsert);
		expect(response.attempts).toBe(4);
		expect(waits).toHaveLength(3);
		[1000, 5000, 25000].forEach((base, index) => {
			expect(waits[index]).toBeGreaterThanOrEqual(base * 0.8);
			expect(waits[index]).toBeLessThanOrEqual(base * 1.2);
		});
	});

	it.each([
		[0, [800, 4000, 20000]],
		[0.5, [1000, 5000, 25000]],
		[0.99999, [1200, 6000, 30000]],
	])('jitter with random() = %s gives %j', async (randomValue, expected) => {
		const waits = recordWaits();
		jest.spyOn(clock, 'random').mockReturnValue(randomValue);
		const { context } = oauth2Context();
		nock(US_API).post('/crm/v8/Contacts/upsert').times(3).reply(429, tooMany);
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(200, ok);
		await zohoApiRequest.call(context, upsert);
		expect(waits).toEqual(expected);
	});

	it('5xx three times, then success', async () => {
		const waits = recordWaits();
		jest.spyOn(clock, 'random').mockReturnValue(0.5);
		const { context } = oauth2Context();
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(500, serverError);
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(502, '<html>Bad Gateway</html>');
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(503, '');
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(200, ok);
		const response = await zohoApiRequest.call(context, upsert);
		expect(response.status).toBe(200);
		expect(response.attempts).toBe(4);
		expect(waits).toEqual([1000, 5000, 25000]);
	});

	it('5xx until the 60 s budget is spent → server error after 4 attempts, waits within budget', async () => {
		const waits = recordWaits();
		jest.spyOn(clock, 'random').mockReturnValue(0.9999); // longest jitter: 1.2 s + 6 s + 30 s = 37.2 s
		const { context } = oauth2Context();
		const scope = nock(US_API).post('/crm/v8/Contacts/upsert').times(4).reply(500, serverError);
		const error = await expectZohoError(zohoApiRequest.call(context, upsert));
		expect(scope.isDone()).toBe(true);
		expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(60000);
		expect(waits).toHaveLength(3);
		expect(error.syncError).toMatchObject({
			category: 'server',
			httpCode: 500,
			zohoCode: 'INTERNAL_ERROR',
			attempts: 4,
			operation: 'contact.upsert',
		});
		expect(error.message).toMatch(/after 4 attempts/);
	});

	it('a smaller maxRetryWaitMs ends retries when the next wait would exceed it', async () => {
		const waits = recordWaits();
		jest.spyOn(clock, 'random').mockReturnValue(0.5);
		const { context } = oauth2Context();
		const scope = nock(US_API).post('/crm/v8/Contacts/upsert').times(2).reply(503, serverError);
		const error = await expectZohoError(
			zohoApiRequest.call(context, { ...upsert, limits: { maxRetryWaitMs: 5000 } }),
		);
		expect(scope.isDone()).toBe(true);
		expect(waits).toEqual([1000]); // 1 s fits; 1 s + 5 s would not
		expect(error.syncError.attempts).toBe(2);
	});

	it('Retry-After: 0 (or a past date) waits the back-off floor, and attempts stop at the cap', async () => {
		const waits = recordWaits();
		jest.spyOn(clock, 'random').mockReturnValue(0.5);
		const { context } = oauth2Context();
		const scope = nock(US_API).post('/crm/v8/Contacts/upsert').times(6).reply(429, tooMany, { 'Retry-After': '0' });
		const error = await expectZohoError(
			zohoApiRequest.call(context, { ...upsert, limits: { maxRetryWaitMs: 100 * 60_000 } }),
		);
		expect(scope.isDone()).toBe(true);
		expect(waits).toEqual([1000, 5000, 25000, 125000, 625000].slice(0, 5));
		expect(error.syncError).toMatchObject({ category: 'rate_limit', attempts: 6 });
	});

	it('the budget is wall-clock: time spent in requests counts, not only the waits', async () => {
		let now = 1_000_000;
		jest.spyOn(clock, 'now').mockImplementation(() => now);
		jest.spyOn(clock, 'random').mockReturnValue(0.5);
		const waits: number[] = [];
		jest.spyOn(clock, 'wait').mockImplementation(async (ms: number) => {
			waits.push(ms);
			now += ms;
		});
		const { context } = oauth2Context();
		// every attempt takes 25 s before Zoho answers 500
		nock(US_API)
			.post('/crm/v8/Contacts/upsert')
			.times(3)
			.reply(() => {
				now += 25_000;
				return [500, serverError];
			});
		const error = await expectZohoError(zohoApiRequest.call(context, { ...upsert, limits: { maxRetryWaitMs: 60_000 } }));
		// 25 s + 1 s + 25 s + 5 s = 56 s; another 25 s wait would end past 60 s
		expect(waits).toEqual([1000, 5000]);
		expect(error.syncError).toMatchObject({ category: 'server', attempts: 3 });
	});

	it('a back-off wait ends when the execution is cancelled', async () => {
		const { context } = oauth2Context();
		const controller = new AbortController();
		Object.assign(context, { getExecutionCancelSignal: () => controller.signal });
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(429, tooMany, { 'Retry-After': '30' });
		const started = Date.now();
		const call = zohoApiRequest.call(context, upsert);
		setTimeout(() => controller.abort(new Error('cancelled')), 200);
		await expect(call).rejects.toThrow();
		expect(Date.now() - started).toBeLessThan(5_000);
	});

	it('a Retry-After longer than the budget is not waited for', async () => {
		const waits = recordWaits();
		const { context } = oauth2Context();
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(429, tooMany, { 'Retry-After': '120' });
		const error = await expectZohoError(zohoApiRequest.call(context, upsert));
		expect(waits).toEqual([]);
		expect(error.syncError).toMatchObject({ category: 'rate_limit', httpCode: 429, attempts: 1 });
	});

	it.each([
		['ECONNRESET', netError('ECONNRESET', 'socket hang up')],
		['ECONNREFUSED', netError('ECONNREFUSED', 'connect ECONNREFUSED')],
		['ETIMEDOUT', netError('ETIMEDOUT', 'connect ETIMEDOUT')],
		['EPIPE', netError('EPIPE', 'write EPIPE')],
	])('network error %s is retried', async (_label, networkError) => {
		const waits = recordWaits();
		const { context } = oauth2Context();
		nock(US_API).post('/crm/v8/Contacts/upsert').replyWithError(networkError);
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(200, ok);
		const response = await zohoApiRequest.call(context, upsert);
		expect(response.attempts).toBe(2);
		expect(waits).toHaveLength(1);
	});

	it('a request timeout is retried', async () => {
		recordWaits();
		const { context } = oauth2Context();
		nock(US_API).post('/crm/v8/Contacts/upsert').delayConnection(200).reply(200, ok);
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(200, ok);
		// the transport asks n8n for a 60 s timeout; shorten it here by patching the helper's options
		const helpers = context.helpers as { httpRequestWithAuthentication: (...args: unknown[]) => unknown };
		const original = helpers.httpRequestWithAuthentication;
		helpers.httpRequestWithAuthentication = async (type: unknown, options: unknown, extra: unknown) =>
			await original.call(context, type, { ...(options as object), timeout: 50 }, extra);
		const response = await zohoApiRequest.call(context, upsert);
		expect(response.attempts).toBe(2);
	});

	it('network errors until the budget is spent → network error with a readable message', async () => {
		recordWaits();
		jest.spyOn(clock, 'random').mockReturnValue(0.5);
		const { context } = oauth2Context();
		nock(US_API)
			.post('/crm/v8/Contacts/upsert')
			.times(4)
			.replyWithError(netError('ECONNRESET', 'socket hang up'));
		const error = await expectZohoError(zohoApiRequest.call(context, upsert));
		expect(error.syncError).toMatchObject({
			category: 'network',
			httpCode: null,
			attempts: 4,
			details: { networkCode: 'ECONNRESET' },
		});
		// n8n replaces messages containing socket codes; ours must survive
		expect(error.message).toMatch(/^Zoho CRM could not be reached/);
	});

	it('a plain insert (idempotent: false) is not repeated after a 5xx, but is after a 429', async () => {
		const waits = recordWaits();
		const { context } = oauth2Context();
		const insert: ZohoRequest = { ...upsert, path: '/crm/v8/Deals', operation: 'deal.create', idempotent: false };
		const failed = nock(US_API).post('/crm/v8/Deals').reply(500, serverError);
		const error = await expectZohoError(zohoApiRequest.call(context, insert));
		expect(failed.isDone()).toBe(true);
		expect(error.syncError).toMatchObject({ category: 'server', attempts: 1 });

		nock(US_API).post('/crm/v8/Deals').reply(429, tooMany);
		nock(US_API).post('/crm/v8/Deals').reply(201, ok);
		const response = await zohoApiRequest.call(context, insert);
		expect(response.attempts).toBe(2);
		expect(waits).toHaveLength(1);
	});
});

describe('errors that are not retried', () => {
	it('400 INVALID_DATA: exactly one HTTP call, Zoho details surfaced as sent', async () => {
		const waits = recordWaits();
		const { context } = oauth2Context();
		const details = { expected_data_type: 'email', api_name: 'Email', json_path: '$.data[0].Email' };
		const scope = nock(US_API)
			.post('/crm/v8/Contacts/upsert')
			.reply(400, { data: [{ code: 'INVALID_DATA', details, message: 'invalid data', status: 'error' }] });
		const error = await expectZohoError(zohoApiRequest.call(context, upsert));
		expect(scope.isDone()).toBe(true);
		expect(waits).toEqual([]);
		expect(error.syncError).toEqual({
			category: 'validation',
			httpCode: 400,
			zohoCode: 'INVALID_DATA',
			message: 'invalid data',
			details,
			attempts: 1,
			request: { method: 'POST', path: '/crm/v8/Contacts/upsert', body: upsert.body },
			operation: 'contact.upsert',
			failedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
		});
		expect(error.message).toBe(
			'Zoho CRM rejected the request: INVALID_DATA — invalid data (field Email, expected email)',
		);
		expect(error.httpCode).toBe('400');
		expect(error.description).toContain('"api_name":"Email"');
	});

	it.each([
		[404, 'INVALID_URL_PATTERN'],
		[412, 'ALREADY_MODIFIED'],
	])('%s %s → validation, one call', async (status, code) => {
		const { context } = oauth2Context();
		const scope = nock(US_API)
			.post('/crm/v8/Contacts/upsert')
			.reply(status, { code, details: {}, message: 'nope', status: 'error' });
		const error = await expectZohoError(zohoApiRequest.call(context, upsert));
		expect(scope.isDone()).toBe(true);
		expect(error.syncError).toMatchObject({ category: 'validation', httpCode: status, zohoCode: code, attempts: 1 });
	});
});

describe('API base and credential choice', () => {
	it('uses api_domain from the OAuth2 token answer over the data center', async () => {
		const { context } = oauth2Context({ api_domain: 'https://www.zohoapis.com.au' });
		const scope = nock('https://www.zohoapis.com.au').get('/crm/v8/settings/fields').query(true).reply(200, {});
		await zohoApiRequest.call(context, {
			method: 'GET',
			path: '/crm/v8/settings/fields',
			qs: { module: 'Contacts' },
			operation: 'fields.get',
		});
		expect(scope.isDone()).toBe(true);
	});

	it('refresh token: the api_domain of the token answer is stored and used by later calls', async () => {
		const { context, stored } = refreshTokenContext({ dataCenter: 'eu' });
		nock(EU_ACCOUNTS)
			.post('/oauth/v2/token')
			.reply(200, { access_token: 'tok-1', api_domain: 'https://www.zohoapis.in', expires_in: 3600 });
		// the very first call is built before the token exists: the data-center domain
		nock(EU_API).get('/crm/v8/settings/fields').query(true).reply(200, {});
		const later = nock('https://www.zohoapis.in').get('/crm/v8/settings/fields').query(true).reply(200, {});
		const request: ZohoRequest = {
			method: 'GET',
			path: '/crm/v8/settings/fields',
			qs: { module: 'Deals' },
			operation: 'fields.get',
		};
		await zohoApiRequest.call(context, request);
		expect(stored.apiDomain).toBe('https://www.zohoapis.in');
		await zohoApiRequest.call(context, request);
		expect(later.isDone()).toBe(true);
	});

	it('reads the authentication parameter (execute and load-options contexts; default oAuth2)', () => {
		const execute = createZohoContext({
			credentialType: 'zohoCrmRefreshTokenApi',
			credentials: {},
		}).context;
		expect(zohoCredentialType.call(execute)).toBe('zohoCrmRefreshTokenApi');
		const loadOptions = createZohoContext({
			credentialType: 'zohoCrmRefreshTokenApi',
			credentials: {},
			kind: 'loadOptions',
		}).context;
		expect(zohoCredentialType.call(loadOptions)).toBe('zohoCrmRefreshTokenApi');
		const noParameter = createZohoContext({
			credentialType: 'zohoCrmOAuth2Api',
			credentials: {},
			nodeParameters: { authentication: undefined },
		}).context;
		expect(zohoCredentialType.call(noParameter)).toBe('zohoCrmOAuth2Api');
	});
});
