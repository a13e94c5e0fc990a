/**
 * The emulator's Composite API (`POST /crm/v8/__composite_requests`) follows Zoho's composite pages (rules and sources
 * in test/emulators/zoho/composite.ts). Plain fetch against the running emulator, no connector code involved.
 */
import { ZohoEmulator } from '../emulators/zoho';

let zoho: ZohoEmulator;
let token: string;

beforeAll(async () => {
	// Standard edition (10 concurrent calls), order-id field set up
	zoho = await ZohoEmulator.start({ edition: 'standard', orderIdField: true });
});

afterAll(async () => {
	await zoho.stop();
});

beforeEach(() => {
	zoho.reset();
	zoho.restrictScopes(null);
	token = zoho.issueAccessToken();
});

const composite = async (body: unknown, accessToken = token) => {
	const response = await fetch(`${zoho.url}/crm/v8/__composite_requests`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: `Zoho-oauthtoken ${accessToken}` },
		body: JSON.stringify(body),
	});
	return { status: response.status, json: (await response.json()) as any };
};

const orderSubRequests = (orderId: string, dealExtra: Record<string, unknown> = {}) => [
	{
		sub_request_id: 'account',
		method: 'POST',
		uri: '/crm/v8/Accounts/upsert',
		body: { data: [{ Account_Name: 'Acme Ltd' }], duplicate_check_fields: ['Account_Name'] },
	},
	{
		sub_request_id: 'contact',
		method: 'POST',
		uri: '/crm/v8/Contacts/upsert',
		body: {
			data: [{ Last_Name: 'Doe', Email: 'jane@example.com', Account_Name: { id: '@{account:$.data[0].details.id}' } }],
			duplicate_check_fields: ['Email'],
		},
	},
	{
		sub_request_id: 'deal',
		method: 'POST',
		uri: '/crm/v8/Deals/upsert',
		body: {
			data: [
				{
					Deal_Name: `Order ${orderId}`,
					Stage: 'Closed Won',
					WooCommerce_Order_ID: orderId,
					Contact_Name: { id: '@{contact:$.data[0].details.id}' },
					Account_Name: { id: '@{account:$.data[0].details.id}' },
					...dealExtra,
				},
			],
			duplicate_check_fields: ['WooCommerce_Order_ID'],
		},
	},
];

describe('composite requests', () => {
	it('runs account → contact → deal with references in one call: HTTP 200, each answer inside, 2 credits with rollback', async () => {
		const { status, json } = await composite({ rollback_on_fail: true, __composite_requests: orderSubRequests('1001') });
		expect(status).toBe(200);
		expect(json.__composite_requests).toHaveLength(3);
		for (const entry of json.__composite_requests) {
			expect(entry).toMatchObject({ code: 'SUCCESS', status: 'success', details: { response: { status_code: 201 } } });
		}
		const [account] = zoho.records('Accounts');
		const [contact] = zoho.records('Contacts');
		const [deal] = zoho.records('Deals');
		expect(contact.Account_Name).toEqual({ id: account.id, name: 'Acme Ltd' });
		expect(deal).toMatchObject({ WooCommerce_Order_ID: '1001', Contact_Name: { id: contact.id }, Account_Name: { id: account.id } });
		expect(zoho.apiCalls()).toHaveLength(1);
		expect(zoho.creditsUsed()).toBe(2);
	});

	it('costs 1 credit without rollback', async () => {
		await composite({ __composite_requests: orderSubRequests('1001') });
		expect(zoho.creditsUsed()).toBe(1);
	});

	it('a refused sub-request with rollback_on_fail: HTTP 400, earlier ones ROLLBACK_PERFORMED, later ones PROCESSING_STOPPED, nothing kept', async () => {
		await composite({ __composite_requests: orderSubRequests('1000') });
		const before = { accounts: zoho.records('Accounts'), contacts: zoho.records('Contacts') };
		const subs = orderSubRequests('1002', { Stage: 42 });
		subs.push({ sub_request_id: 'after', method: 'GET', uri: '/crm/v8/Deals/search', body: undefined as never, params: { criteria: '(Deal_Name:equals:x)' } } as never);
		const { status, json } = await composite({ rollback_on_fail: true, __composite_requests: subs });
		expect(status).toBe(400);
		expect(json.__composite_requests.map((entry: any) => entry.code)).toEqual([
			'ROLLBACK_PERFORMED',
			'ROLLBACK_PERFORMED',
			'INVALID_DATA',
			'PROCESSING_STOPPED',
		]);
		expect(json.__composite_requests[2].details.response.body.data[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Stage' } });
		// the account and contact were updates of existing records: back to what they were
		expect(zoho.records('Accounts')).toEqual(before.accounts);
		expect(zoho.records('Contacts')).toEqual(before.contacts);
		expect(zoho.records('Deals').map((deal) => deal.WooCommerce_Order_ID)).toEqual(['1000']);
	});

	it('a rolled-back insert leaves no record behind', async () => {
		const { status } = await composite({ rollback_on_fail: true, __composite_requests: orderSubRequests('1003', { Stage: 42 }) });
		expect(status).toBe(400);
		expect(zoho.records('Accounts')).toEqual([]);
		expect(zoho.records('Contacts')).toEqual([]);
		expect(zoho.records('Deals')).toEqual([]);
	});

	it('without rollback a failed sub-request answers 207 and the others stay done', async () => {
		const { status, json } = await composite({ __composite_requests: orderSubRequests('1004', { Stage: 42 }) });
		expect(status).toBe(207);
		expect(json.__composite_requests.map((entry: any) => entry.status)).toEqual(['success', 'success', 'error']);
		expect(zoho.records('Contacts')).toHaveLength(1);
	});

	it('refuses rollback_on_fail with parallel_execution, 0 or 6 sub-requests, bad ids, uris, methods and headers', async () => {
		const subs = orderSubRequests('1');
		expect((await composite({ rollback_on_fail: true, parallel_execution: true, __composite_requests: subs })).json.code).toBe(
			'AMBIGUITY_DURING_PROCESSING',
		);
		expect((await composite({ __composite_requests: [] })).json.code).toBe('LIMIT_EXCEEDED');
		expect((await composite({ __composite_requests: [...subs, ...subs].map((sub, i) => ({ ...sub, sub_request_id: `s${i}` })) })).json.code).toBe(
			'LIMIT_EXCEEDED',
		);
		expect((await composite({})).json.code).toBe('MANDATORY_NOT_FOUND');
		for (const bad of [
			{ ...subs[0], sub_request_id: '_x' },
			{ ...subs[0], uri: '/Accounts/upsert' },
			{ ...subs[0], method: 'HEAD' },
			{ ...subs[0], headers: { Authorization: 'x' } },
		]) {
			const { status, json } = await composite({ __composite_requests: [bad] });
			expect({ status, code: json.code }).toEqual({ status: 400, code: 'INVALID_DATA' });
		}
		expect(zoho.records('Accounts')).toEqual([]);
	});

	it('one record per create/update/upsert sub-request', async () => {
		const sub = { sub_request_id: 'two', method: 'POST', uri: '/crm/v8/Accounts', body: { data: [{ Account_Name: 'A' }, { Account_Name: 'B' }] } };
		const { status, json } = await composite({ rollback_on_fail: true, __composite_requests: [sub] });
		expect(status).toBe(400);
		expect(json.__composite_requests[0].code).toBe('LIMIT_EXCEEDED');
		expect(zoho.records('Accounts')).toEqual([]);
	});

	it('needs ZohoCRM.composite_requests.CUSTOM and the sub-requests own scopes', async () => {
		const noComposite = zoho.issueAccessToken(['ZohoCRM.modules.ALL', 'ZohoCRM.settings.ALL']);
		expect((await composite({ __composite_requests: orderSubRequests('1') }, noComposite)).json.code).toBe('OAUTH_SCOPE_MISMATCH');
		const noDeals = zoho.issueAccessToken(['ZohoCRM.composite_requests.CUSTOM', 'ZohoCRM.modules.accounts.ALL', 'ZohoCRM.modules.contacts.ALL']);
		const { status, json } = await composite({ rollback_on_fail: true, __composite_requests: orderSubRequests('1') }, noDeals);
		expect(status).toBe(400);
		expect(json.__composite_requests[2].code).toBe('OAUTH_SCOPE_MISMATCH');
		expect(zoho.records('Contacts')).toEqual([]);
	});

	it('a composite call occupies 5 concurrency slots (Standard: 10 concurrent calls → the third parallel composite gets 429)', async () => {
		zoho.setLatency(150);
		const answers = await Promise.all(
			['1', '2', '3'].map((id) => composite({ rollback_on_fail: true, __composite_requests: orderSubRequests(id).slice(2).map((sub) => ({ ...sub, body: { ...sub.body, data: [{ ...sub.body.data[0], Contact_Name: undefined, Account_Name: undefined }] } })) })),
		);
		expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 429]);
	});
});
