/**
 * zohoWriteRecords / zohoCoql / zohoGetFields / concurrency cap / API base per data center.
 */
import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import * as clock from '../../nodes/ZohoCrmOrderSync/transport/clock';
import {
	FIELDS_TTL_MS,
	zohoApiBaseUrl,
	zohoApiRequest,
	zohoCoql,
	zohoGetFields,
	zohoWriteRecords,
} from '../../nodes/ZohoCrmOrderSync/transport';
import type { ZohoRecordResult } from '../../nodes/ZohoCrmOrderSync/types';
import { createZohoContext } from '../support/n8nCoreContext';
import {
	errorItem,
	oauth2Context,
	recordWaits,
	refreshTokenContext,
	setUpNock,
	successItem,
	US_API,
} from '../support/zohoTransportFixtures';
import { ZOHO_DATA_CENTERS } from '../../credentials/zohoDataCenters';

setUpNock();

const contacts = (count: number, from = 0): IDataObject[] =>
	Array.from({ length: count }, (_, i) => ({ Email: `c${from + i}@example.com`, Last_Name: `C${from + i}` }));

function okResult(result: ZohoRecordResult) {
	if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
	return result;
}
function failedResult(result: ZohoRecordResult) {
	if (result.ok) throw new Error('expected a failed record');
	return result.error;
}

describe('zohoWriteRecords', () => {
	it('207 partial failure in a 100-record upsert: each result lands on its own record', async () => {
		const { context } = oauth2Context();
		const records = contacts(100);
		const invalid = { api_name: 'Email', json_path: '$.data[3].Email', expected_data_type: 'email' };
		const mandatory = { api_name: 'Last_Name', json_path: '$.data[57].Last_Name' };
		let sent: IDataObject | undefined;
		nock(US_API)
			.post('/crm/v8/Contacts/upsert', (body: IDataObject) => {
				sent = body;
				return true;
			})
			.reply(207, {
				data: records.map((_, i) =>
					i === 3
						? errorItem('INVALID_DATA', invalid)
						: i === 57
							? errorItem('MANDATORY_NOT_FOUND', mandatory, 'required field not found')
							: successItem(`id-${i}`, i % 2 ? 'update' : 'insert', i % 2 ? 'Email' : null),
				),
			});

		const { results } = await zohoWriteRecords.call(context, {
			module: 'Contacts',
			records,
			mode: 'upsert',
			duplicateCheckFields: ['Email'],
			trigger: [],
			operation: 'contact.upsert',
		});

		expect(sent).toEqual({ data: records, duplicate_check_fields: ['Email'], trigger: [] });
		expect(results).toHaveLength(100);
		expect(okResult(results[0])).toMatchObject({ id: 'id-0', action: 'insert', duplicateField: null });
		expect(okResult(results[1])).toMatchObject({ id: 'id-1', action: 'update', duplicateField: 'Email' });
		expect(okResult(results[99]).id).toBe('id-99');
		expect(failedResult(results[3])).toMatchObject({
			category: 'validation',
			httpCode: 207,
			zohoCode: 'INVALID_DATA',
			details: invalid,
			attempts: 1,
			operation: 'contact.upsert',
			request: {
				method: 'POST',
				path: '/crm/v8/Contacts/upsert',
				body: { data: [records[3]], duplicate_check_fields: ['Email'], trigger: [] },
			},
		});
		expect(failedResult(results[57])).toMatchObject({
			zohoCode: 'MANDATORY_NOT_FOUND',
			details: mandatory,
			request: { body: { data: [records[57]] } },
		});
		expect(results.filter((r) => !r.ok)).toHaveLength(2);
	});

	it('a 400 envelope (the only record failed) is a per-record result, not a thrown error; one call', async () => {
		const waits = recordWaits();
		const { context } = oauth2Context();
		const records = contacts(1);
		const scope = nock(US_API)
			.post('/crm/v8/Contacts/upsert')
			.reply(400, { data: [errorItem('INVALID_DATA', { api_name: 'Email', expected_data_type: 'email' })] });
		const { results } = await zohoWriteRecords.call(context, {
			module: 'Contacts',
			records,
			mode: 'upsert',
			duplicateCheckFields: ['Email'],
			operation: 'contact.upsert',
		});
		expect(scope.isDone()).toBe(true);
		expect(waits).toEqual([]);
		expect(failedResult(results[0])).toMatchObject({ category: 'validation', httpCode: 400, zohoCode: 'INVALID_DATA' });
	});

	it('more than 100 records go out in calls of at most 100, results in input order', async () => {
		const { context } = oauth2Context();
		const records = contacts(250);
		const sizes: number[] = [];
		nock(US_API)
			.post('/crm/v8/Contacts')
			.times(3)
			.reply(201, (_uri, body) => {
				const data = (body as { data: IDataObject[] }).data;
				sizes.push(data.length);
				return { data: data.map((record) => successItem(`id-${String(record.Email)}`)) };
			});
		const { results } = await zohoWriteRecords.call(context, {
			module: 'Contacts',
			records,
			mode: 'insert',
			operation: 'contact.create',
		});
		expect(sizes).toEqual([100, 100, 50]);
		expect(results.map((r) => okResult(r).id)).toEqual(records.map((r) => `id-${String(r.Email)}`));
	});

	it('a whole-call failure gives every record of that chunk the error, each with its own body', async () => {
		recordWaits();
		jest.spyOn(clock, 'random').mockReturnValue(0.5);
		const { context } = oauth2Context();
		const records = contacts(101);
		nock(US_API)
			.post('/crm/v8/Contacts/upsert')
			.reply(200, { data: contacts(100).map((_, i) => successItem(`id-${i}`)) }, { 'X-API-CREDITS-REMAINING': '900' });
		nock(US_API)
			.post('/crm/v8/Contacts/upsert')
			.times(4)
			.reply(500, { code: 'INTERNAL_ERROR', details: {}, message: 'Internal Server Error', status: 'error' });
		const { results, creditsRemaining } = await zohoWriteRecords.call(context, {
			module: 'Contacts',
			records,
			mode: 'upsert',
			duplicateCheckFields: ['Email'],
			operation: 'contact.upsert',
		});
		expect(creditsRemaining).toBe(900);
		expect(results.slice(0, 100).every((r) => r.ok)).toBe(true);
		expect(failedResult(results[100])).toMatchObject({
			category: 'server',
			httpCode: 500,
			zohoCode: 'INTERNAL_ERROR',
			attempts: 4,
			request: { body: { data: [records[100]], duplicate_check_fields: ['Email'] } },
		});
	});

	it('401 scope mismatch for a batch: every record gets the scope error', async () => {
		const { context } = oauth2Context();
		const records = contacts(3);
		nock(US_API).post('/crm/v8/Deals/upsert').reply(401, {
			code: 'OAUTH_SCOPE_MISMATCH',
			details: {},
			message: 'invalid oauth scope to access this URL',
			status: 'error',
		});
		const { results } = await zohoWriteRecords.call(context, {
			module: 'Deals',
			records,
			mode: 'upsert',
			duplicateCheckFields: ['WooCommerce_Order_ID'],
			operation: 'deal.upsert',
		});
		results.forEach((result, i) => {
			expect(failedResult(result)).toMatchObject({
				category: 'scope',
				details: { requiredScope: 'ZohoCRM.modules.deals.ALL' },
				request: { body: { data: [records[i]] } },
			});
		});
	});

	it('DUPLICATE_DATA on a duplicate-check field (an upsert race) is re-sent once and then updates', async () => {
		const { context } = oauth2Context();
		const deals = [
			{ Deal_Name: 'WC #1', WooCommerce_Order_ID: '1' },
			{ Deal_Name: 'WC #2', WooCommerce_Order_ID: '2' },
			{ Deal_Name: 'WC #3', WooCommerce_Order_ID: '3' },
		];
		const bodies: IDataObject[] = [];
		nock(US_API)
			.post('/crm/v8/Deals/upsert', (body: IDataObject) => {
				bodies.push(body);
				return true;
			})
			.reply(207, {
				data: [
					successItem('d1'),
					errorItem('DUPLICATE_DATA', { api_name: 'WooCommerce_Order_ID', json_path: '$.data[1].WooCommerce_Order_ID' }, 'duplicate data'),
					errorItem('DUPLICATE_DATA', { api_name: 'Email_Address', json_path: '$.data[2].Email_Address' }, 'duplicate data'),
				],
			});
		nock(US_API)
			.post('/crm/v8/Deals/upsert', (body: IDataObject) => {
				bodies.push(body);
				return true;
			})
			.reply(200, { data: [successItem('d2', 'update', 'WooCommerce_Order_ID')] });

		const { results } = await zohoWriteRecords.call(context, {
			module: 'Deals',
			records: deals,
			mode: 'upsert',
			duplicateCheckFields: ['WooCommerce_Order_ID'],
			operation: 'deal.upsert',
		});

		expect(bodies).toHaveLength(2);
		expect(bodies[1]).toEqual({ data: [deals[1]], duplicate_check_fields: ['WooCommerce_Order_ID'] });
		expect(okResult(results[0]).id).toBe('d1');
		expect(okResult(results[1])).toMatchObject({ id: 'd2', action: 'update' });
		// a clash on another unique field is real bad data: not re-sent
		expect(failedResult(results[2])).toMatchObject({ zohoCode: 'DUPLICATE_DATA', details: { api_name: 'Email_Address' } });
	});

	it('the race re-send happens only once', async () => {
		const { context } = oauth2Context();
		const deal = { Deal_Name: 'WC #9', WooCommerce_Order_ID: '9' };
		const duplicate = errorItem('DUPLICATE_DATA', { api_name: 'WooCommerce_Order_ID' }, 'duplicate data');
		const scope = nock(US_API).post('/crm/v8/Deals/upsert').times(2).reply(400, { data: [duplicate] });
		const { results } = await zohoWriteRecords.call(context, {
			module: 'Deals',
			records: [deal],
			mode: 'upsert',
			duplicateCheckFields: ['WooCommerce_Order_ID'],
			operation: 'deal.upsert',
		});
		expect(scope.isDone()).toBe(true);
		expect(failedResult(results[0])).toMatchObject({ zohoCode: 'DUPLICATE_DATA', attempts: 2 });
	});

	it('fewer results than records: the missing ones are errors, not crashes', async () => {
		const { context } = oauth2Context();
		nock(US_API).post('/crm/v8/Contacts/upsert').reply(200, { data: [successItem('a')] });
		const { results } = await zohoWriteRecords.call(context, {
			module: 'Contacts',
			records: contacts(2),
			mode: 'upsert',
			operation: 'contact.upsert',
		});
		expect(okResult(results[0]).id).toBe('a');
		expect(failedResult(results[1]).message).toMatch(/no result for this record/);
	});
});

describe('zohoCoql', () => {
	const query = "select id, Email from Contacts where Email = 'a@example.com' limit 1";

	it('204 No Content → []', async () => {
		const { context } = oauth2Context();
		nock(US_API).post('/crm/v8/coql', { select_query: query }).reply(204);
		await expect(zohoCoql.call(context, query, 'contact.find')).resolves.toEqual([]);
	});

	it('200 with an empty or missing data → []; rows are returned as sent', async () => {
		const { context } = oauth2Context();
		nock(US_API).post('/crm/v8/coql').reply(200, { data: [], info: { count: 0, more_records: false } });
		nock(US_API).post('/crm/v8/coql').reply(200, {});
		nock(US_API).post('/crm/v8/coql').reply(200, { data: [{ id: '1', Email: 'a@example.com' }] });
		await expect(zohoCoql.call(context, query, 'contact.find')).resolves.toEqual([]);
		await expect(zohoCoql.call(context, query, 'contact.find')).resolves.toEqual([]);
		await expect(zohoCoql.call(context, query, 'contact.find')).resolves.toEqual([{ id: '1', Email: 'a@example.com' }]);
	});

	it('a GET answered 204 (search) gives body null', async () => {
		const { context } = oauth2Context();
		nock(US_API).get('/crm/v8/Contacts/search').query({ email: 'x@example.com' }).reply(204);
		const response = await zohoApiRequest.call(context, {
			method: 'GET',
			path: '/crm/v8/Contacts/search',
			qs: { email: 'x@example.com' },
			operation: 'contact.search',
		});
		expect(response).toMatchObject({ status: 204, body: null, creditsRemaining: null });
	});
});

describe('zohoGetFields', () => {
	const fields = [{ api_name: 'Email', display_label: 'Email', data_type: 'email', unique: { casesensitive: false } }];

	it('caches per org and module (FIELDS_TTL_MS, a day); refresh asks again', async () => {
		const { context } = oauth2Context();
		const scope = nock(US_API).get('/crm/v8/settings/fields').query({ module: 'Contacts' }).times(2).reply(200, { fields });
		nock(US_API).get('/crm/v8/settings/fields').query({ module: 'Deals' }).reply(200, { fields: [] });
		await expect(zohoGetFields.call(context, 'Contacts')).resolves.toEqual(fields);
		await expect(zohoGetFields.call(context, 'Contacts')).resolves.toEqual(fields);
		await expect(zohoGetFields.call(context, 'Deals')).resolves.toEqual([]);
		expect(scope.pendingMocks()).toHaveLength(1); // one Contacts call so far
		await zohoGetFields.call(context, 'Contacts', { refresh: true });
		expect(scope.isDone()).toBe(true);
	});

	it('the cache expires after FIELDS_TTL_MS and is kept apart per credential', async () => {
		const start = Date.now();
		const now = jest.spyOn(clock, 'now').mockReturnValue(start);
		const first = oauth2Context({}, { credentialId: 'org-a' }).context;
		const second = oauth2Context({}, { credentialId: 'org-b' }).context;
		const scope = nock(US_API).get('/crm/v8/settings/fields').query(true).times(3).reply(200, { fields });
		await zohoGetFields.call(first, 'Contacts');
		await zohoGetFields.call(second, 'Contacts');
		now.mockReturnValue(start + FIELDS_TTL_MS + 1);
		await zohoGetFields.call(first, 'Contacts');
		expect(scope.isDone()).toBe(true);
	});

	it('works from a load-options context', async () => {
		const { context } = createZohoContext({
			credentialType: 'zohoCrmRefreshTokenApi',
			credentials: { dataCenter: 'jp', clientId: 'c', clientSecret: 's', refreshToken: 'r', accessToken: 'tok', apiDomain: '' },
			kind: 'loadOptions',
		});
		nock('https://www.zohoapis.jp')
			.matchHeader('authorization', 'Zoho-oauthtoken tok')
			.get('/crm/v8/settings/fields')
			.query({ module: 'Products' })
			.reply(200, { fields });
		await expect(zohoGetFields.call(context, 'Products')).resolves.toEqual(fields);
	});

	it('a failed load is not cached', async () => {
		const { context } = oauth2Context();
		nock(US_API).get('/crm/v8/settings/fields').query(true).reply(400, { code: 'INVALID_MODULE', details: {}, message: 'bad', status: 'error' });
		nock(US_API).get('/crm/v8/settings/fields').query(true).reply(200, { fields });
		await expect(zohoGetFields.call(context, 'Nope')).rejects.toThrow(/INVALID_MODULE/);
		await expect(zohoGetFields.call(context, 'Nope')).resolves.toEqual(fields);
	});
});

describe('per-org concurrency cap', () => {
	async function runBurst(count: number, maxConcurrency?: number, credentialIds = ['org-1']) {
		const contexts = credentialIds.map((credentialId) => oauth2Context({}, { credentialId }).context);
		let inFlight = 0;
		let peak = 0;
		nock(US_API)
			.post('/crm/v8/Contacts/upsert')
			.times(count * contexts.length)
			.reply(async () => {
				inFlight++;
				peak = Math.max(peak, inFlight);
				await new Promise((resolve) => setTimeout(resolve, 25));
				inFlight--;
				return [200, { data: [successItem('x')] }];
			});
		await Promise.all(
			contexts.flatMap((context) =>
				Array.from({ length: count }, () =>
					zohoApiRequest.call(context, {
						method: 'POST',
						path: '/crm/v8/Contacts/upsert',
						body: { data: [{ Email: 'a@example.com' }] },
						operation: 'contact.upsert',
						limits: maxConcurrency === undefined ? undefined : { maxConcurrency },
					}),
				),
			),
		);
		return peak;
	}

	it('never more than maxConcurrency calls in flight', async () => {
		expect(await runBurst(12, 3)).toBe(3);
	});

	it('defaults to 5', async () => {
		expect(await runBurst(12)).toBe(5);
	});

	it('different credentials (orgs) each have their own cap', async () => {
		expect(await runBurst(6, 2, ['org-a', 'org-b'])).toBe(4);
	});
});

describe('API base per data center', () => {
	const environments = ['production', 'sandbox', 'developer'] as const;
	const hosts = { production: 'www', sandbox: 'sandbox', developer: 'developer' };

	it.each(Object.keys(ZOHO_DATA_CENTERS))('%s: data-center domain for each environment until a token names one', async (dc) => {
		for (const environment of environments) {
			const { context } = refreshTokenContext({ dataCenter: dc, environment });
			await expect(zohoApiBaseUrl.call(context)).resolves.toBe(
				`https://${hosts[environment]}.zohoapis.${ZOHO_DATA_CENTERS[dc].apiSuffix}`,
			);
		}
	});

	it('Canada: tokens from accounts.zohocloud.ca, API on www.zohoapis.ca', async () => {
		const { context } = refreshTokenContext({ dataCenter: 'ca' });
		nock('https://accounts.zohocloud.ca')
			.post('/oauth/v2/token')
			.reply(200, { access_token: 'ca', api_domain: 'https://www.zohoapis.ca', expires_in: 3600 });
		const crm = nock('https://www.zohoapis.ca').post('/crm/v8/coql').reply(204);
		await zohoCoql.call(context, 'select id from Contacts limit 1', 'contact.find');
		expect(crm.isDone()).toBe(true);
	});

	it('custom: the entered API domain; missing → a clear error', async () => {
		const custom = refreshTokenContext({ dataCenter: 'custom', customApiDomain: 'https://www.zohoapis.uk/' }).context;
		await expect(zohoApiBaseUrl.call(custom)).resolves.toBe('https://www.zohoapis.uk');
		const missing = refreshTokenContext({ dataCenter: 'custom', customApiDomain: '' }).context;
		await expect(zohoApiBaseUrl.call(missing)).rejects.toThrow(/API Domain/);
	});

	it('OAuth2 without api_domain in the token data: derived from data center and environment', async () => {
		const { context } = createZohoContext({
			credentialType: 'zohoCrmOAuth2Api',
			credentials: { dataCenter: 'sa', environment: 'sandbox', oauthTokenData: { access_token: 't' } },
		});
		await expect(zohoApiBaseUrl.call(context)).resolves.toBe('https://sandbox.zohoapis.sa');
	});
});
