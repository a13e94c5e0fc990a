/**
 * The bundled workflows in a real n8n 2.40.7, imported unchanged from workflows/ (the credentials are created
 * with the ids the files reference), against the project's WooCommerce and Zoho CRM emulators:
 * WooCommerce Order Trigger → Upsert Contact (+ Account) → Create Deal, error outputs → dead-letter Data Table,
 * and the replay workflow.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { startN8n } from '../n8n/harness';
import type { N8nInstance } from '../n8n/harness';
import { WooCommerceEmulator } from '../emulators/woocommerce';
import { ZohoEmulator } from '../emulators/zoho';
import {
	credentialRef,
	e2eTest,
	setUpOrderIdFields,
	setUpOrderIdFieldWorkflow,
	sleep,
	stopAllAfterwards,
	wooCommerceCredential,
	zohoRefreshTokenCredential,
} from './support';

const WORKFLOWS = join(__dirname, '..', '..', 'workflows');
const load = (file: string) => JSON.parse(readFileSync(join(WORKFLOWS, file), 'utf8'));
const dealsWorkflow = load('woocommerce-to-zohocrm.json');
const replayWorkflow = load('dead-letter-replay.json');
const TABLE = 'zoho_sync_dead_letters';

let woo: WooCommerceEmulator;
let zoho: ZohoEmulator;
let n8n: N8nInstance;
const e2e = e2eTest(() => n8n);

/** Executions of the deals workflow so far; waits until `count` of them have finished. */
async function waitForDealRuns(count: number, timeoutMs = 60_000) {
	return await n8n.waitForExecutions(count, { workflowId: dealsWorkflow.id, timeoutMs });
}
let dealRuns = 0;

/** A new order in the store, delivered (signed, PHP-encoded) to every order.created webhook; waits for its run. */
async function placeOrder(overrides: object = {}, runs = 1, timeoutMs?: number) {
	const order = woo.addOrder(overrides);
	const deliveries = await woo.deliver('order.created', order);
	expect(deliveries.map((delivery) => delivery.status)).toEqual([200]);
	dealRuns += runs;
	await waitForDealRuns(dealRuns, timeoutMs);
	return order;
}

const contactsFor = (email: string) =>
	zoho.records('Contacts').filter((record) => String(record.Email).toLowerCase() === email.toLowerCase());
const dealsFor = (orderId: number) =>
	zoho.records('Deals').filter((record) => record.WooCommerce_Order_ID === String(orderId));
const callsTo = (pathPart: string) => zoho.apiCalls().filter((call) => call.path.includes(pathPart));
async function deadLetters(orderId?: number) {
	const rows = await n8n.dataTableRows(TABLE);
	return orderId === undefined ? rows : rows.filter((row) => Number(row.orderId) === orderId);
}

/** Zoho refuses this email with INVALID_DATA until clearFaults() — the "fix" before a replay. */
function rejectEmail(email: string) {
	zoho.addValidationRule((module, record) =>
		module === 'Contacts' && String(record.Email).toLowerCase() === email
			? {
					code: 'INVALID_DATA',
					message: 'invalid data',
					details: { api_name: 'Email', json_path: '$.data[0].Email', expected_data_type: 'email' },
				}
			: undefined,
	);
}

beforeAll(async () => {
	woo = await WooCommerceEmulator.start();
	zoho = await ZohoEmulator.start();
	const wooCredential = credentialRef(dealsWorkflow, 'wooCommerceStoreApi');
	const zohoCredential = credentialRef(dealsWorkflow, 'zohoCrmRefreshTokenApi');
	expect(credentialRef(replayWorkflow, 'zohoCrmRefreshTokenApi')).toEqual(zohoCredential);
	n8n = await startN8n({
		credentials: [wooCommerceCredential(wooCredential, woo), zohoRefreshTokenCredential(zohoCredential, zoho)],
		workflows: [dealsWorkflow, replayWorkflow, setUpOrderIdFieldWorkflow(zohoCredential, ['deal'])],
		publish: [dealsWorkflow.id],
	});
	expect(woo.webhooks.filter((webhook) => webhook.status === 'active')).toHaveLength(1);
	// a new Zoho org has no order-id field: created once through the node's own "Set Up Order ID Field"
	expect(await setUpOrderIdFields(n8n)).toEqual({ Deals: 'WooCommerce_Order_ID' });
}, 300_000);

stopAllAfterwards(() => [n8n, woo, zoho]);

describe('bundled workflow woocommerce-to-zohocrm.json in n8n 2.40.7', () => {
	e2e('a. a good order becomes one contact, one account and one deal, linked, with no dead letter', async () => {
		const before = zoho.apiCalls().length;
		const order = await placeOrder();

		const [contact] = contactsFor(order.billing.email);
		expect(contactsFor(order.billing.email)).toHaveLength(1);
		expect(contact).toMatchObject({
			Email: order.billing.email.toLowerCase(),
			First_Name: order.billing.first_name,
			Last_Name: order.billing.last_name,
			Mailing_City: order.billing.city,
			Mailing_Zip: order.billing.postcode,
		});
		const accounts = zoho.records('Accounts').filter((account) => account.Account_Name === order.billing.company);
		expect(accounts).toHaveLength(1);
		expect((contact.Account_Name as { id: string }).id).toBe(accounts[0].id);

		const deals = dealsFor(order.id);
		expect(deals).toHaveLength(1);
		expect(deals[0]).toMatchObject({
			Deal_Name: `WooCommerce Order #${order.number} (${order.billing.first_name} ${order.billing.last_name})`,
			Stage: 'Closed Won',
			Amount: Number(order.total),
			Closing_Date: order.date_created.slice(0, 10),
		});
		expect((deals[0].Contact_Name as { id: string }).id).toBe(contact.id);
		expect((deals[0].Account_Name as { id: string }).id).toBe(accounts[0].id);
		expect(String(deals[0].Description)).toContain(order.line_items[0].name.split(' ')[0]);
		expect(await deadLetters(order.id)).toEqual([]);
		// the first order: no dead-letter table yet. Looking for the order's open rows fails quietly (error output,
		// not connected) and the run still succeeds.
		const [run] = await n8n.executions(dealsWorkflow.id);
		expect(run.status).toBe('success');
		expect(await n8n.nodeOutput(run.id, 'Find Open Dead Letters', 1)).toHaveLength(1);
		expect((await n8n.execution(run.id)).data['Mark Written Orders Resolved']).toBeUndefined();

		const calls = zoho.apiCalls().slice(before);
		// measured for the closing note: account + contact + deal upserts, plus field metadata once per process
		console.log(`Zoho API calls for the first order with a company: ${calls.map((call) => `${call.method} ${call.path}`).join(', ')}`);
		expect(calls.filter((call) => call.method === 'POST' && call.path.endsWith('/upsert'))).toHaveLength(3);
	});

	e2e('an order without names gets a deal named after the email, not "WooCommerce Order #N ( )"', async () => {
		const order = await placeOrder({
			billing: { ...woo.addOrder().billing, first_name: '', last_name: '', company: '', email: 'no.names@example.com' },
		});
		const deals = dealsFor(order.id);
		expect(deals).toHaveLength(1);
		expect(deals[0].Deal_Name).toBe(`WooCommerce Order #${order.number} (no.names@example.com)`);
		expect(contactsFor('no.names@example.com')[0]).toMatchObject({ Last_Name: 'no.names' });
		expect(await deadLetters(order.id)).toEqual([]);
	});

	e2e('a second order from the same email updates the contact and adds a second deal', async () => {
		const first = await placeOrder({ billing: { ...woo.addOrder().billing, email: 'Repeat.Buyer@Example.com', company: '' } });
		const before = zoho.apiCalls().length;
		const second = await placeOrder({ billing: { ...first.billing, phone: '+49 30 000000' } });
		expect(contactsFor('repeat.buyer@example.com')).toHaveLength(1);
		expect(contactsFor('repeat.buyer@example.com')[0].Phone).toBe('+49 30 000000');
		expect(dealsFor(first.id)).toHaveLength(1);
		expect(dealsFor(second.id)).toHaveLength(1);
		const calls = zoho.apiCalls().slice(before);
		console.log(`Zoho API calls for an order without a company: ${calls.map((call) => `${call.method} ${call.path}`).join(', ')}`);
		expect(calls).toHaveLength(2);
	});

	e2e('b. an order Zoho refuses (INVALID_DATA on Email) is not retried and lands as one dead-letter row', async () => {
		rejectEmail('refused.b@example.com');
		const upsertsBefore = callsTo('/Contacts/upsert').length;
		const order = await placeOrder({ billing: { ...woo.addOrder().billing, email: 'refused.b@example.com' } }, 1, 90_000);

		// one HTTP call: neither the transport nor n8n's retry-on-fail (3 tries) sent the 400 again
		expect(callsTo('/Contacts/upsert').length - upsertsBefore).toBe(1);
		expect(dealsFor(order.id)).toHaveLength(0);
		const rows = await deadLetters(order.id);
		expect(rows).toHaveLength(1);
		const [row] = rows;
		console.log(`dead-letter row of case b: ${JSON.stringify(row)}`);
		expect(row).toMatchObject({
			key: `${order.id}:Upsert Contact`,
			orderNumber: order.number,
			customerEmail: 'refused.b@example.com',
			failedNode: 'Upsert Contact',
			category: 'validation',
			httpCode: 400,
			zohoCode: 'INVALID_DATA',
			message: 'invalid data',
			attempts: 1,
			zohoAttempts: 1,
			status: 'open',
			workflowId: dealsWorkflow.id,
		});
		expect(JSON.parse(row.details)).toMatchObject({ api_name: 'Email', expected_data_type: 'email' });
		expect(JSON.parse(row.order)).toMatchObject({ id: order.id, number: order.number, billing: { email: 'refused.b@example.com' } });
		expect(JSON.parse(row.zohoPayload).data[0]).toMatchObject({ Email: 'refused.b@example.com' });
		expect(row.zohoRequest).toBe('POST /crm/v8/Contacts/upsert');
	}, 120_000);

	e2e('c. 429 twice, then OK: the waits are honoured and the deal is created without a dead letter', async () => {
		zoho.inject({ times: 2, status: 429, retryAfter: 2, match: '/Deals/upsert' });
		const before = callsTo('/Deals/upsert').length;
		const order = await placeOrder();
		const attempts = callsTo('/Deals/upsert').slice(before);
		expect(attempts.map((call) => call.status)).toEqual([429, 429, 201]);
		expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(1900);
		expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(1900);
		expect(dealsFor(order.id)).toHaveLength(1);
		expect(await deadLetters(order.id)).toEqual([]);
	});

	e2e(
		'd. Zoho answering 503 for longer than the retry budget gives one dead-letter row, category server',
		async () => {
			zoho.inject({ times: 1000, status: 503, match: '/Deals/upsert' });
			const started = Date.now();
			const order = await placeOrder({}, 1, 150_000);
			zoho.clearFaults();
			const rows = await deadLetters(order.id);
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({ key: `${order.id}:Create Deal`, category: 'server', httpCode: 503, status: 'open' });
			// backoff 1 s + 5 s + 25 s inside the node, then n8n's two re-runs with one attempt each
			expect(rows[0].zohoAttempts).toBeGreaterThanOrEqual(4);
			expect(Date.now() - started).toBeGreaterThanOrEqual(25_000);
			expect(contactsFor(order.billing.email)).toHaveLength(1);
			expect(dealsFor(order.id)).toHaveLength(0);
		},
		180_000,
	);

	e2e('e. an expired access token is refreshed transparently, without a dead letter', async () => {
		zoho.expireAccessTokens();
		const tokenCalls = () => zoho.calls.filter((call) => call.path.startsWith('/oauth/v2/token')).length;
		const before = tokenCalls();
		const order = await placeOrder();
		expect(tokenCalls() - before).toBe(1);
		expect(dealsFor(order.id)).toHaveLength(1);
		expect(await deadLetters(order.id)).toEqual([]);
	});

	e2e('g. the same order delivered twice at the same moment gives one contact and one deal', async () => {
		const order = woo.addOrder({ billing: { ...woo.addOrder().billing, email: 'twice@example.com' } });
		const deliveries = await Promise.all([woo.deliver('order.created', order), woo.deliver('order.created', order)]);
		expect(deliveries.flat().map((delivery) => delivery.status)).toEqual([200, 200]);
		dealRuns += 2;
		await waitForDealRuns(dealRuns);
		expect(contactsFor('twice@example.com')).toHaveLength(1);
		expect(dealsFor(order.id)).toHaveLength(1);
	});

	e2e('g. the same refused order delivered twice gives one dead-letter row with attempts 2', async () => {
		rejectEmail('refused.g@example.com');
		const order = woo.addOrder({ billing: { ...woo.addOrder().billing, email: 'refused.g@example.com' } });
		for (let delivery = 0; delivery < 2; delivery++) {
			expect((await woo.deliver('order.created', order)).map((answer) => answer.status)).toEqual([200]);
			dealRuns += 1;
			await waitForDealRuns(dealRuns, 90_000);
		}
		const rows = await deadLetters(order.id);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ key: `${order.id}:Upsert Contact`, attempts: 2, status: 'open' });
		expect(rows[0].firstFailedAt <= rows[0].lastFailedAt).toBe(true);
	}, 150_000);

	e2e(
		'f. after the fix, the replay workflow turns every open row into Zoho records and marks it resolved; a second replay changes nothing',
		async () => {
			zoho.clearFaults();
			const open = (await deadLetters()).filter((row) => row.status === 'open');
			expect(open.length).toBeGreaterThanOrEqual(3);

			const { executionId } = await n8n.runManualWorkflow(replayWorkflow.id, 'Replay Dead Letters');
			await n8n.waitForExecutions(1, { workflowId: replayWorkflow.id, timeoutMs: 90_000 });
			const replay = await n8n.execution(executionId);
			expect(replay.status).toBe('success');

			const rows = await deadLetters();
			for (const row of open) {
				const now = rows.find((candidate) => candidate.key === row.key)!;
				expect(now).toMatchObject({ status: 'resolved', resolvedExecutionId: executionId });
				const order = JSON.parse(row.order);
				expect(contactsFor(order.billing.email)).toHaveLength(1);
				expect(dealsFor(order.id)).toHaveLength(1);
				expect(JSON.parse(now.zohoRecordIds)).toMatchObject({ deal: { id: dealsFor(order.id)[0].id } });
			}

			const callsBefore = zoho.apiCalls().length;
			const second = await n8n.runManualWorkflow(replayWorkflow.id, 'Replay Dead Letters');
			await n8n.waitForExecutions(2, { workflowId: replayWorkflow.id, timeoutMs: 60_000 });
			expect((await n8n.execution(second.executionId)).status).toBe('success');
			await sleep(500);
			expect(zoho.apiCalls().length).toBe(callsBefore);
			expect(await deadLetters()).toEqual(rows);
		},
		180_000,
	);

	e2e(
		'h. a replay where one order fails at the contact and another at the deal updates both rows, once each',
		async () => {
			rejectEmail('refused.h1@example.com');
			rejectEmail('refused.h2@example.com');
			const atContact = await placeOrder({ billing: { ...woo.addOrder().billing, email: 'refused.h1@example.com' } }, 1, 90_000);
			const atDeal = await placeOrder({ billing: { ...woo.addOrder().billing, email: 'refused.h2@example.com' } }, 1, 90_000);
			const keys = [`${atContact.id}:Upsert Contact`, `${atDeal.id}:Upsert Contact`];

			// the "fix" only helps the second order's contact; its deal is now refused
			zoho.clearFaults();
			rejectEmail('refused.h1@example.com');
			zoho.addValidationRule((module, record) =>
				module === 'Deals' && record.WooCommerce_Order_ID === String(atDeal.id)
					? { code: 'INVALID_DATA', message: 'invalid data', details: { api_name: 'Amount', json_path: '$.data[0].Amount', expected_data_type: 'double' } }
					: undefined,
			);
			const rowsBefore = (await deadLetters()).length;
			const replaysBefore = (await n8n.executions(replayWorkflow.id)).length;
			const { executionId } = await n8n.runManualWorkflow(replayWorkflow.id, 'Replay Dead Letters');
			await n8n.waitForExecutions(replaysBefore + 1, { workflowId: replayWorkflow.id, timeoutMs: 90_000 });
			expect((await n8n.execution(executionId)).status).toBe('success');

			const rows = await deadLetters();
			expect(rows).toHaveLength(rowsBefore);
			const [contactRow, dealRow] = keys.map((key) => rows.find((row) => row.key === key)!);
			expect(contactRow).toMatchObject({ status: 'open', attempts: 2, failedNode: 'Upsert Contact', zohoCode: 'INVALID_DATA' });
			expect(dealRow).toMatchObject({ status: 'open', attempts: 2, failedNode: 'Create Deal', zohoCode: 'INVALID_DATA' });
			expect(JSON.parse(dealRow.details)).toMatchObject({ api_name: 'Amount' });
			expect(contactsFor('refused.h2@example.com')).toHaveLength(1);
			expect(dealsFor(atDeal.id)).toHaveLength(0);
			zoho.clearFaults();
		},
		180_000,
	);
});
