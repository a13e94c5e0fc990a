/**
 * Order → Sync in One Call as n8n runs it (test/support/nodeHarness.ts) against the Zoho emulator's Composite API:
 * one Zoho call per order, all or nothing, the same keys as the two-node workflow, metadata kept in the workflow's
 * static data.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { ZohoEmulator } from '../emulators/zoho';
import { FIELDS_TTL_MS, resetZohoFieldsCache, resetZohoRequestState } from '../../nodes/ZohoCrmOrderSync/transport';
import * as clock from '../../nodes/ZohoCrmOrderSync/transport/clock';
import type { ZohoSyncError } from '../../nodes/ZohoCrmOrderSync/types';
import { buildOrderSubRequests } from '../../nodes/ZohoCrmOrderSync/mapping/orderInOneCall';
import { harnessCredentialId, runNode, type RunNodeOptions } from '../support/nodeHarness';
import { recordWaits } from '../support/zohoTransportFixtures';

const ORDERS = join(__dirname, '..', 'fixtures', 'orders');
const order = (name: string, overrides: IDataObject = {}): IDataObject => ({
	...(JSON.parse(readFileSync(join(ORDERS, `${name}.json`), 'utf8')) as IDataObject),
	...overrides,
});
const ONE_CALL = { resource: 'order', operation: 'syncInOneCall' };
const errorOf = (item: INodeExecutionData) => item.json.error as ZohoSyncError;
const callNames = (zoho: ZohoEmulator) => zoho.apiCalls().map((call) => `${call.method} ${call.path}`);

let zoho: ZohoEmulator;
const run = async (items: RunNodeOptions['items'], extra: Partial<RunNodeOptions> = {}, parameters: IDataObject = {}) =>
	await runNode({ emulator: zoho, credentialType: 'zohoCrmRefreshTokenApi', parameters: { ...ONE_CALL, ...parameters }, items, nodeName: 'Sync Order', ...extra });

beforeEach(() => {
	resetZohoFieldsCache();
	resetZohoRequestState();
	recordWaits();
});
afterEach(() => jest.restoreAllMocks());

describe('mapping', () => {
	test('account (when there is a company), contact and deal upserts, one record each, linked by references', () => {
		const subs = buildOrderSubRequests({
			account: { Account_Name: 'Acme' },
			contact: { Email: 'a@example.com', Last_Name: 'A' },
			deal: { Deal_Name: 'D', WooCommerce_Order_ID: '7' },
			orderIdField: 'WooCommerce_Order_ID',
			apiVersionPath: '/crm/v8',
			trigger: [],
		});
		expect(subs.map((sub) => `${sub.id} ${sub.uri} ${JSON.stringify(sub.body.duplicate_check_fields)}`)).toEqual([
			'account /crm/v8/Accounts/upsert ["Account_Name"]',
			'contact /crm/v8/Contacts/upsert ["Email"]',
			'deal /crm/v8/Deals/upsert ["WooCommerce_Order_ID"]',
		]);
		expect(subs.every((sub) => (sub.body.data as unknown[]).length === 1 && (sub.body.trigger as unknown[]).length === 0)).toBe(true);
		expect((subs[1].body.data as IDataObject[])[0].Account_Name).toEqual({ id: '@{account:$.data[0].details.id}' });
		expect((subs[2].body.data as IDataObject[])[0]).toMatchObject({
			Contact_Name: { id: '@{contact:$.data[0].details.id}' },
			Account_Name: { id: '@{account:$.data[0].details.id}' },
		});
		const guest = buildOrderSubRequests({ contact: { Email: 'g@example.com' }, deal: { Account_Name: { id: '1' } }, orderIdField: 'F', apiVersionPath: '/crm/v8' });
		expect(guest.map((sub) => sub.id)).toEqual(['contact', 'deal']);
		expect((guest[1].body.data as IDataObject[])[0].Account_Name).toBeUndefined();
	});
});

describe('standard org', () => {
	beforeAll(async () => {
		zoho = await ZohoEmulator.start({ orderIdField: true }); // an org that has been set up
	});
	afterAll(async () => await zoho.stop());
	beforeEach(() => zoho.reset());

	test('an order with a company: account, contact and deal in ONE composite call with rollback_on_fail', async () => {
		const input = order('main-sample');
		const staticData: IDataObject = {};
		const { successItems, errorItems } = await run([input], { staticData });
		expect(errorItems).toEqual([]);
		// the first order of a fresh install reads the Deals metadata once; then one call per order
		expect(callNames(zoho)).toEqual(['GET /crm/v8/settings/fields', 'POST /crm/v8/__composite_requests']);
		const composite = zoho.apiCalls()[1].body;
		expect(composite).toMatchObject({ rollback_on_fail: true, parallel_execution: false });
		expect(composite.__composite_requests.map((sub: IDataObject) => sub.uri)).toEqual([
			'/crm/v8/Accounts/upsert',
			'/crm/v8/Contacts/upsert',
			'/crm/v8/Deals/upsert',
		]);
		const [account] = zoho.records('Accounts');
		const [contact] = zoho.records('Contacts');
		const [deal] = zoho.records('Deals');
		expect(account).toMatchObject({ Account_Name: 'Acme Widgets Ltd', Billing_City: 'San Francisco' });
		expect(contact).toMatchObject({ Email: 'john.doe@example.com', Last_Name: 'Doe', Account_Name: { id: account.id } });
		expect(deal).toMatchObject({
			WooCommerce_Order_ID: '727',
			Stage: 'Closed Won',
			Contact_Name: { id: contact.id },
			Account_Name: { id: account.id },
		});
		expect(successItems[0].json.zoho).toEqual({
			account: { id: account.id, action: 'insert', name: 'Acme Widgets Ltd' },
			contact: { id: contact.id, action: 'insert' },
			deal: { id: deal.id, action: 'insert', orderId: '727' },
		});
		expect(zoho.creditsUsed()).toBe(1 + 2); // metadata read + one composite call with rollback

		// n8n restarted (process caches gone): the metadata comes from the workflow's static data, so no second read
		resetZohoFieldsCache();
		zoho.reset();
		await run([order('main-sample', { id: 728, number: '728' })], { staticData });
		expect(callNames(zoho)).toEqual(['POST /crm/v8/__composite_requests']);
	});

	test('the same order again (a webhook retry, a replay) updates the same three records', async () => {
		await run([order('main-sample')]);
		const again = await run([order('main-sample', { total: '99.00' })]);
		expect(zoho.records('Accounts')).toHaveLength(1);
		expect(zoho.records('Contacts')).toHaveLength(1);
		expect(zoho.records('Deals')).toHaveLength(1);
		expect(zoho.records('Deals')[0].Amount).toBe(99);
		expect((again.successItems[0].json.zoho as IDataObject).deal).toMatchObject({ action: 'update' });
	});

	test('one order twice in a batch is one composite call; a guest without company gets no account sub-request', async () => {
		await run([order('main-sample')]); // metadata cached
		zoho.reset();
		const result = await run([order('guest-no-company'), order('guest-no-company')]);
		expect(result.successItems).toHaveLength(2);
		expect(callNames(zoho)).toEqual(['POST /crm/v8/__composite_requests']);
		expect(zoho.apiCalls()[0].body.__composite_requests.map((sub: IDataObject) => sub.sub_request_id)).toEqual(['contact', 'deal']);
		expect(zoho.records('Accounts')).toHaveLength(0);
	});

	test('a refused sub-request rolls everything back: nothing half-written, a structured error for the dead letters', async () => {
		zoho.addValidationRule((module, record) =>
			module === 'Deals' && record.Amount === 50 ? { code: 'INVALID_DATA', message: 'invalid data', details: { api_name: 'Amount', json_path: '$.data[0].Amount' } } : undefined,
		);
		const { successItems, errorItems } = await run([order('main-sample', { total: '50.00' })]);
		expect(successItems).toEqual([]);
		expect(zoho.records('Accounts')).toEqual([]);
		expect(zoho.records('Contacts')).toEqual([]);
		expect(zoho.records('Deals')).toEqual([]);
		const error = errorOf(errorItems[0]);
		expect(error).toMatchObject({
			category: 'validation',
			httpCode: 400,
			zohoCode: 'INVALID_DATA',
			operation: 'order.syncInOneCall',
			node: 'Sync Order',
			details: { api_name: 'Amount', sub_request_id: 'deal' },
			request: { method: 'POST', path: '/crm/v8/__composite_requests' },
		});
		expect((error.request.body as IDataObject).__composite_requests).toHaveLength(3);
		expect(errorItems[0].json.id).toBe(727); // the order travels with the error
		expect(zoho.apiCalls().filter((call) => call.path.endsWith('__composite_requests'))).toHaveLength(1);
	});

	test('another writer inserted the same deal key in between (DUPLICATE_DATA on the order id): sent once more, it updates', async () => {
		let raced = false;
		zoho.addValidationRule((module) => {
			if (module !== 'Deals' || raced) return undefined;
			raced = true;
			return { code: 'DUPLICATE_DATA', message: 'duplicate data', details: { api_name: 'WooCommerce_Order_ID', json_path: '$.data[0].WooCommerce_Order_ID' } };
		});
		const { successItems, errorItems } = await run([order('main-sample')]);
		expect(errorItems).toEqual([]);
		expect(successItems).toHaveLength(1);
		expect(zoho.apiCalls().filter((call) => call.path.endsWith('__composite_requests')).map((call) => call.status)).toEqual([400, 200]);
		expect(zoho.records('Deals')).toHaveLength(1);
		expect(zoho.records('Contacts')).toHaveLength(1);
	});

	test('without ZohoCRM.composite_requests.CUSTOM: a scope error naming nothing half-written', async () => {
		zoho.restrictScopes(['ZohoCRM.modules.ALL', 'ZohoCRM.settings.ALL', 'ZohoCRM.coql.READ']);
		zoho.expireAccessTokens();
		const { errorItems } = await run([order('main-sample')]);
		expect(errorOf(errorItems[0])).toMatchObject({ category: 'scope', zohoCode: 'OAUTH_SCOPE_MISMATCH' });
		expect(zoho.records('Contacts')).toEqual([]);
		zoho.restrictScopes(null);
		zoho.expireAccessTokens();
	});

	test('metadata due for its daily refresh rides along in the composite call instead of a call of its own', async () => {
		const staticData: IDataObject = {};
		const start = Date.now();
		const now = jest.spyOn(clock, 'now').mockReturnValue(start);
		await run([order('main-sample')], { staticData });
		zoho.reset();
		now.mockReturnValue(start + FIELDS_TTL_MS); // a day later: a quiet shop
		await run([order('main-sample', { id: 800, number: '800' })], { staticData });
		expect(callNames(zoho)).toEqual(['POST /crm/v8/__composite_requests']);
		const subs = zoho.apiCalls()[0].body.__composite_requests as IDataObject[];
		expect(subs.map((sub) => sub.sub_request_id)).toEqual(['account', 'contact', 'deal', 'dealFields']);
		// n8n keeps a workflow's 'global' static data under the key `global`
		const stored = ((staticData.global as IDataObject).zohoCrmFieldMetadata as Record<string, { loadedAt: number }>)[
			`zohoCrmRefreshTokenApi:${harnessCredentialId(zoho)}|Deals`
		];
		expect(stored.loadedAt).toBe(start + FIELDS_TTL_MS);
		zoho.reset();
		await run([order('main-sample', { id: 801, number: '801' })], { staticData });
		expect((zoho.apiCalls()[0].body.__composite_requests as IDataObject[]).map((sub) => sub.sub_request_id)).toEqual(['account', 'contact', 'deal']);
	});

	test('the deal\'s "Zoho Fields" mapper is typed with the metadata the run planned with: no metadata call of its own a day later', async () => {
		const staticData: IDataObject = {};
		const deal = { zohoFields: { mappingMode: 'defineBelow', value: { Probability: 75 }, matchingColumns: [], schema: [] } };
		const start = Date.now();
		const now = jest.spyOn(clock, 'now').mockReturnValue(start);
		await run([order('main-sample')], { staticData, typeVersion: 2 }, deal);
		zoho.reset();
		now.mockReturnValue(start + FIELDS_TTL_MS); // a day later: the ride-along brings the Deals metadata
		const { errorItems } = await run([order('main-sample', { id: 802, number: '802' })], { staticData, typeVersion: 2 }, deal);
		expect(errorItems).toEqual([]);
		expect(callNames(zoho)).toEqual(['POST /crm/v8/__composite_requests']);
		const subs = zoho.apiCalls()[0].body.__composite_requests as Array<{ sub_request_id: string; body?: { data: IDataObject[] } }>;
		expect(subs.map((sub) => sub.sub_request_id)).toEqual(['account', 'contact', 'deal', 'dealFields']);
		expect(subs[2].body!.data[0]).toMatchObject({ Probability: 75 });
	});

	test('node version 2: the contact\'s and the deal\'s "Zoho Fields" mappers reach their own records, typed as Zoho wants', async () => {
		const mapper = (value: IDataObject) => ({ mappingMode: 'defineBelow', value, matchingColumns: [], schema: [] });
		const { errorItems } = await run([order('main-sample')], { typeVersion: 2 }, {
			contactZohoFields: mapper({ Date_of_Birth: '1906-12-09T00:00:00.000+01:00', Secondary_Email: 'grace@example.com' }),
			zohoFields: mapper({ Probability: 75, Next_Step: 'Send the invoice' }),
		});
		expect(errorItems).toEqual([]);
		const composite = zoho.apiCalls().find((call) => call.path === '/crm/v8/__composite_requests')!.body;
		const subs = composite.__composite_requests as Array<{ sub_request_id: string; body: { data: IDataObject[] } }>;
		const record = (id: string) => subs.find((sub) => sub.sub_request_id === id)!.body.data[0];
		expect(record('contact')).toMatchObject({ Date_of_Birth: '1906-12-09', Secondary_Email: 'grace@example.com' });
		expect(record('contact').Probability).toBeUndefined();
		expect(record('deal')).toMatchObject({ Probability: 75, Next_Step: 'Send the invoice' });
		expect(record('deal').Secondary_Email).toBeUndefined();
		expect(zoho.records('Contacts')[0]).toMatchObject({ Date_of_Birth: '1906-12-09' });
		expect(zoho.records('Deals')[0]).toMatchObject({ Probability: 75, Next_Step: 'Send the invoice' });
	});
});

describe('org with pipelines', () => {
	beforeAll(async () => {
		zoho = await ZohoEmulator.start({ pipelines: true, orderIdField: true });
	});
	afterAll(async () => await zoho.stop());
	beforeEach(() => zoho.reset());

	test('stale metadata (pipelines turned on since): Zoho refuses, the node reloads the fields and sends again', async () => {
		const key = `zohoCrmRefreshTokenApi:${harnessCredentialId(zoho)}|Deals`;
		const staticData: IDataObject = {
			global: {
				zohoCrmFieldMetadata: {
					[key]: {
						loadedAt: Date.now(),
						fields: [
							{ api_name: 'WooCommerce_Order_ID', data_type: 'text', unique: { casesensitive: false } },
							{ api_name: 'Stage', data_type: 'picklist' },
						],
					},
				},
			},
		};
		const { successItems, errorItems } = await run([order('main-sample')], { staticData });
		expect(errorItems).toEqual([]);
		expect(callNames(zoho)).toEqual([
			'POST /crm/v8/__composite_requests',
			'GET /crm/v8/settings/fields',
			'POST /crm/v8/__composite_requests',
		]);
		expect(zoho.apiCalls()[0].status).toBe(400);
		expect(zoho.records('Deals')).toHaveLength(1);
		expect(zoho.records('Deals')[0].Pipeline).toBeTruthy();
		expect(successItems).toHaveLength(1);
	});
});
