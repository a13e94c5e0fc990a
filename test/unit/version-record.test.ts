/**
 * The order-version record (helpers/versionRecord.ts): its keys, and its marks in n8n's deduplication store asked
 * through n8n-core's helpers of an ExecuteContext (this.helpers.checkProcessedAndRecord / removeProcessed), with
 * test/support/deduplicationStore.ts behind them (n8n 2.40's semantics in mode "entries").
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { IDataObject, INode, INodeType } from 'n8n-workflow';

import { orderVersionKey, recordedWrites, recordWrites, writeMark } from '../../nodes/ZohoCrmOrderSync/helpers/versionRecord';
import { resetZohoFieldsCache, resetZohoRequestState } from '../../nodes/ZohoCrmOrderSync/transport';
import { ZohoEmulator } from '../emulators/zoho';
import { deduplicationStore, type DeduplicationStore } from '../support/deduplicationStore';
import { executeContext, recordedLogger, workflowFor } from '../support/n8nCoreContext';
import { runWorkflow, type RunNodeResult, type WorkflowStep } from '../support/nodeHarness';
import { recordWaits } from '../support/zohoTransportFixtures';

const order = (id: number, modified: string, source = 'https://shop.example/'): IDataObject => ({
	id,
	date_modified_gmt: modified,
	_woocommerce: { source },
});

/** n8n-core's ExecuteContext of a Zoho node in workflow `wf-test`. */
function nodeContext() {
	const node: INode = { id: 'zoho', name: 'Zoho', type: 'n8n-nodes-woocommerce-zohocrm.zohoCrmOrderSync', typeVersion: 1, position: [0, 0], parameters: {} };
	const workflow = workflowFor(node, { description: { properties: [] } } as unknown as INodeType);
	const context = executeContext({ workflow, node, credentialsHelper: undefined as never });
	recordedLogger(context);
	return context;
}

describe('order-version record', () => {
	let dedup: DeduplicationStore;
	beforeAll(async () => (dedup = await deduplicationStore()));
	beforeEach(() => dedup.reset());
	const entries = () => dedup.entries('wf-test');

	it('keys a version by store, order id and date_modified_gmt (any date form, store URL case and slash)', () => {
		expect(orderVersionKey(order(7, '2024-05-01T10:00:00'))).toBe('https://shop.example|7|2024-05-01T10:00:00Z');
		expect(orderVersionKey(order(7, '2024-05-01 10:00:00Z', 'HTTPS://Shop.example'))).toBe(
			orderVersionKey(order(7, '2024-05-01T10:00:00')),
		);
		expect(orderVersionKey(order(7, '2024-05-01T10:00:01'))).not.toBe(orderVersionKey(order(7, '2024-05-01T10:00:00')));
		expect(orderVersionKey({ id: 7 })).toBeUndefined();
		expect(orderVersionKey({ date_modified_gmt: '2024-05-01T10:00:00' })).toBeUndefined();
	});

	it('each completing write has its own mark; Create Deal keeps `done|<version>`, the form records stored so far have', async () => {
		const context = nodeContext();
		const key = orderVersionKey(order(4, '2024-05-01T10:00:00'))!;
		expect(writeMark('deal.create', key)).toBe(`done|${key}`);
		expect(writeMark('salesOrder.create', key)).toBe(`done:salesOrder.create|${key}`);
		expect(writeMark('order.syncInOneCall', key)).toBe(`done:order.syncInOneCall|${key}`);
		await recordWrites.call(context, [writeMark('deal.create', key)]);
		const marks = [writeMark('deal.create', key), writeMark('salesOrder.create', key), writeMark('order.syncInOneCall', key)];
		expect(await recordedWrites.call(context, marks)).toEqual(new Set([`done|${key}`]));
		expect(entries()).toEqual([`done|${key}`]);
	});

	it('asking leaves no mark: a write is recorded only once recorded after the write', async () => {
		const context = nodeContext();
		const mark = writeMark('salesOrder.create', orderVersionKey(order(1, '2024-05-01T10:00:00'))!);
		expect(await recordedWrites.call(context, [mark])).toEqual(new Set());
		expect(await recordedWrites.call(context, [mark])).toEqual(new Set());
		expect(entries()).toEqual([]);
		await recordWrites.call(context, [mark]);
		expect(await recordedWrites.call(context, [mark])).toEqual(new Set([mark]));
		expect(entries()).toEqual([mark]);
	});

	it.each(['deal.create', 'salesOrder.create'] as const)(
		'a probe that died between its two database writes never makes an unwritten version look written (%s)',
		async (operation) => {
			const context = nodeContext();
			const unwritten = writeMark(operation, orderVersionKey(order(2, '2024-05-01T10:00:00'))!);
			const written = writeMark(operation, orderVersionKey(order(3, '2024-05-01T10:00:00'))!);
			await recordWrites.call(context, [written]);
			dedup.failNextRemoves(1);
			// the probe fails: answers "nothing recorded", and leaves its marks behind
			expect(await recordedWrites.call(context, [unwritten, written])).toEqual(new Set());
			expect(entries()).toContain(unwritten);
			// the leftover done mark has its check marker: not written; the written one costs one more write at worst
			const answer = await recordedWrites.call(context, [unwritten, written]);
			expect(answer.has(unwritten)).toBe(false);
			// and the marks are cleaned up
			expect(entries().filter((entry) => entry.startsWith('check'))).toEqual([]);
			expect(entries()).not.toContain(unwritten);
		},
	);
});

/**
 * The order-version gate as n8n runs the node (router → run ledger → gate → operation), in workflows of several Zoho
 * nodes that are one execution (test/support/nodeHarness.ts runWorkflow), against the Zoho emulator and n8n-core's
 * deduplication helpers backed by test/support/deduplicationStore.ts.
 */
describe('order versions in workflows (through the node)', () => {
	const ORDERS = join(__dirname, '..', 'fixtures', 'orders');
	const sample = (overrides: IDataObject = {}): IDataObject => ({
		...(JSON.parse(readFileSync(join(ORDERS, 'main-sample.json'), 'utf8')) as IDataObject),
		_woocommerce: { source: 'https://shop.example/' },
		...overrides,
	});
	const VERSION = 'https://shop.example|727|2026-03-22T23:28:02Z';
	const CONTACT = { name: 'Upsert Contact', parameters: { resource: 'contact', operation: 'upsert' } };
	const DEAL = { name: 'Create Deal', parameters: { resource: 'deal', operation: 'create' } };
	const SALES_ORDER = { name: 'Create Sales Order', parameters: { resource: 'salesOrder', operation: 'create' } };
	const ONE_CALL = { name: 'Sync Order in One Call', parameters: { resource: 'order', operation: 'syncInOneCall' } };
	const ACCOUNT = { name: 'Upsert Account', parameters: { resource: 'account', operation: 'upsert' } };

	let zoho: ZohoEmulator;
	let dedup: DeduplicationStore;
	const deliver = async (steps: WorkflowStep[], item: IDataObject = sample()) =>
		await runWorkflow({ emulator: zoho, credentialType: 'zohoCrmRefreshTokenApi', steps, items: [item] });
	const zohoCalls = () => zoho.apiCalls().map((call) => `${call.method} ${call.path}`);
	const skipped = (result: RunNodeResult) => (result.successItems[0].json.zoho as IDataObject | undefined)?.skipped;

	beforeAll(async () => {
		zoho = await ZohoEmulator.start({ orderIdField: true, taxes: [{ name: 'State Tax', value: 7.5 }] });
		dedup = await deduplicationStore();
	});
	afterAll(async () => await zoho.stop());
	beforeEach(() => {
		zoho.reset();
		dedup.reset();
		resetZohoFieldsCache();
		resetZohoRequestState();
		recordWaits();
	});
	afterEach(() => jest.restoreAllMocks());

	// The Zoho calls are those the node made before the record told the completing writes apart (measured on it).
	it.each([
		['Contact → Deal', [CONTACT, DEAL], ['POST /crm/v8/Accounts/upsert', 'POST /crm/v8/Contacts/upsert', 'GET /crm/v8/settings/fields', 'POST /crm/v8/Deals/upsert']],
		[
			'Contact → Sales Order',
			[CONTACT, SALES_ORDER],
			[
				'POST /crm/v8/Accounts/upsert',
				'POST /crm/v8/Contacts/upsert',
				'GET /crm/v8/settings/fields',
				'GET /crm/v8/settings/fields',
				'POST /crm/v8/coql',
				'POST /crm/v8/Products',
				'POST /crm/v8/coql',
				'POST /crm/v8/Sales_Orders/upsert',
				expect.stringMatching(/^GET \/crm\/v8\/Sales_Orders\/\d+$/),
			],
		],
		['Sync in One Call', [ONE_CALL], ['GET /crm/v8/settings/fields', 'POST /crm/v8/__composite_requests']],
	])('the bundled %s workflow: one probe and one record per new version; a repeated version costs one probe and no Zoho call', async (_name, steps, calls) => {
		const first = await deliver(steps);
		expect(first.map((result) => result.errorItems)).toEqual(steps.map(() => []));
		expect(dedup.calls).toEqual(['record 2', 'remove 2', 'record 1']);
		expect(zohoCalls()).toEqual(calls);
		const written = zoho.apiCalls().length;

		dedup.calls.length = 0;
		const again = await deliver(steps);
		expect(again.map(skipped)).toEqual(steps.map(() => expect.objectContaining({ version: VERSION })));
		expect(dedup.calls).toEqual(['record 2', 'remove 1']);
		expect(zoho.apiCalls()).toHaveLength(written);
	});

	it('(a) a Zoho node after Create Deal in the same execution writes: Upsert Account after Contact → Deal', async () => {
		const [, deal, account] = await deliver([CONTACT, DEAL, ACCOUNT]);
		expect(deal.errorItems).toEqual([]);
		expect(account.errorItems).toEqual([]);
		expect(skipped(account)).toBeUndefined();
		expect((account.successItems[0].json.zoho as IDataObject).account).toMatchObject({ action: 'update', name: 'Acme Widgets Ltd' });
		expect(zohoCalls().filter((call) => call.endsWith('/Accounts/upsert'))).toHaveLength(2);
		// the contact node asks about the deal; the account node leads to no completing write and asks nothing
		expect(dedup.calls).toEqual(['record 2', 'remove 2', 'record 1']);
	});

	it('(b) Create Sales Order after Create Deal in the same execution writes the sales order, linked to the deal', async () => {
		const [, deal, salesOrder] = await deliver([CONTACT, DEAL, SALES_ORDER]);
		expect(salesOrder.errorItems).toEqual([]);
		expect(skipped(salesOrder)).toBeUndefined();
		const [zohoDeal] = zoho.records('Deals');
		expect(zoho.records('Sales_Orders')).toEqual([expect.objectContaining({ Deal_Name: expect.objectContaining({ id: zohoDeal.id }) })]);
		expect(((deal.successItems[0].json.zoho as IDataObject).deal as IDataObject).id).toBe(zohoDeal.id);
		// one probe of both writes by the contact node, then each write's own record
		expect(dedup.calls).toEqual(['record 4', 'remove 4', 'record 1', 'record 1']);
		expect(dedup.entries('wf-harness')).toEqual([`done|${VERSION}`, `done:salesOrder.create|${VERSION}`]);

		// the next delivery of that version: everything written, nothing sent
		dedup.calls.length = 0;
		const calls = zoho.apiCalls().length;
		const again = await deliver([CONTACT, DEAL, SALES_ORDER]);
		expect(again.map(skipped)).toEqual([0, 1, 2].map(() => expect.objectContaining({ version: VERSION })));
		expect(zoho.apiCalls()).toHaveLength(calls);
		expect(dedup.calls).toEqual(['record 4', 'remove 2']);
	});

	it('(b) a sales order refused after its deal was written is written on the next delivery of the same version', async () => {
		zoho.addValidationRule((module) =>
			module === 'Sales_Orders' ? { code: 'INVALID_DATA', message: 'invalid data', details: { api_name: 'Subject' } } : undefined,
		);
		const [, deal, refused] = await deliver([CONTACT, DEAL, SALES_ORDER]);
		expect(deal.errorItems).toEqual([]);
		expect(refused.errorItems).toHaveLength(1);
		expect(zoho.records('Sales_Orders')).toEqual([]);

		// fixed in Zoho; WooCommerce delivers the same version again (or the reconciliation poll finds it)
		expect(dedup.entries('wf-harness')).toEqual([`done|${VERSION}`]);
		zoho.clearFaults();
		const [, dealAgain, salesOrder] = await deliver([CONTACT, DEAL, SALES_ORDER]);
		expect(salesOrder.errorItems).toEqual([]);
		expect(skipped(salesOrder)).toBeUndefined();
		// the deal is written again (an upsert onto the same record) so that the sales order links to it
		expect((dealAgain.successItems[0].json.zoho as IDataObject).deal).toMatchObject({ action: 'update' });
		const deals = zoho.records('Deals');
		expect(deals).toHaveLength(1);
		expect(zoho.records('Sales_Orders')).toEqual([expect.objectContaining({ Deal_Name: expect.objectContaining({ id: deals[0].id }) })]);
	});

	it('a record stored by earlier versions of the node (`done|<version>`) still means the deal was written, and only that', async () => {
		dedup.seed('wf-harness', [`done|${VERSION}`]);
		const results = await deliver([CONTACT, DEAL]);
		expect(results.map(skipped)).toEqual([0, 1].map(() => expect.objectContaining({ version: VERSION })));
		expect(zoho.apiCalls()).toEqual([]);

		// a sales-order workflow's old record cannot be told from a deal's: its version is written once more
		const [, salesOrder] = await deliver([CONTACT, SALES_ORDER]);
		expect(skipped(salesOrder)).toBeUndefined();
		expect(zoho.records('Sales_Orders')).toHaveLength(1);
	});
});
