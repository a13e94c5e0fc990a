/**
 * workflows/woocommerce-to-zohocrm-one-call.json in a real n8n 2.40.7, imported unchanged, against the WooCommerce and
 * Zoho CRM emulators: WooCommerce Order Trigger → Sync Order in One Call (one Zoho composite call with
 * rollback_on_fail) → error output → dead-letter Data Table, and the replay workflow for its dead letters.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { startN8n } from '../n8n/harness';
import type { N8nInstance } from '../n8n/harness';
import { WooCommerceEmulator } from '../emulators/woocommerce';
import { ZohoEmulator } from '../emulators/zoho';
import { credentialRef, e2eTest, stopAllAfterwards, wooCommerceCredential, zohoRefreshTokenCredential } from './support';

const WORKFLOWS = join(__dirname, '..', '..', 'workflows');
const load = (file: string) => JSON.parse(readFileSync(join(WORKFLOWS, file), 'utf8'));
const oneCallWorkflow = load('woocommerce-to-zohocrm-one-call.json');
const replayWorkflow = load('dead-letter-replay.json');
const TABLE = 'zoho_sync_dead_letters';
const NODE = 'Sync Order in One Call';

let woo: WooCommerceEmulator;
let zoho: ZohoEmulator;
let n8n: N8nInstance;
const e2e = e2eTest(() => n8n);
let runs = 0;

async function placeOrder(overrides: object = {}, timeoutMs = 60_000) {
	const order = woo.addOrder(overrides);
	const deliveries = await woo.deliver('order.created', order);
	expect(deliveries.map((delivery) => delivery.status)).toEqual([200]);
	runs += 1;
	await n8n.waitForExecutions(runs, { workflowId: oneCallWorkflow.id, timeoutMs });
	return order;
}

const contactsFor = (email: string) => zoho.records('Contacts').filter((record) => String(record.Email).toLowerCase() === email.toLowerCase());
const dealsFor = (orderId: number) => zoho.records('Deals').filter((record) => record.WooCommerce_Order_ID === String(orderId));
const accountsNamed = (name: string) => zoho.records('Accounts').filter((record) => record.Account_Name === name);
const deadLetters = async (orderId: number) => (await n8n.dataTableRows(TABLE)).filter((row) => Number(row.orderId) === orderId);

beforeAll(async () => {
	woo = await WooCommerceEmulator.start();
	zoho = await ZohoEmulator.start({ orderIdField: true }); // an org that has been set up
	const zohoCredential = credentialRef(oneCallWorkflow, 'zohoCrmRefreshTokenApi');
	expect(credentialRef(replayWorkflow, 'zohoCrmRefreshTokenApi')).toEqual(zohoCredential);
	n8n = await startN8n({
		credentials: [
			wooCommerceCredential(credentialRef(oneCallWorkflow, 'wooCommerceStoreApi'), woo),
			zohoRefreshTokenCredential(zohoCredential, zoho),
		],
		workflows: [oneCallWorkflow, replayWorkflow],
		publish: [oneCallWorkflow.id],
	});
}, 300_000);

stopAllAfterwards(() => [n8n, woo, zoho]);

describe('bundled workflow woocommerce-to-zohocrm-one-call.json in n8n 2.40.7', () => {
	e2e('an order becomes account, contact and deal through exactly one composite call; the next order costs one call', async () => {
		const before = zoho.apiCalls().length;
		const order = await placeOrder();
		const calls = zoho.apiCalls().slice(before);
		console.log(`Zoho calls for the first order: ${calls.map((call) => `${call.method} ${call.path}`).join(', ')}`);
		// field metadata once per install (then kept in the workflow's static data), then the one composite call
		expect(calls.filter((call) => call.path.endsWith('/__composite_requests'))).toHaveLength(1);
		expect(calls.filter((call) => !call.path.endsWith('/__composite_requests')).map((call) => call.path)).toEqual([
			'/crm/v8/settings/fields',
		]);
		const [account] = accountsNamed(order.billing.company);
		const [contact] = contactsFor(order.billing.email);
		const deals = dealsFor(order.id);
		expect(deals).toHaveLength(1);
		expect(contact.Account_Name).toMatchObject({ id: account.id });
		expect(deals[0]).toMatchObject({
			Stage: 'Closed Won',
			Amount: Number(order.total),
			Contact_Name: { id: contact.id },
			Account_Name: { id: account.id },
		});
		expect(await deadLetters(order.id)).toEqual([]);

		const between = zoho.apiCalls().length;
		const second = await placeOrder();
		const secondCalls = zoho.apiCalls().slice(between);
		expect(secondCalls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual(['POST /crm/v8/__composite_requests 200']);
		expect(dealsFor(second.id)).toHaveLength(1);
	});

	e2e('after an n8n restart the field metadata comes from the workflow static data: still one call per order', async () => {
		const { userFolder, port } = n8n;
		await n8n.stop();
		// same folder (database) and port (the webhook URL registered in the store)
		n8n = await startN8n({ userFolder, port, publish: [] });
		await n8n.waitForPublication(oneCallWorkflow.id, { expect: ['published'] });
		const before = zoho.apiCalls().length;
		runs = (await n8n.executions(oneCallWorkflow.id)).length;
		const order = await placeOrder();
		expect(zoho.apiCalls().slice(before).map((call) => `${call.method} ${call.path}`)).toEqual(['POST /crm/v8/__composite_requests']);
		expect(dealsFor(order.id)).toHaveLength(1);
	}, 180_000);

	e2e('a refused sub-request rolls the order back: no account, contact or deal, one dead-letter row; the replay completes it', async () => {
		const email = 'rolled.back@example.com';
		const company = 'Rollback Test GmbH';
		zoho.addValidationRule((module, record) =>
			module === 'Deals' && String(record.Deal_Name).includes('Rolled')
				? { code: 'INVALID_DATA', message: 'invalid data', details: { api_name: 'Deal_Name', json_path: '$.data[0].Deal_Name' } }
				: undefined,
		);
		const before = zoho.apiCalls().length;
		const order = await placeOrder({ billing: { ...woo.addOrder().billing, email, company, first_name: 'Rolled', last_name: 'Back' } }, 90_000);
		const calls = zoho.apiCalls().slice(before);
		// refused (400): neither the transport nor n8n's retry-on-fail sent it again
		expect(calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual(['POST /crm/v8/__composite_requests 400']);
		expect(contactsFor(email)).toEqual([]);
		expect(accountsNamed(company)).toEqual([]);
		expect(dealsFor(order.id)).toEqual([]);

		const rows = await deadLetters(order.id);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({
			key: `${order.id}:${NODE}`,
			failedNode: NODE,
			operation: 'order.syncInOneCall',
			category: 'validation',
			httpCode: 400,
			zohoCode: 'INVALID_DATA',
			status: 'open',
			zohoRequest: 'POST /crm/v8/__composite_requests',
		});
		expect(JSON.parse(rows[0].details)).toMatchObject({ api_name: 'Deal_Name', sub_request_id: 'deal' });
		expect(JSON.parse(rows[0].zohoPayload).__composite_requests).toHaveLength(3);

		// fixed: the replay workflow writes the same three records, once
		zoho.clearFaults();
		const { executionId } = await n8n.runManualWorkflow(replayWorkflow.id, 'Replay Dead Letters');
		await n8n.waitForExecutions(1, { workflowId: replayWorkflow.id, timeoutMs: 90_000 });
		expect((await n8n.execution(executionId)).status).toBe('success');
		expect(contactsFor(email)).toHaveLength(1);
		expect(accountsNamed(company)).toHaveLength(1);
		expect(dealsFor(order.id)).toHaveLength(1);
		expect((await deadLetters(order.id))[0]).toMatchObject({ status: 'resolved' });
	}, 180_000);
});
