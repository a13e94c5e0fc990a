/** Shared set-up for the Zoho transport unit tests: credentials, nock hosts, recorded back-off waits. */
import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import * as clock from '../../nodes/ZohoCrmOrderSync/transport/clock';
import { resetZohoFieldsCache, resetZohoRequestState } from '../../nodes/ZohoCrmOrderSync/transport';
import { createZohoContext, type ZohoContextOptions } from './n8nCoreContext';

export const US_API = 'https://www.zohoapis.com';
export const US_ACCOUNTS = 'https://accounts.zoho.com';
export const EU_API = 'https://www.zohoapis.eu';
export const EU_ACCOUNTS = 'https://accounts.zoho.eu';

export function oauth2Credentials(tokenData: IDataObject = {}, extra: IDataObject = {}): IDataObject {
	return {
		dataCenter: 'com',
		environment: 'production',
		clientId: '1000.CLIENT',
		clientSecret: 'client-secret',
		oauthTokenData: {
			access_token: 'old-token',
			refresh_token: '1000.refresh',
			api_domain: US_API,
			token_type: 'Bearer',
			expires_in: 3600,
			...tokenData,
		},
		...extra,
	};
}

export function refreshTokenCredentials(extra: IDataObject = {}): IDataObject {
	return {
		dataCenter: 'eu',
		environment: 'production',
		clientId: '1000.CLIENT',
		clientSecret: 'client-secret',
		refreshToken: '1000.refresh',
		accessToken: '',
		apiDomain: '',
		...extra,
	};
}

export function oauth2Context(tokenData: IDataObject = {}, options: Partial<ZohoContextOptions> = {}) {
	return createZohoContext({
		credentialType: 'zohoCrmOAuth2Api',
		credentials: oauth2Credentials(tokenData),
		...options,
	});
}

export function refreshTokenContext(extra: IDataObject = {}, options: Partial<ZohoContextOptions> = {}) {
	return createZohoContext({
		credentialType: 'zohoCrmRefreshTokenApi',
		credentials: refreshTokenCredentials(extra),
		...options,
	});
}

/** Replaces clock.wait so back-off waits are recorded and return at once. */
export function recordWaits(): number[] {
	const waits: number[] = [];
	jest.spyOn(clock, 'wait').mockImplementation(async (ms: number) => {
		waits.push(ms);
	});
	return waits;
}

export function setUpNock(): void {
	beforeAll(() => nock.disableNetConnect());
	afterAll(() => nock.enableNetConnect());
	beforeEach(() => {
		resetZohoRequestState();
		resetZohoFieldsCache();
	});
	afterEach(() => {
		nock.cleanAll();
		jest.restoreAllMocks();
	});
}

export const successItem = (id: string, action: 'insert' | 'update' = 'insert', duplicateField: string | null = null) => ({
	code: 'SUCCESS',
	duplicate_field: duplicateField,
	action,
	details: { id, Created_Time: '2025-01-01T00:00:00+00:00' },
	message: action === 'insert' ? 'record added' : 'record updated',
	status: 'success',
});

export const errorItem = (code: string, details: IDataObject, message = 'invalid data') => ({
	code,
	details,
	message,
	status: 'error',
});
