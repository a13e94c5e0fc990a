/**
 * The Zoho CRM Order Sync node as n8n runs it (test/support/nodeHarness.ts: default parameters and expressions,
 * error-output routing, retry-on-fail), against the Zoho CRM emulator over real HTTP. Assertions are on what Zoho
 * received (emulator records and calls) and what reaches the success and error outputs.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { NodeApiError, type IDataObject, type INodeExecutionData } from 'n8n-workflow';

import { ZohoEmulator, type RecordedCall } from '../emulators/zoho';
import { resetZohoFieldsCache, resetZohoRequestState } from '../../nodes/ZohoCrmOrderSync/transport';
import type { ZohoSyncError } from '../../nodes/ZohoCrmOrderSync/types';
import { runNode, storedCredential, type RunNodeOptions } from '../support/nodeHarness';
import { recordWaits } from '../support/zohoTransportFixtures';

const ORDERS = join(__dirname, '..', 'fixtures', 'orders');
const order = (name: string, overrides: IDataObject = {}): IDataObject => ({
	...(JSON.parse(readFileSync(join(ORDERS, `${name}.json`), 'utf8')) as IDataObject),
	...overrides,
});

const CONTACT = { resource: 'contact', operation: 'upsert' };
const DEAL = { resource: 'deal', operation: 'create' };
const SALES_ORDER = { resource: 'salesOrder', operation: 'create' };

const calls = (emulator: ZohoEmulator, fragment: string): RecordedCall[] =>
	emulator.apiCalls().filter((call) => `${call.method} ${call.path}`.includes(fragment));
const errorOf = (item: INodeExecutionData) => item.json.error as ZohoSyncError;
const zohoOf = (item: INodeExecutionData) => item.json.zoho as IDataObject & Record<string, IDataObject>;

type Run = Omit<RunNodeOptions, 'emulator' | 'credentialType' | 'parameters' | 'items'> & {
	credentialType?: RunNodeOptions['credentialType'];
};

function harness(emulator: () => ZohoEmulator) {
	const run = async (parameters: IDataObject, items: RunNodeOptions['items'], extra: Run = {}) =>
		await runNode({ emulator: emulator(), credentialType: 'zohoCrmRefreshTokenApi', parameters, items, ...extra });
	/** Upsert Contact, then Create Deal on its success output, as the bundled workflow chains them. */
	const syncDeal = async (items: RunNodeOptions['items'], extra: Run = {}, dealParameters: IDataObject = {}) => {
		const contact = await run(CONTACT, items, extra);
		expect(contact.errorItems).toEqual([]);
		return await run({ ...DEAL, ...dealParameters }, contact.successItems, { ...extra, nodeName: 'Create Deal' });
	};
	/**
	 * A new org has no order-id field: create it for Deals and Sales Orders through the node's own "Set Up Order ID
	 * Field" (as a user does once), then forget those calls so tests see only their own.
	 */
	const setUpOrderIdFields = async (resources = ['deal', 'salesOrder']) => {
		for (const resource of resources) {
			const setUp = await run({ resource, operation: 'setUpOrderIdField' }, [{}], { nodeName: 'Set Up Order ID Field' });
			expect(setUp.successItems[0].json).toMatchObject({ apiName: 'WooCommerce_Order_ID', unique: true });
		}
		emulator().calls = [];
	};
	return { run, syncDeal, setUpOrderIdFields };
}

beforeEach(() => {
	resetZohoFieldsCache();
	resetZohoRequestState();
});
afterEach(() => jest.restoreAllMocks());

describe('a new org (Professional edition) after "Set Up Order ID Field"', () => {
	let zoho: ZohoEmulator;
	let waits: number[];
	const { run, syncDeal, setUpOrderIdFields } = harness(() => zoho);

	beforeAll(async () => {
		zoho = await ZohoEmulator.start({ taxes: [{ name: 'State Tax', value: 7.5 }] });
	});
	afterAll(async () => await zoho.stop());
	beforeEach(async () => {
		zoho.reset();
		await setUpOrderIdFields();
		waits = recordWaits();
	});

	describe('contact upsert', () => {
		test('an order with a company: one Account and one Contact linked by id, mapped from the default expressions', async () => {
			const input = order('main-sample');
			const { successItems, errorItems } = await run(CONTACT, [input]);

			expect(errorItems).toEqual([]);
			const accounts = zoho.records('Accounts');
			const contacts = zoho.records('Contacts');
			expect(accounts).toHaveLength(1);
			expect(contacts).toHaveLength(1);
			expect(accounts[0]).toMatchObject({
				Account_Name: 'Acme Widgets Ltd',
				Billing_Street: '969 Market, Suite 400',
				Billing_City: 'San Francisco',
				Billing_State: 'CA',
				Billing_Code: '94103',
				Billing_Country: 'US',
				Phone: '(555) 555-5555',
			});
			expect(contacts[0]).toMatchObject({
				First_Name: 'John',
				Last_Name: 'Doe',
				Email: 'john.doe@example.com',
				Phone: '(555) 555-5555',
				Mailing_Street: '969 Market, Suite 400',
				Mailing_City: 'San Francisco',
				Mailing_State: 'CA',
				Mailing_Zip: '94103',
				Mailing_Country: 'US',
				Description: 'WooCommerce customer #12',
				Lead_Source: 'Online Store',
				Account_Name: { id: accounts[0].id },
			});
			// accounts first (the contact links to it), one call each
			expect(zoho.apiCalls().map((call) => `${call.method} ${call.path}`)).toEqual([
				'POST /crm/v8/Accounts/upsert',
				'POST /crm/v8/Contacts/upsert',
			]);
			expect(calls(zoho, 'Contacts/upsert')[0].body.duplicate_check_fields).toEqual(['Email']);

			expect(successItems).toHaveLength(1);
			expect(successItems[0].pairedItem).toEqual({ item: 0 });
			expect(successItems[0].json).toEqual({
				...input,
				zoho: {
					contact: { id: contacts[0].id, action: 'insert' },
					account: { id: accounts[0].id, action: 'insert', name: 'Acme Widgets Ltd' },
				},
			});
		});

		test('the same email again updates the contact; a guest without company gets no account; no last name uses the first name', async () => {
			const first = await run(CONTACT, [order('main-sample')]);
			const second = await run(CONTACT, [order('main-sample', { id: 728, number: '728' })]);
			expect(zohoOf(second.successItems[0]).contact).toEqual({ id: zohoOf(first.successItems[0]).contact.id, action: 'update' });
			expect(zohoOf(second.successItems[0]).account).toMatchObject({ action: 'update' });
			expect(zoho.records('Contacts')).toHaveLength(1);
			expect(zoho.records('Accounts')).toHaveLength(1);

			const guest = await run(CONTACT, [order('guest-no-company')]);
			expect(guest.errorItems).toEqual([]);
			expect(zohoOf(guest.successItems[0]).account).toBeUndefined();
			expect(zoho.records('Accounts')).toHaveLength(1);
			expect(calls(zoho, 'Accounts/upsert')).toHaveLength(2);
			const maria = zoho.records('Contacts').find((contact) => contact.Email === 'maria.garcia@example.net');
			expect(maria).toMatchObject({ First_Name: 'Maria', Last_Name: 'Garcia' });
			expect(maria?.Account_Name ?? null).toBeNull();

			const anna = await run(CONTACT, [order('no-last-name')]);
			expect(anna.errorItems).toEqual([]);
			const annaContact = zoho.records('Contacts').find((contact) => contact.Email === 'anna@example.org');
			expect(annaContact).toMatchObject({ Last_Name: 'Anna' });
			expect(annaContact?.First_Name ?? null).toBeNull();
		});

		test('a batch of 3 items, two with the same email: one Contacts call with 2 records, every item answered in order', async () => {
			const items = [
				order('main-sample'),
				order('guest-no-company'),
				order('main-sample', { id: 728, number: '728', billing: { ...order('main-sample').billing as IDataObject, email: ' JOHN.DOE@Example.com ' } }),
			];
			const { successItems, errorItems } = await run(CONTACT, items);

			expect(errorItems).toEqual([]);
			const contactCalls = calls(zoho, 'Contacts/upsert');
			expect(contactCalls).toHaveLength(1);
			expect(contactCalls[0].body.data.map((record: IDataObject) => record.Email)).toEqual([
				'john.doe@example.com',
				'maria.garcia@example.net',
			]);
			expect(zoho.records('Contacts')).toHaveLength(2);

			expect(successItems.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
			expect(successItems.map((item) => item.json.id)).toEqual([727, 1001, 728]);
			const ids = successItems.map((item) => zohoOf(item).contact.id);
			expect(ids[0]).toBe(ids[2]);
			expect(ids[0]).not.toBe(ids[1]);
			const john = zoho.records('Contacts').find((contact) => contact.Email === 'john.doe@example.com');
			expect(john?.id).toBe(ids[0]);
		});

		test('an order without email fails locally on the error output, the others are written', async () => {
			const noEmail = order('guest-no-company', { id: 5, billing: { ...order('guest-no-company').billing as IDataObject, email: '' } });
			const { successItems, errorItems } = await run(CONTACT, [noEmail, order('no-last-name')]);
			expect(successItems.map((item) => item.json.id)).toEqual([1002]);
			expect(errorItems).toHaveLength(1);
			expect(errorItems[0].json.id).toBe(5);
			expect(errorOf(errorItems[0])).toMatchObject({ category: 'validation', attempts: 0, node: 'Upsert Contact' });
			expect(calls(zoho, 'Contacts/upsert')[0].body.data).toHaveLength(1);
		});
	});

	describe('deal create', () => {
		test('one deal per order, linked to contact and account, upserted on WooCommerce_Order_ID; a second delivery updates it', async () => {
			const first = await syncDeal([order('main-sample')]);
			expect(first.errorItems).toEqual([]);
			const deals = zoho.records('Deals');
			expect(deals).toHaveLength(1);
			const contactId = zoho.records('Contacts')[0].id;
			const accountId = zoho.records('Accounts')[0].id;
			expect(deals[0]).toMatchObject({
				Deal_Name: 'WooCommerce Order #727 (John Doe)',
				Stage: 'Closed Won',
				Amount: 29.35,
				Closing_Date: '2026-03-22',
				Contact_Name: { id: contactId },
				Account_Name: { id: accountId },
				WooCommerce_Order_ID: '727',
				Type: 'New Business',
				Lead_Source: 'Online Store',
			});
			expect(typeof deals[0].Amount).toBe('number');
			const description = String(deals[0].Description);
			expect(description).toContain('2 × Woo Single #1 — 6.00');
			expect(description).toMatch(/Ship Your Idea.*\(Bar3\)/);
			expect(description).toContain('Total: 29.35 USD');

			const upserts = calls(zoho, 'Deals/upsert');
			expect(upserts).toHaveLength(1);
			expect(upserts[0].body.duplicate_check_fields).toEqual(['WooCommerce_Order_ID']);
			expect(upserts[0].body.data[0]).not.toHaveProperty('Pipeline');
			expect(upserts[0].body.data[0]).not.toHaveProperty('Currency');
			expect(zohoOf(first.successItems[0]).deal).toEqual({ id: deals[0].id, action: 'insert', orderId: '727' });
			// the contact's results stay on the item
			expect(zohoOf(first.successItems[0]).contact).toEqual({ id: contactId, action: 'insert' });

			const second = await syncDeal([order('main-sample', { total: '31.35' })]);
			expect(zohoOf(second.successItems[0]).deal).toEqual({ id: deals[0].id, action: 'update', orderId: '727' });
			expect(zoho.records('Deals')).toHaveLength(1);
			expect(zoho.records('Deals')[0].Amount).toBe(31.35);
		});

		test('two items of one order in a batch make one record in one call', async () => {
			const contact = await run(CONTACT, [order('main-sample')]);
			const item = contact.successItems[0];
			const { successItems } = await run(DEAL, [item, { ...item, pairedItem: { item: 1 } }], { nodeName: 'Create Deal' });
			expect(calls(zoho, 'Deals/upsert')[0].body.data).toHaveLength(1);
			expect(successItems.map((entry) => zohoOf(entry).deal.id)).toEqual([
				zoho.records('Deals')[0].id,
				zoho.records('Deals')[0].id,
			]);
		});

		test('two runs at once for the same order (100 ms latency): one contact, one deal', async () => {
			zoho.setLatency(100);
			const results = await Promise.all([syncDeal([order('main-sample')]), syncDeal([order('main-sample')])]);
			for (const result of results) expect(result.errorItems).toEqual([]);
			expect(zoho.records('Contacts')).toHaveLength(1);
			expect(zoho.records('Accounts')).toHaveLength(1);
			expect(zoho.records('Deals')).toHaveLength(1);
			expect(results.map((result) => zohoOf(result.successItems[0]).deal.action).sort()).toEqual(['insert', 'update']);
		});
	});

	describe('errors, retries and the run ledger', () => {
		const rejectEmail = (email: string) =>
			zoho.addValidationRule((module, record) =>
				module === 'Contacts' && record.Email === email
					? { code: 'INVALID_DATA', message: 'invalid data', details: { api_name: 'Email', json_path: '$.data[0].Email' } }
					: undefined,
			);

		test('a refused record goes to the error output with the order and a structured error; retry-on-fail sends nothing again', async () => {
			rejectEmail('john.doe@example.com');
			const input = order('main-sample');
			const result = await run(CONTACT, [input], { retryOnFail: { maxTries: 3 } });

			// n8n re-ran the node (first item carries json.error) but the ledger answered without calling Zoho
			expect(result.tries).toBe(3);
			expect(calls(zoho, 'Contacts/upsert')).toHaveLength(1);
			expect(calls(zoho, 'Accounts/upsert')).toHaveLength(1);
			expect(result.successItems).toEqual([]);
			expect(result.errorItems).toHaveLength(1);
			const [item] = result.errorItems;
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.json).toMatchObject({ id: 727, number: '727', billing: input.billing, line_items: input.line_items });
			expect(errorOf(item)).toMatchObject({
				category: 'validation',
				httpCode: 400,
				zohoCode: 'INVALID_DATA',
				message: 'invalid data',
				details: { api_name: 'Email' },
				attempts: 1,
				operation: 'contact.upsert',
				node: 'Upsert Contact',
				request: { method: 'POST', path: '/crm/v8/Contacts/upsert' },
			});
			expect(errorOf(item).request.body?.data).toEqual([expect.objectContaining({ Email: 'john.doe@example.com' })]);
			expect(item.json.message).toBe('Zoho CRM rejected the request: INVALID_DATA — invalid data (field Email)');
		});

		test('a batch with a refused item: successes come first, so n8n does not re-run the node', async () => {
			rejectEmail('maria.garcia@example.net');
			const result = await run(CONTACT, [order('guest-no-company'), order('no-last-name')], { retryOnFail: { maxTries: 3 } });
			expect(result.tries).toBe(1);
			expect(result.raw?.[0].map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 0 }]);
			expect(result.successItems.map((item) => item.json.id)).toEqual([1002]);
			expect(result.errorItems.map((item) => item.json.id)).toEqual([1001]);
			expect(calls(zoho, 'Contacts/upsert')).toHaveLength(1);
		});

		test('429 twice, then OK: backs off about 1 s then 5 s, or as long as Retry-After says', async () => {
			zoho.inject({ times: 2, status: 429, match: 'Contacts/upsert' });
			const result = await run(CONTACT, [order('guest-no-company')]);
			expect(result.errorItems).toEqual([]);
			expect(zoho.records('Contacts')).toHaveLength(1);
			expect(calls(zoho, 'Contacts/upsert').map((call) => call.status)).toEqual([429, 429, 201]);
			expect(waits).toHaveLength(2);
			expect(waits[0]).toBeGreaterThanOrEqual(800);
			expect(waits[0]).toBeLessThanOrEqual(1200);
			expect(waits[1]).toBeGreaterThanOrEqual(4000);
			expect(waits[1]).toBeLessThanOrEqual(6000);

			waits.length = 0;
			zoho.inject({ times: 1, status: 429, retryAfter: 3, match: 'Contacts/upsert' });
			const again = await run(CONTACT, [order('guest-no-company')]);
			expect(again.errorItems).toEqual([]);
			expect(waits).toEqual([3000]);
		});

		test('5xx beyond the wait budget: error item category server after several attempts', async () => {
			zoho.inject({ times: 10, status: 503, match: 'Contacts/upsert' });
			const result = await run({ ...CONTACT, options: { maxRetryWaitSeconds: 2 } }, [order('guest-no-company')]);
			expect(result.successItems).toEqual([]);
			expect(result.errorItems).toHaveLength(1);
			expect(errorOf(result.errorItems[0])).toMatchObject({ category: 'server', httpCode: 503, zohoCode: 'INTERNAL_ERROR', attempts: 2 });
			expect(result.errorItems[0].json.id).toBe(1001);
			expect(calls(zoho, 'Contacts/upsert')).toHaveLength(2);
			expect(zoho.records('Contacts')).toHaveLength(0);
		});

		test('retry-on-fail re-runs a transiently failed item: one attempt per try, attempts add up, then success', async () => {
			// first run: 2 attempts within the budget; second try: 1 attempt (no back-off); third try: OK
			zoho.inject({ times: 3, status: 503, match: 'Contacts/upsert' });
			const result = await run({ ...CONTACT, options: { maxRetryWaitSeconds: 2 } }, [order('guest-no-company')], {
				retryOnFail: { maxTries: 3 },
			});
			expect(result.tries).toBe(3);
			expect(calls(zoho, 'Contacts/upsert').map((call) => call.status)).toEqual([503, 503, 503, 201]);
			expect(result.errorItems).toEqual([]);
			expect(zohoOf(result.successItems[0]).contact).toMatchObject({ action: 'insert' });
			expect(zoho.records('Contacts')).toHaveLength(1);
		});

		test('a transient failure goes first so n8n re-runs the node; the re-run retries only that item', async () => {
			// the Accounts call fails once: only the order with a company fails (transiently)
			zoho.inject({ times: 1, status: 503, match: 'Accounts/upsert' });
			const result = await run(
				{ ...CONTACT, options: { maxRetryWaitSeconds: 0 } },
				[order('guest-no-company'), order('main-sample')],
				{ retryOnFail: { maxTries: 3 } },
			);
			expect(result.tries).toBe(2);
			expect(result.errorItems).toEqual([]);
			expect(result.successItems.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			expect(calls(zoho, 'Contacts/upsert').map((call) => call.body.data.map((record: IDataObject) => record.Email))).toEqual([
				['maria.garcia@example.net'],
				['john.doe@example.com'],
			]);
			expect(zoho.records('Contacts')).toHaveLength(2);
		});

		test('retry-on-fail that runs out of tries: the error counts every attempt of every try', async () => {
			zoho.inject({ times: 20, status: 503, match: 'Contacts/upsert' });
			const result = await run({ ...CONTACT, options: { maxRetryWaitSeconds: 2 } }, [order('guest-no-company')], {
				retryOnFail: { maxTries: 3 },
			});
			expect(result.tries).toBe(3);
			expect(calls(zoho, 'Contacts/upsert')).toHaveLength(4);
			expect(errorOf(result.errorItems[0])).toMatchObject({ category: 'server', attempts: 4 });
		});

		test('onError stopWorkflow: the node throws a NodeApiError with Zoho’s message', async () => {
			rejectEmail('maria.garcia@example.net');
			const result = await run(CONTACT, [order('guest-no-company')], { onError: 'stopWorkflow', retryOnFail: { maxTries: 3 } });
			// n8n re-runs a node that throws; the ledger throws the same error again without calling Zoho
			expect(result.tries).toBe(3);
			expect(result.thrown).toBeInstanceOf(NodeApiError);
			expect(result.thrown?.message).toContain('invalid data');
			expect((result.thrown as NodeApiError).description).toContain('INVALID_DATA');
			expect((result.thrown as NodeApiError).httpCode).toBe('400');
			expect(result.output).toEqual([]);
			expect(calls(zoho, 'Contacts/upsert')).toHaveLength(1);
		});
	});

	describe('tokens', () => {
		test('an expired access token is refreshed once (Self Client refresh token credential)', async () => {
			await run(CONTACT, [order('guest-no-company')]);
			const before = storedCredential(zoho, 'zohoCrmRefreshTokenApi').accessToken;
			const tokenCalls = () => zoho.calls.filter((call) => call.path === '/oauth/v2/token').length;
			const mintedBefore = tokenCalls();
			zoho.expireAccessTokens();

			const result = await run(CONTACT, [order('no-last-name')]);
			expect(result.errorItems).toEqual([]);
			expect(tokenCalls()).toBe(mintedBefore + 1);
			expect(storedCredential(zoho, 'zohoCrmRefreshTokenApi').accessToken).not.toBe(before);
			// 401 on the first send; n8n refreshes only on a thrown 401, so the transport sends once more to get one
			expect(calls(zoho, 'Contacts/upsert').map((call) => call.status)).toEqual([201, 401, 401, 201]);
			expect(zoho.records('Contacts')).toHaveLength(2);
		});

		test('an expired access token is refreshed once (OAuth2 credential)', async () => {
			const tokenBefore = (storedCredential(zoho, 'zohoCrmOAuth2Api').oauthTokenData as IDataObject).access_token;
			zoho.expireAccessTokens();
			const result = await run(CONTACT, [order('guest-no-company')], { credentialType: 'zohoCrmOAuth2Api' });
			expect(result.errorItems).toEqual([]);
			expect(zoho.calls.filter((call) => call.path === '/oauth/v2/token')).toHaveLength(1);
			const tokenAfter = (storedCredential(zoho, 'zohoCrmOAuth2Api').oauthTokenData as IDataObject).access_token;
			expect(tokenAfter).not.toBe(tokenBefore);
			expect(zoho.records('Contacts')).toHaveLength(1);
		});
	});

	describe('other operations and options', () => {
		test('product upsert: line items as items, found again by their code on a second run', async () => {
			const lines = order('main-sample').line_items as IDataObject[];
			const first = await run({ resource: 'product', operation: 'upsert' }, lines, { nodeName: 'Upsert Product' });
			expect(first.errorItems).toEqual([]);
			const second = await run({ resource: 'product', operation: 'upsert' }, lines, { nodeName: 'Upsert Product' });
			expect(second.errorItems).toEqual([]);
			expect(second.successItems.map((item) => zohoOf(item).product.action)).toEqual(['update', 'update']);
			expect(zoho.records('Products').map((product) => product.Product_Code)).toEqual(['wc-93', 'Bar3']);

			// the Sales Order operation finds the same products
			const contact = await run(CONTACT, [order('main-sample')]);
			const salesOrder = await run(SALES_ORDER, contact.successItems, { nodeName: 'Create Sales Order' });
			expect(salesOrder.errorItems).toEqual([]);
			expect(zoho.records('Products')).toHaveLength(2);

			// a mapping that gives no code (no SKU, no id to make one from) fails instead of inserting a duplicate
			const noCode = await run({ resource: 'product', operation: 'upsert', productCode: '' }, [{ name: 'Gift wrap', price: '2.00' }], {
				nodeName: 'Upsert Product',
			});
			expect(errorOf(noCode.errorItems[0])).toMatchObject({ category: 'validation', details: { api_name: 'Product_Code' } });
			expect(zoho.records('Products')).toHaveLength(2);
		});

		test('account upsert; contact without account link; Run Zoho Automation off; custom fields', async () => {
			const account = await run({ resource: 'account', operation: 'upsert' }, [order('main-sample')], { nodeName: 'Upsert Account' });
			expect(zohoOf(account.successItems[0]).account).toMatchObject({ action: 'insert', name: 'Acme Widgets Ltd' });

			const contact = await run(
				{
					...CONTACT,
					linkAccount: false,
					options: { runAutomation: false },
					customFields: { field: [{ name: 'Secondary_Email', value: '={{ $json.billing.email }}' }] },
				},
				[order('main-sample')],
			);
			expect(contact.errorItems).toEqual([]);
			expect(zohoOf(contact.successItems[0]).account).toBeUndefined();
			expect(calls(zoho, 'Accounts/upsert')).toHaveLength(1);
			const body = calls(zoho, 'Contacts/upsert')[0].body;
			expect(body.trigger).toEqual([]);
			expect(body.data[0]).toMatchObject({ Secondary_Email: 'John.Doe@example.com' });
			expect(body.data[0]).not.toHaveProperty('Account_Name');
		});
	});

	describe('sales order create', () => {
		const syncSalesOrder = async (items: RunNodeOptions['items'], parameters: IDataObject = {}) => {
			const contact = await run(CONTACT, items);
			expect(contact.errorItems).toEqual([]);
			return await run({ ...SALES_ORDER, ...parameters }, contact.successItems, { nodeName: 'Create Sales Order' });
		};
		type Row = { id: string; Product_Name: { id: string; name: string }; Quantity: number; List_Price: number; Discount: number; Tax: number };
		const storedRows = () => zoho.records('Sales_Orders')[0].Ordered_Items as Row[];

		test('products found by Product_Code with COQL (not unique in a new org) and inserted once; Zoho’s grand total, read back, is the order total', async () => {
			const result = await syncSalesOrder([order('main-sample')]);
			expect(result.errorItems).toEqual([]);

			// a new org's Product_Code is not unique: looked up with COQL, the missing ones inserted in one call
			expect(calls(zoho, '/coql').map((call) => call.body.select_query)).toEqual([
				"select id, Product_Code from Products where Product_Code in ('wc-93', 'Bar3') order by id asc limit 200",
				"select id from Sales_Orders where WooCommerce_Order_ID = '727' order by id asc limit 1",
			]);
			expect(calls(zoho, 'POST /crm/v8/Products').map((call) => call.body.data.map((product: IDataObject) => product.Product_Code))).toEqual([['wc-93', 'Bar3']]);
			const products = zoho.records('Products');
			expect(products).toHaveLength(2);
			const productId = (code: string) => products.find((product) => product.Product_Code === code)?.id;

			const salesOrders = zoho.records('Sales_Orders');
			expect(salesOrders).toHaveLength(1);
			const [salesOrder] = salesOrders;
			expect(salesOrder).toMatchObject({
				Subject: 'WooCommerce Order #727',
				WooCommerce_Order_ID: '727',
				// default Taxes = Add to Adjustment: shipping 10 + line taxes 1.35
				Adjustment: 11.35,
				Grand_Total: 29.35,
				Contact_Name: { id: zoho.records('Contacts')[0].id },
				Account_Name: { id: zoho.records('Accounts')[0].id },
			});
			expect(storedRows().map((row) => [row.Product_Name.id, row.Quantity, row.List_Price, row.Tax])).toEqual([
				[productId('wc-93'), 2, 3, 0],
				[productId('Bar3'), 1, 12, 0],
			]);
			expect(calls(zoho, 'Sales_Orders/upsert')[0].body.duplicate_check_fields).toEqual(['WooCommerce_Order_ID']);
			// the record is read back after the write to check Zoho's own total
			expect(calls(zoho, `GET /crm/v8/Sales_Orders/${salesOrder.id}`)).toHaveLength(1);
			expect(zohoOf(result.successItems[0]).salesOrder).toEqual({ id: salesOrder.id, action: 'insert', orderId: '727', grandTotal: 29.35 });
		});

		test('synced again: the same lines stay the same rows; then one quantity changed, one line removed, one added → exactly the current lines and total', async () => {
			const base = order('main-sample');
			const first = await syncSalesOrder([base]);
			expect(first.errorItems).toEqual([]);
			const rowIds = storedRows().map((row) => row.id);

			// a duplicate delivery: same lines → the rows are updated in place, not appended
			const again = await syncSalesOrder([base]);
			expect(again.errorItems).toEqual([]);
			expect(zoho.records('Sales_Orders')).toHaveLength(1);
			expect(storedRows().map((row) => row.id)).toEqual(rowIds);
			expect(zoho.records('Sales_Orders')[0].Grand_Total).toBe(29.35);
			expect(zohoOf(again.successItems[0]).salesOrder).toMatchObject({ action: 'update', grandTotal: 29.35 });
			const update = calls(zoho, 'PUT /crm/v8/Sales_Orders');
			expect(update).toHaveLength(1);
			expect(update[0].body.data[0].Ordered_Items.map((row: IDataObject) => row.id)).toEqual(rowIds);
			expect(zoho.records('Products')).toHaveLength(2);

			// order.updated: 3 × Woo Single instead of 2, "Ship Your Idea" removed, a new product added
			const [single] = base.line_items as IDataObject[];
			const changed = {
				...base,
				total: '26.13',
				total_tax: '1.13',
				line_items: [
					{ ...single, quantity: 3, subtotal: '9.00', subtotal_tax: '0.68', total: '9.00', total_tax: '0.68', taxes: [{ id: 75, total: '0.675', subtotal: '0.675' }] },
					{ ...single, id: 400, name: 'Woo Mug', product_id: 200, sku: 'MUG-1', quantity: 1, price: 6, subtotal: '6.00', subtotal_tax: '0.45', total: '6.00', total_tax: '0.45', taxes: [{ id: 75, total: '0.45', subtotal: '0.45' }] },
				],
			};
			const third = await syncSalesOrder([changed]);
			expect(third.errorItems.map((item) => errorOf(item).message)).toEqual([]);
			expect(zoho.records('Sales_Orders')).toHaveLength(1);
			const products = zoho.records('Products');
			expect(products.map((product) => product.Product_Code)).toEqual(['wc-93', 'Bar3', 'MUG-1']);
			expect(storedRows().map((row) => [row.Product_Name.name, row.Quantity])).toEqual([
				['Woo Single #1', 3],
				['Woo Mug', 1],
			]);
			// the kept line is the same row; the removed one was deleted with {id, _delete: null}
			expect(storedRows()[0].id).toBe(rowIds[0]);
			const sent = calls(zoho, 'PUT /crm/v8/Sales_Orders')[1].body.data[0].Ordered_Items as IDataObject[];
			expect(sent).toEqual([
				expect.objectContaining({ id: rowIds[0], Quantity: 3 }),
				expect.not.objectContaining({ id: expect.anything() }),
				{ id: rowIds[1], _delete: null },
			]);
			expect(zoho.records('Sales_Orders')[0].Grand_Total).toBe(26.13);
			expect(zohoOf(third.successItems[0]).salesOrder).toMatchObject({ action: 'update', grandTotal: 26.13 });
		});

		test('Taxes = Zoho Taxes by Name: lines carry Line_Tax, Zoho computes the tax, the total read back matches', async () => {
			const result = await syncSalesOrder([order('main-sample')], { taxMode: 'orgTaxes' });
			expect(result.errorItems.map((item) => errorOf(item).message)).toEqual([]);
			const sent = calls(zoho, 'Sales_Orders/upsert')[0].body.data[0];
			expect(sent.Ordered_Items.map((row: IDataObject) => row.Line_Tax)).toEqual([
				[{ name: 'State Tax', percentage: 7.5 }],
				[{ name: 'State Tax', percentage: 7.5 }],
			]);
			expect(sent.Adjustment).toBe(10);
			expect(storedRows().map((row) => row.Tax)).toEqual([0.45, 0.9]);
			expect(zoho.records('Sales_Orders')[0]).toMatchObject({ Sub_Total: 19.35, Grand_Total: 29.35 });
			expect(zohoOf(result.successItems[0]).salesOrder).toMatchObject({ grandTotal: 29.35 });
		});

		test('variations without SKU: products by wc-<id>, repeated lines share one product, totals match', async () => {
			const result = await syncSalesOrder([order('variations-no-sku')]);
			expect(result.errorItems).toEqual([]);
			expect(calls(zoho, 'POST /crm/v8/Products')[0].body.data.map((product: IDataObject) => product.Product_Code)).toEqual([
				'wc-51',
				'wc-52',
				'wc-60',
				'wc-item-2095',
			]);
			expect(zoho.records('Sales_Orders')[0].Grand_Total).toBe(91.5);
		});

		test('a tax-rounding mismatch goes to the error output naming both totals; no sales order is written', async () => {
			const result = await syncSalesOrder([order('tax-rounding-mismatch')]);
			expect(result.successItems).toEqual([]);
			expect(result.errorItems).toHaveLength(1);
			const error = errorOf(result.errorItems[0]);
			expect(error).toMatchObject({
				category: 'totals_mismatch',
				operation: 'salesOrder.create',
				node: 'Create Sales Order',
				details: { orderTotal: 20.79 },
			});
			const zohoTotal = (error.details as { zohoTotal: number }).zohoTotal;
			expect(zohoTotal).not.toBe(20.79);
			expect(error.message).toContain('20.79 USD');
			expect(error.message).toContain(`${zohoTotal.toFixed(2)} USD`);
			expect(result.errorItems[0].json.id).toBe(1012);
			expect(calls(zoho, 'Sales_Orders')).toHaveLength(0);
			expect(zoho.records('Sales_Orders')).toHaveLength(0);
		});

		test('two runs at once for one order with a new SKU (100 ms latency): one product, one sales order with its lines once', async () => {
			zoho.setLatency(100);
			const contact = await run(CONTACT, [order('main-sample')]);
			const results = await Promise.all([
				run(SALES_ORDER, contact.successItems, { nodeName: 'Create Sales Order' }),
				run(SALES_ORDER, contact.successItems, { nodeName: 'Create Sales Order' }),
			]);
			for (const result of results) expect(result.errorItems.map((item) => errorOf(item).message)).toEqual([]);
			expect(zoho.records('Products')).toHaveLength(2);
			expect(zoho.records('Sales_Orders')).toHaveLength(1);
			expect(storedRows()).toHaveLength(2);
			expect(zoho.records('Sales_Orders')[0].Grand_Total).toBe(29.35);
		});
	});
});

describe('org whose taxes Zoho computes differently (tax rates not modifiable, State Tax 8 %)', () => {
	let zoho: ZohoEmulator;
	const { run, setUpOrderIdFields } = harness(() => zoho);
	beforeAll(async () => {
		zoho = await ZohoEmulator.start({ taxes: [{ name: 'State Tax', value: 8 }], taxRatesModifiable: false });
	});
	afterAll(async () => await zoho.stop());
	beforeEach(async () => {
		recordWaits();
		await setUpOrderIdFields(['salesOrder']);
	});

	test('the total Zoho computed after the write differs: error output naming both totals (a dead letter)', async () => {
		const contact = await run(CONTACT, [order('main-sample')]);
		const result = await run({ ...SALES_ORDER, taxMode: 'orgTaxes' }, contact.successItems, { nodeName: 'Create Sales Order' });
		expect(result.successItems).toEqual([]);
		const [item] = result.errorItems;
		const [salesOrder] = zoho.records('Sales_Orders');
		// Zoho applied 8 %: 0.48 + 0.96 → 29.44, not WooCommerce's 29.35
		expect(salesOrder.Grand_Total).toBe(29.44);
		expect(errorOf(item)).toMatchObject({
			category: 'totals_mismatch',
			operation: 'salesOrder.create',
			node: 'Create Sales Order',
			details: { orderTotal: 29.35, zohoTotal: 29.44, salesOrderId: salesOrder.id },
		});
		expect(errorOf(item).message).toContain('29.35 USD');
		expect(errorOf(item).message).toContain('29.44 USD');
		expect(errorOf(item).request.body?.data).toEqual([expect.objectContaining({ WooCommerce_Order_ID: '727' })]);
		expect(item.json.id).toBe(727);
	});
});

describe('a new org before "Set Up Order ID Field"', () => {
	let zoho: ZohoEmulator;
	const { run, syncDeal } = harness(() => zoho);
	beforeAll(async () => {
		zoho = await ZohoEmulator.start();
	});
	afterAll(async () => await zoho.stop());
	beforeEach(() => {
		zoho.reset();
		zoho.restrictScopes(null);
		recordWaits();
	});

	test('every item fails with what to do; "Set Up Order ID Field" creates the field; then the deal is created', async () => {
		const failed = await syncDeal([order('main-sample'), order('guest-no-company')]);
		expect(failed.successItems).toEqual([]);
		expect(failed.errorItems.map((item) => item.json.id)).toEqual([727, 1001]);
		for (const item of failed.errorItems) {
			expect(errorOf(item)).toMatchObject({ category: 'validation', operation: 'deal.create', node: 'Create Deal' });
			expect(errorOf(item).message).toContain('WooCommerce_Order_ID');
			expect(errorOf(item).message).toContain('Set Up Order ID Field');
		}
		expect(calls(zoho, 'Deals')).toHaveLength(0);

		const setUp = await run({ resource: 'deal', operation: 'setUpOrderIdField' }, [{}], { nodeName: 'Set Up' });
		expect(setUp.successItems.map((item) => item.json)).toEqual([
			expect.objectContaining({ module: 'Deals', apiName: 'WooCommerce_Order_ID', created: true, unique: true }),
		]);
		expect(calls(zoho, 'POST /crm/v8/settings/fields')[0]).toMatchObject({
			query: { module: 'Deals' },
			body: { fields: [{ field_label: 'WooCommerce Order ID', data_type: 'text', unique: { case_sensitive: false } }] },
		});
		// running it again finds the field
		const again = await run({ resource: 'deal', operation: 'setUpOrderIdField' }, [{}], { nodeName: 'Set Up' });
		expect(again.successItems[0].json).toMatchObject({ created: false, unique: true });

		const created = await syncDeal([order('main-sample')]);
		expect(created.errorItems).toEqual([]);
		expect(zoho.records('Deals')).toEqual([expect.objectContaining({ WooCommerce_Order_ID: '727' })]);
		expect(calls(zoho, 'Deals/upsert')[0].body.duplicate_check_fields).toEqual(['WooCommerce_Order_ID']);
	});

	/** Creates the field as a user would in Zoho CRM Setup (not through the node). */
	const createFieldInZoho = async (field: IDataObject) => {
		const response = await fetch(`${zoho.url}/crm/v8/settings/fields?module=Deals`, {
			method: 'POST',
			headers: { Authorization: `Zoho-oauthtoken ${zoho.issueAccessToken()}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({ fields: [field] }),
		});
		expect(response.status).toBe(201);
	};

	test('a field created by hand in Zoho after a failed run is found by the next run', async () => {
		const failed = await syncDeal([order('main-sample')]);
		expect(errorOf(failed.errorItems[0]).message).toContain('Set Up Order ID Field');
		await createFieldInZoho({ field_label: 'WooCommerce Order ID', data_type: 'text', unique: { case_sensitive: false } });

		const created = await syncDeal([order('main-sample')]);
		expect(created.errorItems.map((item) => errorOf(item).message)).toEqual([]);
		expect(zoho.records('Deals')).toHaveLength(1);
	});

	test('a non-unique order id field: looked up with COQL, inserted once, then updated by id', async () => {
		await createFieldInZoho({ field_label: 'WooCommerce Order ID', data_type: 'text' });

		const first = await syncDeal([order('main-sample')]);
		const second = await syncDeal([order('main-sample')]);
		expect(zoho.records('Deals')).toHaveLength(1);
		expect([first, second].map((result) => zohoOf(result.successItems[0]).deal.action)).toEqual(['insert', 'update']);
		expect(calls(zoho, '/coql').map((call) => call.body.select_query)).toEqual([
			"select id from Deals where WooCommerce_Order_ID = '727' limit 1",
			"select id from Deals where WooCommerce_Order_ID = '727' limit 1",
		]);
		expect(calls(zoho, 'Deals').map((call) => `${call.method} ${call.path}`)).toEqual(['POST /crm/v8/Deals', 'PUT /crm/v8/Deals']);
	});

	test('without the settings scope, setting up the field fails with the scope to add', async () => {
		// the OAuth2 credential's default scopes: settings.fields.READ only
		zoho.restrictScopes([
			'ZohoCRM.modules.contacts.ALL',
			'ZohoCRM.modules.accounts.ALL',
			'ZohoCRM.modules.deals.ALL',
			'ZohoCRM.settings.fields.READ',
			'ZohoCRM.coql.READ',
		]);
		zoho.expireAccessTokens();
		const result = await run({ resource: 'deal', operation: 'setUpOrderIdField' }, [{}], {
			nodeName: 'Set Up',
			onError: 'stopWorkflow',
		});
		expect(result.thrown).toBeInstanceOf(NodeApiError);
		expect(result.thrown?.message).toContain('ZohoCRM.settings.fields.ALL');
		expect(calls(zoho, 'POST /crm/v8/settings/fields').map((call) => call.status)).toEqual([401]);
		expect(zoho.records('Deals')).toHaveLength(0);
	});
});

describe('org with pipelines and multi-currency', () => {
	let zoho: ZohoEmulator;
	const { syncDeal, setUpOrderIdFields } = harness(() => zoho);
	beforeAll(async () => {
		zoho = await ZohoEmulator.start({ pipelines: true, multiCurrency: true });
	});
	afterAll(async () => await zoho.stop());
	beforeEach(async () => {
		zoho.reset();
		recordWaits();
		await setUpOrderIdFields();
	});

	test('Pipeline is sent (the first pipeline by default) and Currency for a EUR order', async () => {
		const result = await syncDeal([order('eur-multicurrency')]);
		expect(result.errorItems).toEqual([]);
		const sent = calls(zoho, 'Deals/upsert')[0].body.data[0];
		expect(sent).toMatchObject({ Pipeline: 'Standard (Standard)', Currency: 'EUR', Amount: 35.8 });
		expect(zoho.records('Deals')[0]).toMatchObject({ Pipeline: 'Standard (Standard)', Currency: 'EUR' });
	});

	test('a sales order of a EUR order is recorded in EUR', async () => {
		const contact = await runNode({
			emulator: zoho,
			credentialType: 'zohoCrmRefreshTokenApi',
			parameters: CONTACT,
			items: [order('eur-multicurrency')],
		});
		const result = await runNode({
			emulator: zoho,
			credentialType: 'zohoCrmRefreshTokenApi',
			parameters: SALES_ORDER,
			items: contact.successItems,
			nodeName: 'Create Sales Order',
		});
		expect(result.errorItems).toEqual([]);
		expect(zoho.records('Sales_Orders')[0]).toMatchObject({ Currency: 'EUR', Grand_Total: 35.8 });
	});
});

describe('org without pipelines or multi-currency', () => {
	let zoho: ZohoEmulator;
	const { syncDeal, setUpOrderIdFields } = harness(() => zoho);
	beforeAll(async () => {
		zoho = await ZohoEmulator.start();
	});
	afterAll(async () => await zoho.stop());
	beforeEach(async () => {
		recordWaits();
		await setUpOrderIdFields(['deal']);
	});

	test('neither Pipeline nor Currency is sent for a EUR order', async () => {
		const result = await syncDeal([order('eur-multicurrency')]);
		expect(result.errorItems).toEqual([]);
		const sent = calls(zoho, 'Deals/upsert')[0].body.data[0];
		expect(sent).not.toHaveProperty('Pipeline');
		expect(sent).not.toHaveProperty('Currency');
		expect(zoho.records('Deals')).toHaveLength(1);
	});
});

describe('org where an admin made Product_Code unique (the README set-up for several workers)', () => {
	let zoho: ZohoEmulator;
	const { setUpOrderIdFields } = harness(() => zoho);
	beforeAll(async () => {
		zoho = await ZohoEmulator.start({ uniqueProductCode: true });
	});
	afterAll(async () => await zoho.stop());
	beforeEach(async () => {
		recordWaits();
		await setUpOrderIdFields(['salesOrder']);
	});

	test('products are upserted on Product_Code in one call; two lines with the same name stay two products', async () => {
		const base = order('main-sample');
		const lines = (base.line_items as IDataObject[]).map((line) => ({ ...line, name: 'Woo Single' }));
		const result = await runNode({
			emulator: zoho,
			credentialType: 'zohoCrmRefreshTokenApi',
			parameters: SALES_ORDER,
			items: [{ ...base, line_items: lines }],
			nodeName: 'Create Sales Order',
		});
		expect(result.errorItems.map((item) => errorOf(item).message)).toEqual([]);
		expect(calls(zoho, 'Products/upsert')[0].body).toMatchObject({ duplicate_check_fields: ['Product_Code'] });
		expect(calls(zoho, '/coql').map((call) => call.body.select_query)).not.toContainEqual(expect.stringContaining('from Products'));
		const products = zoho.records('Products');
		expect(products.map((product) => product.Product_Code)).toEqual(['wc-93', 'Bar3']);
		const [salesOrder] = zoho.records('Sales_Orders');
		expect((salesOrder.Ordered_Items as IDataObject[]).map((row) => (row.Product_Name as IDataObject).id)).toEqual(products.map((product) => product.id));
		expect(salesOrder.Grand_Total).toBe(29.35);
	});
});

describe('an edition without Sales Orders (Standard)', () => {
	let zoho: ZohoEmulator;
	const { run } = harness(() => zoho);
	beforeAll(async () => {
		zoho = await ZohoEmulator.start({ edition: 'standard' });
	});
	afterAll(async () => await zoho.stop());
	beforeEach(() => recordWaits());

	test('Create Sales Order and Set Up Order ID Field say that the org has no Sales Orders', async () => {
		const contact = await run(CONTACT, [order('main-sample')]);
		const result = await run(SALES_ORDER, contact.successItems, { nodeName: 'Create Sales Order' });
		expect(result.successItems).toEqual([]);
		expect(errorOf(result.errorItems[0])).toMatchObject({ category: 'validation', zohoCode: 'INVALID_MODULE', operation: 'salesOrder.create' });
		expect(errorOf(result.errorItems[0]).message).toContain('no Sales Orders module');
		expect(errorOf(result.errorItems[0]).message).toContain('Deal resource');
		expect(calls(zoho, 'Products')).toHaveLength(0);

		const setUp = await run({ resource: 'salesOrder', operation: 'setUpOrderIdField' }, [{}], { nodeName: 'Set Up', onError: 'stopWorkflow' });
		expect(setUp.thrown?.message).toContain('no Sales Orders module');
	});
});

describe('queue mode: the concurrency cap is shared by the workers (Workers Sharing the Limit)', () => {
	let zoho: ZohoEmulator;
	const { run } = harness(() => zoho);

	beforeAll(async () => {
		// Free edition: Zoho answers 429 beyond 5 concurrent calls per org
		zoho = await ZohoEmulator.start({ concurrencyLimit: 5 });
	});
	afterAll(async () => await zoho.stop());
	beforeEach(() => {
		zoho.reset();
		zoho.setLatency(40);
	});

	/** 8 executions of this process at once, one customer each (each a separate Zoho call). */
	async function burst(options: IDataObject) {
		const runs = Array.from({ length: 8 }, async (_, index) =>
			await run({ ...CONTACT, linkAccount: false, options }, [
				order('main-sample', { billing: { ...(order('main-sample').billing as IDataObject), email: `share.${index}@example.com` } }),
			]),
		);
		const results = await Promise.all(runs);
		expect(results.flatMap((result) => result.errorItems)).toEqual([]);
		return zoho.concurrency();
	}

	it('2 workers sharing a cap of 5: this process keeps to 2 calls at once (2 + 2 ≤ 5 for the org)', async () => {
		const { peak, rejected } = await burst({ maxConcurrency: 5, workersSharingLimit: 2 });
		expect(peak).toBe(2);
		expect(rejected).toBe(0);
	});

	it('one process (default 1 worker): the whole cap of 5', async () => {
		const { peak } = await burst({ maxConcurrency: 5 });
		expect(peak).toBe(5);
	});

	it('more workers than the cap: still one call per worker (the cap cannot be kept; the README says so)', async () => {
		const { peak } = await burst({ maxConcurrency: 2, workersSharingLimit: 4 });
		expect(peak).toBe(1);
	});
});
