/**
 * Nothing lost, nothing doubled (issue 7), in a real n8n 2.40.7 with the bundled woocommerce-to-zohocrm.json (its
 * reconciliation poll set to every minute, backfilling from the start of this file) against the emulators:
 * - 100 simultaneous deliveries of one order make one deal, one contact and no more Zoho writes than one delivery;
 * - the same order version again makes no Zoho write at all;
 * - n8n killed (SIGKILL) in the middle of a burst of 60 signed orders, the rest of the burst failing to deliver (so
 *   WooCommerce disables the webhook), restarted: within one reconciliation every order has exactly one deal, every
 *   email one contact, and the webhook is active again;
 * - 1,000 orders, 50 of them modified while the poll pages through them: all 1,000 in Zoho once;
 * - faults while 200 orders flow (429 storms, one with `Retry-After: 0`; 500s for 20 s; Zoho down for 10 s; the access
 *   token revoked): every order once in Zoho or once in the dead letters, and the replay workflow clears them;
 * - none of the test secrets appears in n8n's stored executions, its log or the dead-letter rows.
 * Every wait is bounded; all traffic stays on 127.0.0.1.
 */
import { createHmac, randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';

import type { N8nInstance } from '../n8n/harness';
import { WooCommerceEmulator } from '../emulators/woocommerce';
import { ZohoEmulator } from '../emulators/zoho';
import { e2eTest, sleep, startOrRestartN8n, stopAllAfterwards } from './support';

const WORKFLOWS = join(__dirname, '..', '..', 'workflows');
const startedAt = Date.now();
const workflow = JSON.parse(readFileSync(join(WORKFLOWS, 'woocommerce-to-zohocrm.json'), 'utf8'));
const reconciliation = workflow.nodes.find((node: any) => node.type.endsWith('.wooCommerceOrderPollTrigger'));
reconciliation.parameters = {
	...reconciliation.parameters,
	startFrom: new Date(startedAt - 60_000).toISOString().slice(0, 19),
	pollTimes: { item: [{ mode: 'everyMinute' }] },
	options: { maxOrdersPerPoll: 2000 },
};

const salesOrderWorkflow = JSON.parse(readFileSync(join(WORKFLOWS, 'woocommerce-to-zohocrm-sales-orders.json'), 'utf8'));
const replayWorkflow = JSON.parse(readFileSync(join(WORKFLOWS, 'dead-letter-replay.json'), 'utf8'));

let woo: WooCommerceEmulator;
let zoho: ZohoEmulator;
let n8n: N8nInstance;
const e2e = e2eTest(() => n8n, 240_000);
const secretsSeen: string[] = [];

const dealsFor = (orderId: number) =>
	zoho.records('Deals').filter((record) => record.WooCommerce_Order_ID === String(orderId));
const contactsFor = (email: string) =>
	zoho.records('Contacts').filter((record) => String(record.Email).toLowerCase() === email.toLowerCase());
/** Zoho record writes (inserts, updates, upserts): every POST/PUT/PATCH to /crm/ but COQL reads. */
const writes = () =>
	zoho.apiCalls().filter((call) => ['POST', 'PUT', 'PATCH'].includes(call.method) && !call.path.endsWith('/coql'));

/** Waits until `count` webhook-started executions of the workflow have finished. */
async function waitForWebhookRuns(count: number, timeoutMs = 120_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const runs = (await n8n.executions(workflow.id)).filter((run) => run.mode === 'webhook');
		if (runs.length >= count && runs.every((run) => run.status !== 'running' && run.status !== 'new')) return runs;
		if (Date.now() > deadline) throw new Error(`only ${runs.length} of ${count} webhook runs finished`);
		await sleep(250);
	}
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(500);
	}
}

/** A new order of its own customer and company (addOrder merges `billing` into the sample order's). */
const freshOrder = (tag: string) => woo.addOrder({ billing: { email: `${tag}@example.com`, company: `Company ${tag}` } });

/** Zoho writes that carry this order's records (its contact, account or deal). */
const writesFor = (tag: string, orderId: number) =>
	writes().filter((call) => {
		const body = JSON.stringify(call.body ?? '');
		return (
			body.includes(`${tag}@example.com`) ||
			body.includes(`Company ${tag}`) ||
			body.includes(`"WooCommerce_Order_ID":"${orderId}"`)
		);
	}).length;

/** The workflow under test published; the sales-order workflow imported unpublished (its webhook would get every
 * delivery too) and run by hand, with the replay workflow. */
const startInstance = (restart?: { userFolder: string; port: number }) =>
	startOrRestartN8n({ woo, zoho, workflows: [workflow, salesOrderWorkflow, replayWorkflow], publish: [workflow.id] }, restart);

beforeAll(async () => {
	// a consumer secret long enough to be found if it leaked anywhere
	woo = await WooCommerceEmulator.start({ consumerSecret: `cs_${randomBytes(16).toString('hex')}` });
	// an org that has been set up (the order-id fields exist): these tests are about what happens after that
	zoho = await ZohoEmulator.start({ orderIdField: true });
	n8n = await startInstance();
	expect(woo.webhooks.filter((webhook) => webhook.status === 'active')).toHaveLength(1);
}, 300_000);

stopAllAfterwards(() => [n8n, woo, zoho]);

describe('nothing lost, nothing doubled (woocommerce-to-zohocrm.json in n8n 2.40.7)', () => {
	let webhookRuns = 0;

	e2e('100 simultaneous deliveries of one order: 1 deal, 1 contact, no more Zoho writes than one delivery', async () => {
		const single = freshOrder('single');
		expect((await woo.deliver('order.created', single)).map((answer) => answer.status)).toEqual([200]);
		await waitForWebhookRuns(++webhookRuns);
		const oneDelivery = writesFor('single', single.id);
		expect(oneDelivery).toBeGreaterThanOrEqual(2);

		const order = freshOrder('hundred');
		const answers = await Promise.all(Array.from({ length: 100 }, () => woo.deliver('order.created', order)));
		expect(answers.flat().every((answer) => answer.status === 200)).toBe(true);
		webhookRuns += 100;
		await waitForWebhookRuns(webhookRuns, 180_000);
		expect(dealsFor(order.id)).toHaveLength(1);
		expect(contactsFor('hundred@example.com')).toHaveLength(1);
		const burstWrites = writesFor('hundred', order.id);
		console.log(`Zoho writes: one delivery ${oneDelivery}, 100 simultaneous deliveries of one order ${burstWrites}`);
		expect(burstWrites).toBeLessThanOrEqual(oneDelivery);
	});

	e2e('the same order version delivered again makes no Zoho write', async () => {
		const order = freshOrder('again');
		await woo.deliver('order.created', order);
		await waitForWebhookRuns(++webhookRuns);
		const before = zoho.apiCalls().length;
		await woo.deliver('order.created', order);
		const [latest] = await waitForWebhookRuns(++webhookRuns);
		expect(zoho.apiCalls().slice(before).filter((call) => call.method !== 'GET')).toEqual([]);
		const output = await n8n.nodeOutput(latest.id, 'Create Deal');
		expect(output[0].zoho.skipped).toMatchObject({ version: expect.stringContaining(`|${order.id}|`) });
		expect(dealsFor(order.id)).toHaveLength(1);
	});

	e2e(
		'SIGKILL in the middle of 60 signed orders, restart: within one reconciliation every order one deal, every email one contact',
		async () => {
			const emails = Array.from({ length: 40 }, (_, index) => `crash${index}@example.com`);
			const orders = Array.from({ length: 60 }, (_, index) =>
				woo.addOrder({ billing: { email: emails[index % emails.length], company: '' } }),
			);
			const statuses: number[] = [];
			let killed: Promise<void> | undefined;
			// bounded burst: 60 deliveries, 6 at a time; n8n dies after the 18th answer
			for (let start = 0; start < orders.length; start += 6) {
				const batch = orders.slice(start, start + 6);
				const answers = await Promise.all(
					batch.map(async (order) => {
						try {
							return (await woo.deliver('order.created', order)).map((answer) => answer.status);
						} catch {
							return [0];
						}
					}),
				);
				statuses.push(...answers.flat());
				if (!killed && statuses.length >= 18) killed = n8n.kill();
			}
			await killed;
			const delivered = statuses.filter((status) => status === 200).length;
			console.log(`crash: ${delivered} of 60 deliveries answered 200 before and while n8n was killed`);
			expect(delivered).toBeLessThan(60);

			const { userFolder, port } = n8n;
			n8n = await startInstance({ userFolder, port });
			// within one reconciliation (the poll runs every minute) plus the time to write
			await until(
				'every order of the burst to have its deal',
				() => orders.every((order) => dealsFor(order.id).length >= 1),
				200_000,
			);
			await sleep(3_000);
			for (const order of orders) expect(dealsFor(order.id)).toHaveLength(1);
			for (const email of emails) expect(contactsFor(email)).toHaveLength(1);
			// WooCommerce disabled the webhook after the failed deliveries; the reconciliation set it active again
			await until('the webhook to be active again', () => woo.webhooks.every((webhook) => webhook.status === 'active'), 90_000);
		},
		420_000,
	);

	e2e(
		'1,000 orders, 50 of them modified while the poll pages: all 1,000 in Zoho once',
		async () => {
			const orders = Array.from({ length: 1000 }, (_, index) =>
				woo.addOrder({ billing: { email: `page${index}@example.com`, company: '' } }),
			);
			let listRequests = 0;
			const modified = new Set<number>();
			woo.afterRequest = (call) => {
				if (call.method !== 'GET' || !call.path.endsWith('/orders') || !call.query.modified_after) return;
				listRequests++;
				if (listRequests !== 2 && listRequests !== 5) return;
				// 25 orders already read move to the end: paid (processing) and re-saved
				const newest = Math.max(...woo.orders.map((order) => Date.parse(`${order.date_modified_gmt}Z`)));
				const moved = orders.filter((order) => !modified.has(order.id)).slice(listRequests === 2 ? 0 : 300, (listRequests === 2 ? 0 : 300) + 25);
				moved.forEach((order, index) => {
					const stored = woo.orders.find((candidate) => candidate.id === order.id)!;
					stored.status = 'processing';
					stored.date_modified_gmt = new Date(newest + (index + 1) * 1000).toISOString().slice(0, 19);
					modified.add(order.id);
				});
			};
			try {
				await until('all 1,000 orders to be in Zoho', () => orders.every((order) => dealsFor(order.id).length >= 1), 240_000);
			} finally {
				woo.afterRequest = undefined;
			}
			expect(modified.size).toBe(50);
			await sleep(3_000);
			for (const order of orders) expect(dealsFor(order.id)).toHaveLength(1);
			expect(orders.filter((order) => contactsFor(order.billing.email).length !== 1)).toEqual([]);
		},
		360_000,
	);

	e2e('a reconciliation of unchanged orders makes no Zoho call', async () => {
		// the poll after the 1,000 re-emits them (its run might have died): their versions are written, so every Zoho
		// node passes them on with zoho.skipped and never calls Zoho (field metadata included: asked only for writes)
		let rerun: { id: string; emitted: Array<Record<string, any>> } | undefined;
		await until(
			'a reconciliation run that re-emitted the 1,000 orders',
			async () => {
				for (const run of (await n8n.executions(workflow.id)).filter((candidate) => candidate.mode === 'trigger')) {
					if (run.status === 'running' || run.status === 'new') continue;
					const emitted = await n8n.nodeOutput(run.id, reconciliation.name);
					if (emitted.filter((item) => item._woocommerce?.reemitted).length >= 1000) {
						rerun = { id: run.id, emitted };
						return true;
					}
				}
				return false;
			},
			150_000,
		);
		const contacts = await n8n.nodeOutput(rerun!.id, 'Upsert Contact');
		const deals = await n8n.nodeOutput(rerun!.id, 'Create Deal');
		const unchanged = contacts.filter((item) => item.zoho?.skipped).length;
		console.log(`reconciliation of ${rerun!.emitted.length} orders: ${unchanged} unchanged, passed on without a Zoho call`);
		expect(contacts).toHaveLength(rerun!.emitted.length);
		expect(contacts.every((item) => item.zoho?.skipped)).toBe(true);
		expect(deals.every((item) => item.zoho?.skipped)).toBe(true);
		expect(await n8n.nodeOutput(rerun!.id, 'Upsert Contact', 1).catch(() => [])).toEqual([]);
	}, 200_000);

	e2e('a sales-order dead letter replays as a sales order, and only its write resolves it', async () => {
		// the poll trigger run by hand emits the most recently changed order: make this one the newest
		const newest = Math.max(...woo.orders.map((candidate) => Date.parse(`${candidate.date_modified_gmt}Z`)));
		const order = woo.addOrder({
			billing: { email: 'salesorder@example.com', company: 'Company salesorder' },
			date_modified_gmt: new Date(newest + 60_000).toISOString().slice(0, 19),
		});
		zoho.addValidationRule((module, record) =>
			module === 'Sales_Orders' && String(record.WooCommerce_Order_ID) === String(order.id)
				? { code: 'INVALID_DATA', message: 'invalid data', details: { api_name: 'Subject', json_path: '$.data[0].Subject' } }
				: undefined,
		);
		await n8n.runManualWorkflow(salesOrderWorkflow.id, 'Reconciliation (every 15 min)');
		await n8n.waitForExecutions(1, { workflowId: salesOrderWorkflow.id, timeoutMs: 90_000 });
		const rowsFor = async () =>
			(await n8n.dataTableRows('zoho_sync_dead_letters')).filter((row) => Number(row.orderId) === order.id);
		await until('the sales-order dead letter', async () => (await rowsFor()).length === 1, 30_000);
		expect((await rowsFor())[0]).toMatchObject({ operation: 'salesOrder.create', status: 'open' });

		zoho.clearFaults();
		const dealsBefore = dealsFor(order.id).length;
		const { executionId } = await n8n.runManualWorkflow(replayWorkflow.id, 'Replay Dead Letters');
		await n8n.waitForExecutions(1, { workflowId: replayWorkflow.id, timeoutMs: 90_000 });
		await until('the replay to finish', async () => (await n8n.execution(executionId)).status !== 'running', 60_000);
		const replay = await n8n.execution(executionId);
		expect(replay.status).toBe('success');
		const salesOrders = zoho.records('Sales_Orders').filter((record) => String(record.WooCommerce_Order_ID) === String(order.id));
		expect(salesOrders).toHaveLength(1);
		// the replay wrote no deal (the deals workflow's own reconciliation may sync this order as a deal: not counted)
		expect(replay.data['Create Deal']).toBeUndefined();
		expect(dealsFor(order.id).length).toBe(dealsBefore);
		const [row] = await rowsFor();
		expect(row).toMatchObject({ status: 'resolved', resolvedExecutionId: executionId });
		expect(JSON.parse(row.zohoRecordIds)).toMatchObject({ salesOrder: { id: salesOrders[0].id } });
	}, 200_000);

	e2e('222 bad deliveries get the right status each, none starts an execution, and n8n keeps serving', async () => {
		const [webhook] = woo.webhooks;
		const sign = (body: Buffer | string, secret = webhook.secret) => createHmac('sha256', secret).update(body).digest('base64');
		const order = () => JSON.stringify({ ...woo.orders[woo.orders.length - 1], id: 900_000 + Math.floor(Math.random() * 1e5) });
		const cases: Array<{ kind: string; body: Buffer | string; headers: Record<string, string>; status: number }> = [];
		const add = (count: number, kind: string, make: (index: number) => Omit<(typeof cases)[number], 'kind'>) => {
			for (let index = 0; index < count; index++) cases.push({ kind, ...make(index) });
		};
		// n8n 2.40.7 itself answers 422 to a JSON body it cannot parse, before the trigger runs (no execution either)
		const UNPARSABLE = 422;
		add(40, 'unsigned', (index) => ({
			body: index % 2 ? order() : `garbage ${index}`,
			headers: { 'X-WC-Webhook-Signature': '' },
			status: index % 2 ? 401 : UNPARSABLE,
		}));
		add(40, 'forged', (index) => {
			const body = order();
			return { body, headers: { 'X-WC-Webhook-Signature': sign(body, `wrong-${index}`) }, status: 401 };
		});
		const signed = (body: Buffer | string, status: number) => ({ body, headers: { 'X-WC-Webhook-Signature': sign(body) }, status });
		add(30, 'garbled', (index) => signed(order().replace(/[{":]/g, (c) => (index % 3 === 0 ? '' : c + c)), UNPARSABLE));
		add(30, 'truncated', (index) => {
			const body = order();
			return signed(body.slice(0, 1 + ((index * 37) % (body.length - 2))), UNPARSABLE);
		});
		add(20, 'non-UTF-8', (index) => signed(Buffer.from([0xff, 0xfe, 0x80 + index, 0x7b, 0xc3, 0x28]), UNPARSABLE));
		add(2, '10 MB', (index) => signed(Buffer.alloc(10 * 1024 * 1024, index ? 'x' : '['), UNPARSABLE));
		const notObjects = ['[]', '[1,2]', '"order"', 'null', '42', 'true', '[{"id":1}]', '""', '{}', '{"id":"7"}'];
		add(30, 'not an order', (index) => signed(notObjects[index % notObjects.length], 400));
		add(10, 'error body', (index) => signed(JSON.stringify({ code: `woocommerce_rest_error_${index}`, message: 'Sorry' }), 400));
		add(10, 'draft', () =>
			signed(JSON.stringify({ ...JSON.parse(order()), status: 'checkout-draft' }), 200),
		);
		const url = n8n.webhookUrl(workflow.nodes.find((node: any) => node.name === 'WooCommerce Order Trigger').webhookId);
		const runsBefore = (await n8n.executions(workflow.id)).filter((run) => run.mode === 'webhook').length;
		const wrong: string[] = [];
		// bounded: 222 requests, 10 at a time
		for (let start = 0; start < cases.length; start += 10) {
			await Promise.all(
				cases.slice(start, start + 10).map(async (entry) => {
					const answer = await woo.deliverRaw(webhook.id, entry.body, entry.headers);
					if (answer.status !== entry.status) wrong.push(`${entry.kind}: ${answer.status} (expected ${entry.status})`);
				}),
			);
		}
		// pings: unsigned `webhook_id=N`, no X-WC headers, must get exactly 200
		for (let index = 0; index < 10; index++) {
			const answer = await fetch(url, {
				method: 'POST',
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				body: `webhook_id=${webhook.id}`,
			});
			if (answer.status !== 200) wrong.push(`ping: ${answer.status}`);
		}
		console.log(`bad deliveries: ${cases.length + 10} sent, ${wrong.length} with an unexpected status`);
		expect(wrong).toEqual([]);
		await sleep(2_000);
		expect((await n8n.executions(workflow.id)).filter((run) => run.mode === 'webhook')).toHaveLength(runsBefore);

		// still serving: a good signed delivery runs
		const good = freshOrder('after-fuzz');
		const body = JSON.stringify(good);
		expect((await woo.deliverRaw(webhook.id, body, { 'X-WC-Webhook-Signature': sign(body) })).status).toBe(200);
		await waitForWebhookRuns(runsBefore + 1);
		await until('the good order after the bad ones', () => dealsFor(good.id).length === 1, 60_000);
	}, 300_000);

	e2e(
		'faults while 200 orders flow: nothing lost or doubled, and replay clears the dead letters',
		async () => {
			// the bad deliveries before disabled the webhook, as WooCommerce does after repeated failures: the
			// reconciliation poll (every minute here) sets it active again, as it would in a shop
			await until('the webhook to be active again', () => woo.webhooks.every((webhook) => webhook.status === 'active'), 150_000);
			const began = Date.now();
			const callsBefore = zoho.calls.length;
			const emails = Array.from({ length: 160 }, (_, index) => `storm${index}@example.com`);
			const orders = Array.from({ length: 200 }, (_, index) =>
				woo.addOrder({ billing: { email: emails[index % emails.length], company: '' } }),
			);
			const runsBefore = (await n8n.executions(workflow.id)).filter((run) => run.mode === 'webhook').length;
			// bounded: 40 deliveries per fault, 10 at a time, spread over `spreadMs`
			const deliverPhase = async (phase: typeof orders, spreadMs: number) => {
				for (let start = 0; start < phase.length; start += 10) {
					const answers = await Promise.all(phase.slice(start, start + 10).map((order) => woo.deliver('order.created', order)));
					expect(answers.flat().map((answer) => answer.status)).toEqual(Array(10).fill(200));
					await sleep(spreadMs / (phase.length / 10));
				}
			};
			// 1. a 429 storm, 2. a 429 storm with `Retry-After: 0`
			zoho.inject({ times: 60, status: 429 });
			await deliverPhase(orders.slice(0, 40), 4_000);
			zoho.inject({ times: 60, status: 429, retryAfter: 0 });
			await deliverPhase(orders.slice(40, 80), 4_000);
			await sleep(4_000);
			zoho.clearFaults();
			// 3. every CRM call answers 500 for 20 s
			zoho.inject({ times: 100_000, status: 500 });
			const serverErrorsFrom = Date.now();
			await deliverPhase(orders.slice(80, 120), 16_000);
			await sleep(Math.max(0, 20_000 - (Date.now() - serverErrorsFrom)));
			zoho.clearFaults();
			// 4. Zoho (accounts server and API) down for 10 s: connections refused, in-flight calls cut
			await zoho.goDown();
			const downFrom = Date.now();
			await deliverPhase(orders.slice(120, 160), 8_000);
			await sleep(Math.max(0, 10_000 - (Date.now() - downFrom)));
			await zoho.comeUp();
			// 5. the access token revoked (the refresh token still works)
			zoho.expireAccessTokens();
			await deliverPhase(orders.slice(160, 200), 4_000);
			await waitForWebhookRuns(runsBefore + 200, 180_000);
			const faultsSeconds = Math.round((Date.now() - began) / 1000);

			const ids = new Set(orders.map((order) => order.id));
			const openRows = async () =>
				(await n8n.dataTableRows('zoho_sync_dead_letters').catch(() => [])).filter(
					(row) => ids.has(Number(row.orderId)) && row.status === 'open',
				);
			const open = await openRows();
			const openPerOrder = new Map<number, number>();
			for (const row of open) openPerOrder.set(Number(row.orderId), (openPerOrder.get(Number(row.orderId)) ?? 0) + 1);
			const inZoho = orders.filter((order) => dealsFor(order.id).length > 0).map((order) => order.id);
			const where = orders.map((order) => ({
				id: order.id,
				deals: dealsFor(order.id).length,
				openDeadLetters: openPerOrder.get(order.id) ?? 0,
			}));
			const zohoCalls = zoho.calls.slice(callsBefore);
			const statuses = new Map<number, number>();
			for (const call of zohoCalls) statuses.set(call.status, (statuses.get(call.status) ?? 0) + 1);
			console.log(
				`fault storm: ${inZoho.length} orders in Zoho, ${openPerOrder.size} in the dead letters (${open.length} open rows), ` +
					`${faultsSeconds} s, ${zohoCalls.length} Zoho calls (by status ${JSON.stringify(Object.fromEntries(statuses))})`,
			);
			const healed = where.filter((entry) => entry.deals === 1 && entry.openDeadLetters === 1).length;
			const reconciliations = (await n8n.executions(workflow.id)).filter((run) => run.mode === 'trigger').length;
			console.log(
				`fault storm: ${where.filter((entry) => entry.openDeadLetters === 0).length} only in Zoho, ` +
					`${where.filter((entry) => entry.deals === 0).length} only in the dead letters, ${healed} in both ` +
					`(synced by one of ${reconciliations} reconciliation runs after their webhook run dead-lettered them)`,
			);
			// nothing lost: every order in Zoho or in the dead letters, and nothing doubled: at most one deal per order,
			// one open row per order, one contact per email. Not asserted: "never both" — the bundled reconciliation
			// syncs an order whose webhook run failed but leaves its open row (NOTES-7: open question for the lead).
			expect(where.filter((entry) => entry.deals + entry.openDeadLetters < 1)).toEqual([]);
			expect(where.filter((entry) => entry.deals > 1 || entry.openDeadLetters > 1)).toEqual([]);
			const onlyZoho = where.filter((entry) => entry.deals === 1 && entry.openDeadLetters === 0).length;
			const onlyDeadLetters = where.filter((entry) => entry.deals === 0 && entry.openDeadLetters === 1).length;
			expect(onlyZoho + onlyDeadLetters + healed).toBe(200);
			expect(emails.filter((email) => contactsFor(email).length > 1)).toEqual([]);

			// faults fixed: the replay workflow clears the dead letters
			zoho.clearFaults();
			const replayCallsBefore = zoho.calls.length;
			const { executionId } = await n8n.runManualWorkflow(replayWorkflow.id, 'Replay Dead Letters');
			await until(
				'the replay to finish',
				async () => {
					const run = await n8n.execution(executionId).catch(() => undefined);
					return run !== undefined && run.status !== 'running' && run.status !== 'new';
				},
				120_000,
			);
			expect((await n8n.execution(executionId)).status).toBe('success');
			const rows = (await n8n.dataTableRows('zoho_sync_dead_letters').catch(() => [])).filter((row) =>
				ids.has(Number(row.orderId)),
			);
			console.log(
				`fault storm replay: ${open.length} rows replayed in ${zoho.calls.length - replayCallsBefore} Zoho calls, ` +
					`${rows.filter((row) => row.status === 'resolved').length} resolved; total ${Math.round((Date.now() - began) / 1000)} s`,
			);
			expect(await openRows()).toEqual([]);
			expect(rows.filter((row) => row.status === 'resolved')).toHaveLength(open.length);
			expect(orders.filter((order) => dealsFor(order.id).length !== 1)).toEqual([]);
			expect(emails.filter((email) => contactsFor(email).length !== 1)).toEqual([]);
		},
		480_000,
	);

	e2e('no test secret in stored executions, the n8n log or the dead-letter rows', async () => {
		secretsSeen.push(
			woo.consumerSecret,
			zoho.clientSecret,
			zoho.refreshToken,
			...woo.webhooks.map((webhook) => webhook.secret),
			...zoho.issuedAccessTokens(),
		);
		const stored: string[] = [n8n.logs(), JSON.stringify(await n8n.dataTableRows('zoho_sync_dead_letters'))];
		const runs = [
			...(await n8n.executions(workflow.id)),
			...(await n8n.executions(salesOrderWorkflow.id)),
			...(await n8n.executions(replayWorkflow.id)),
		];
		for (const run of runs.slice(0, 150)) stored.push(JSON.stringify((await n8n.execution(run.id)).full));
		const haystack = stored.join('\n');
		expect(secretsSeen.every((secret) => typeof secret === 'string' && secret.length >= 8)).toBe(true);
		console.log(`secrets grep: ${secretsSeen.length} secrets, ${runs.length} executions, ${haystack.length} characters searched`);
		expect(secretsSeen.filter((secret) => haystack.includes(secret))).toEqual([]);
	});
});
