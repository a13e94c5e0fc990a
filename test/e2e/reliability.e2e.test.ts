/**
 * Nothing lost, nothing doubled (issue 7), in a real n8n 2.40.7 with the bundled woocommerce-to-zohocrm.json (its
 * reconciliation poll set to every minute, backfilling from the start of this file) against the emulators:
 * - 100 simultaneous deliveries of one order make one deal, one contact and no more Zoho writes than one delivery;
 * - the same order version again makes no Zoho write at all;
 * - n8n killed (SIGKILL) in the middle of a burst of 60 signed orders, the rest of the burst failing to deliver (so
 *   WooCommerce disables the webhook), restarted: within one reconciliation every order has exactly one deal, every
 *   email one contact, and the webhook is active again;
 * - 1,000 orders, 50 of them modified while the poll pages through them: all 1,000 in Zoho once;
 * - an order dead-lettered by its webhook run and then synced by the reconciliation has its row resolved by that run;
 * - a dead letter of an older order version replays as the store's current order (Zoho keeps the newer data);
 * - faults while 200 orders flow (429 storms, one with `Retry-After: 0`; 500s for 20 s; Zoho down for 10 s; the access
 *   token revoked): every order once in Zoho or once in the dead letters, never in both once its runs are over, and
 *   the replay workflow clears them;
 * - what resolving an order's rows adds to a run (measured, with 2,000 rows in the table);
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

/** The dead-letter rows of one order. */
const rowsOf = async (orderId: number) =>
	(await n8n.dataTableRows('zoho_sync_dead_letters').catch(() => [])).filter((row) => Number(row.orderId) === orderId);

/** A `date_modified_gmt` after every order's so far: the order changed in the store now. */
const changedNow = () =>
	new Date(Math.max(Date.now(), ...woo.orders.map((order) => Date.parse(`${order.date_modified_gmt}Z`))) + 1000)
		.toISOString()
		.slice(0, 19);

/** Zoho refuses deals of this order with INVALID_DATA while `refusing()` says so. */
function refuseDeals(orderId: number, refusing: (record: Record<string, unknown>) => boolean = () => true) {
	zoho.addValidationRule((module, record) =>
		module === 'Deals' && String(record.WooCommerce_Order_ID) === String(orderId) && refusing(record)
			? { code: 'INVALID_DATA', message: 'invalid data', details: { api_name: 'Amount', json_path: '$.data[0].Amount' } }
			: undefined,
	);
}

/** Runs the replay workflow by hand and waits for it to end; returns its execution id. */
async function replay(): Promise<string> {
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
	return executionId;
}

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
			const restartedAt = new Date().toISOString();
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
			// no dead-letter table exists yet: the reconciliation runs' lookups of open rows fail quietly, the runs succeed
			const reconciled = (await n8n.executions(workflow.id)).filter((run) => run.mode === 'trigger' && run.startedAt > restartedAt);
			expect(reconciled.length).toBeGreaterThanOrEqual(1);
			expect(reconciled.filter((run) => run.status !== 'success' && run.status !== 'running')).toEqual([]);
			// WooCommerce disabled the webhook after the failed deliveries; the reconciliation set it active again
			await until('the webhook to be active again', () => woo.webhooks.every((webhook) => webhook.status === 'active'), 90_000);
		},
		420_000,
	);

	e2e(
		'1,000 orders, 50 of them modified while the poll pages: all 1,000 in Zoho once',
		async () => {
			// from here on the dead-letter table exists (the replay creates it), as in a shop that ever had a failure:
			// every order's completing write is followed by a lookup of its open rows
			await replay();
			expect(await n8n.dataTable('zoho_sync_dead_letters')).toBeDefined();
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
		let rerun: { id: string; emitted: Array<Record<string, any>>; run: Awaited<ReturnType<N8nInstance['execution']>> } | undefined;
		await until(
			'a reconciliation run that re-emitted the 1,000 orders',
			async () => {
				for (const run of (await n8n.executions(workflow.id)).filter((candidate) => candidate.mode === 'trigger')) {
					if (run.status === 'running' || run.status === 'new') continue;
					const emitted = await n8n.nodeOutput(run.id, reconciliation.name);
					if (emitted.filter((item) => item._woocommerce?.reemitted).length >= 1000) {
						rerun = { id: run.id, emitted, run: await n8n.execution(run.id) };
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
		const took = (node: string) =>
			((rerun!.run.data[node] ?? []) as Array<{ executionTime?: number }>).reduce((sum, task) => sum + (task.executionTime ?? 0), 0);
		console.log(
			`reconciliation of ${rerun!.emitted.length} orders: ${unchanged} unchanged, passed on without a Zoho call; looking up ` +
				`their open dead-letter rows took ${took('Find Open Dead Letters')} ms (Upsert Contact ${took('Upsert Contact')} ms, ` +
				`Create Deal ${took('Create Deal')} ms)`,
		);
		// one lookup per order in the table: none has an open row, nothing to resolve
		expect(rerun!.run.status).toBe('success');
		expect(await n8n.nodeOutput(rerun!.id, 'Find Open Dead Letters')).toEqual([]);
		expect(await n8n.nodeOutput(rerun!.id, 'Find Open Dead Letters', 1)).toEqual([]);
		expect(rerun!.run.data['Mark Written Orders Resolved']).toBeUndefined();
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

	e2e(
		'an order dead-lettered by its webhook run, then synced by the reconciliation: that run resolves its row, no replay',
		async () => {
			const order = freshOrder('healed');
			let refusing = true;
			refuseDeals(order.id, () => refusing);
			expect((await woo.deliver('order.created', order)).map((answer) => answer.status)).toEqual([200]);
			await waitForWebhookRuns(++webhookRuns);
			await until('the dead letter', async () => (await rowsOf(order.id)).length === 1, 30_000);
			expect((await rowsOf(order.id))[0]).toMatchObject({ key: `${order.id}:Create Deal`, status: 'open' });

			// the order changes in the store and Zoho takes it again: only the reconciliation (every minute) syncs it
			const stored = woo.orders.find((candidate) => candidate.id === order.id)!;
			stored.total = '123.45';
			stored.date_modified_gmt = changedNow();
			refusing = false;
			const replays = (await n8n.executions(replayWorkflow.id)).length;
			await until('the reconciliation to write the deal', () => dealsFor(order.id).length === 1, 150_000);
			await until('the row to be resolved', async () => (await rowsOf(order.id))[0]?.status === 'resolved', 30_000);

			const [row] = await rowsOf(order.id);
			const [deal] = dealsFor(order.id);
			expect(deal.Amount).toBe(123.45);
			expect(JSON.parse(row.zohoRecordIds)).toMatchObject({ deal: { id: deal.id } });
			// resolved by the reconciliation run that wrote the deal, in that run, without a replay
			const run = (await n8n.executions(workflow.id)).find((candidate) => candidate.id === row.resolvedExecutionId);
			expect(run?.mode).toBe('trigger');
			const written = await n8n.nodeOutput(row.resolvedExecutionId, 'Create Deal');
			expect(written.find((item) => item.id === order.id)?.zoho?.deal).toMatchObject({ id: deal.id });
			expect(await n8n.nodeOutput(row.resolvedExecutionId, 'Save Resolutions')).toEqual([
				expect.objectContaining({ key: row.key, status: 'resolved' }),
			]);
			expect((await n8n.executions(replayWorkflow.id)).length).toBe(replays);
			zoho.clearFaults();
		},
		240_000,
	);

	e2e(
		'a dead letter of an older order version replays as the store’s current order: Zoho keeps the newer data, one deal',
		async () => {
			// status "failed" is not among the statuses the reconciliation polls: only the webhook runs and the replay
			// below touch this order
			const older = woo.addOrder({ status: 'failed', total: '111.00', billing: { email: 'stale@example.com', company: '' } });
			const stored = woo.orders.find((candidate) => candidate.id === older.id)!;
			stored.total = '222.00';
			stored.date_modified_gmt = changedNow();
			const newer = JSON.parse(JSON.stringify(stored));
			await woo.deliver('order.created', newer);
			await waitForWebhookRuns(++webhookRuns);
			expect(dealsFor(older.id).map((deal) => deal.Amount)).toEqual([222]);

			// a late delivery of the older version (held up, retried) fails after the newer one was written
			refuseDeals(older.id, (record) => Number(record.Amount) === 111);
			await woo.deliver('order.created', older);
			await waitForWebhookRuns(++webhookRuns);
			await until('the dead letter of the older version', async () => (await rowsOf(older.id)).length === 1, 30_000);
			const [row] = await rowsOf(older.id);
			expect(row).toMatchObject({ key: `${older.id}:Create Deal`, status: 'open' });
			expect(JSON.parse(row.order)).toMatchObject({ total: '111.00', date_modified_gmt: older.date_modified_gmt });

			// fixed: a replay of the stored order would now write 111.00 over 222.00
			zoho.clearFaults();
			const callsBefore = zoho.apiCalls().length;
			const executionId = await replay();
			const replayed = (await n8n.nodeOutput(executionId, 'Unpack for Replay')).find((item) => item.id === older.id)!;
			expect(replayed.total).toBe('222.00');
			expect(replayed._deadLetter.storeRefresh).toMatchObject({
				outcome: 'current',
				storedVersion: older.date_modified_gmt,
				currentVersion: newer.date_modified_gmt,
			});
			// what Zoho received for this order's deal during the replay: the newer data only
			const dealAmounts = zoho
				.apiCalls()
				.slice(callsBefore)
				.filter((call) => call.method === 'POST' && call.path.includes('/Deals'))
				.flatMap((call) => ((call.body as { data?: Array<Record<string, unknown>> })?.data ?? []))
				.filter((record) => String(record.WooCommerce_Order_ID) === String(older.id))
				.map((record) => record.Amount);
			expect(dealAmounts.length).toBeGreaterThanOrEqual(1);
			expect(new Set(dealAmounts)).toEqual(new Set([222]));
			expect(dealsFor(older.id).map((deal) => deal.Amount)).toEqual([222]);
			const [resolved] = await rowsOf(older.id);
			expect(resolved).toMatchObject({ status: 'resolved', resolvedExecutionId: executionId });
			expect(JSON.parse(resolved.zohoRecordIds)).toMatchObject({ deal: { id: dealsFor(older.id)[0].id } });
		},
		240_000,
	);

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
			const stormRows = async () =>
				(await n8n.dataTableRows('zoho_sync_dead_letters').catch(() => [])).filter((row) => ids.has(Number(row.orderId)));
			const openRows = async () => (await stormRows()).filter((row) => row.status === 'open');
			/** Where each order is: its deals in Zoho and its open dead-letter rows. */
			const locate = async () => {
				const open = await openRows();
				const openPerOrder = new Map<number, number>();
				for (const row of open) openPerOrder.set(Number(row.orderId), (openPerOrder.get(Number(row.orderId)) ?? 0) + 1);
				const where = orders.map((order) => ({
					id: order.id,
					deals: dealsFor(order.id).length,
					openDeadLetters: openPerOrder.get(order.id) ?? 0,
				}));
				return { open, openPerOrder, where, both: where.filter((entry) => entry.deals > 0 && entry.openDeadLetters > 0).length };
			};
			let located = await locate();
			const bothAtFirst = located.both;
			const settling = Date.now();
			// a reconciliation run may be writing some of these orders right now: the run that writes an order's deal
			// resolves its open rows moments later, and an order whose row was stored after that run looked is
			// resolved when the next poll emits it again (version already written). Bounded wait for "never both".
			await until(
				'no order to be both in Zoho and open in the dead letters',
				async () => {
					located = await locate();
					return located.both === 0;
				},
				150_000,
			);
			const { open, openPerOrder, where } = located;
			const zohoCalls = zoho.calls.slice(callsBefore);
			const statuses = new Map<number, number>();
			for (const call of zohoCalls) statuses.set(call.status, (statuses.get(call.status) ?? 0) + 1);
			const inZoho = where.filter((entry) => entry.deals > 0).length;
			console.log(
				`fault storm: ${inZoho} orders in Zoho, ${openPerOrder.size} in the dead letters (${open.length} open rows), ` +
					`${faultsSeconds} s, ${zohoCalls.length} Zoho calls (by status ${JSON.stringify(Object.fromEntries(statuses))})`,
			);
			const dealRuns = new Map((await n8n.executions(workflow.id)).map((run) => [run.id, run.mode]));
			const resolvedBySync = (await stormRows()).filter((row) => row.status === 'resolved' && dealRuns.has(row.resolvedExecutionId));
			console.log(
				`fault storm: ${where.filter((entry) => entry.openDeadLetters === 0).length} only in Zoho, ` +
					`${where.filter((entry) => entry.deals === 0).length} only in the dead letters, 0 in both ` +
					`(${bothAtFirst} in both when the webhook runs ended, ${Math.round((Date.now() - settling) / 1000)} s before none was); ${resolvedBySync.length} rows resolved by the run that ` +
					`synced their order (${resolvedBySync.filter((row) => dealRuns.get(row.resolvedExecutionId) === 'trigger').length} ` +
					`by a reconciliation run), without a replay`,
			);
			// nothing lost: every order in Zoho or in the dead letters; nothing doubled: at most one deal per order, one
			// open row per order, one contact per email; never both: an order Zoho has has no open row
			expect(where.filter((entry) => entry.deals + entry.openDeadLetters < 1)).toEqual([]);
			expect(where.filter((entry) => entry.deals > 1 || entry.openDeadLetters > 1)).toEqual([]);
			const onlyZoho = where.filter((entry) => entry.deals === 1 && entry.openDeadLetters === 0).length;
			const onlyDeadLetters = where.filter((entry) => entry.deals === 0 && entry.openDeadLetters === 1).length;
			expect(onlyZoho + onlyDeadLetters).toBe(200);
			expect(emails.filter((email) => contactsFor(email).length > 1)).toEqual([]);

			// faults fixed: the replay workflow clears the dead letters
			zoho.clearFaults();
			const replayCallsBefore = zoho.calls.length;
			const executionId = await replay();
			const rows = await stormRows();
			console.log(
				`fault storm replay: ${open.length} open rows, ${rows.filter((row) => row.resolvedExecutionId === executionId).length} ` +
					`resolved by the replay in ${zoho.calls.length - replayCallsBefore} Zoho calls, ` +
					`${rows.filter((row) => row.status === 'resolved').length} of ${rows.length} rows resolved; total ${Math.round((Date.now() - began) / 1000)} s`,
			);
			expect(await openRows()).toEqual([]);
			expect(rows.filter((row) => row.status !== 'resolved')).toEqual([]);
			expect(orders.filter((order) => dealsFor(order.id).length !== 1)).toEqual([]);
			expect(emails.filter((email) => contactsFor(email).length !== 1)).toEqual([]);
		},
		480_000,
	);

	e2e(
		'resolving an order’s open rows in its own run: what it adds per order, with 2,000 rows in the table',
		async () => {
			// a table as weeks of failures leave it (the replay purges rows resolved more than 30 days ago)
			const storedOrder = JSON.stringify(woo.orders[woo.orders.length - 1]);
			const resolvedAt = new Date().toISOString();
			for (let first = 0; first < 2000; first += 500) {
				const rows = Array.from({ length: 500 }, (_, index) => ({
					key: `${5_000_000 + first + index}:Create Deal`,
					orderId: 5_000_000 + first + index,
					failedNode: 'Create Deal',
					operation: 'deal.create',
					order: storedOrder,
					status: 'resolved',
					resolvedAt,
				}));
				await n8n.dataTableInsert('zoho_sync_dead_letters', rows);
			}
			const tableSize = (await n8n.dataTableRows('zoho_sync_dead_letters')).length;
			expect(tableSize).toBeGreaterThanOrEqual(2000);

			/** Milliseconds n8n recorded for the nodes of one run, and the whole run. */
			const timesOf = async ({ id: runId, startedAt, stoppedAt }: { id: string; startedAt?: string; stoppedAt?: string }) => {
				const run = await n8n.execution(runId);
				const took = (node: string) =>
					((run.data[node] ?? []) as Array<{ executionTime?: number }>).reduce((sum, task) => sum + (task.executionTime ?? 0), 0);
				return {
					find: took('Find Open Dead Letters'),
					resolve: took('Mark Written Orders Resolved') + took('Save Resolutions'),
					createDeal: took('Create Deal'),
					ran: Object.keys(run.data),
					whole: Date.parse(String(stoppedAt)) - Date.parse(String(startedAt)),
				};
			};
			// status "failed": not polled, so no reconciliation run shares these orders
			const place = (tag: string) => woo.addOrder({ status: 'failed', billing: { email: `${tag}@example.com`, company: '' } });
			const plain: Array<Awaited<ReturnType<typeof timesOf>>> = [];
			for (let index = 0; index < 20; index++) {
				const order = place(`timing${index}`);
				await woo.deliver('order.created', order);
				const [latest] = await waitForWebhookRuns(++webhookRuns);
				plain.push(await timesOf(latest));
			}
			expect(plain.every((times) => times.ran.includes('Find Open Dead Letters'))).toBe(true);
			expect(plain.some((times) => times.ran.includes('Save Resolutions'))).toBe(false);

			const healing: Array<Awaited<ReturnType<typeof timesOf>>> = [];
			for (let index = 0; index < 5; index++) {
				const order = place(`timing-healed${index}`);
				refuseDeals(order.id);
				await woo.deliver('order.created', order);
				await waitForWebhookRuns(++webhookRuns);
				zoho.clearFaults();
				await woo.deliver('order.created', order);
				const [latest] = await waitForWebhookRuns(++webhookRuns);
				const [row] = await rowsOf(order.id);
				expect(row).toMatchObject({ status: 'resolved', resolvedExecutionId: latest.id });
				healing.push(await timesOf(latest));
			}

			const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
			const max = (values: number[]) => Math.max(...values);
			console.log(
				`resolving open rows, table of ${tableSize} rows: an order without open rows adds ` +
					`${median(plain.map((times) => times.find))} ms median / ${max(plain.map((times) => times.find))} ms max ` +
					`(Find Open Dead Letters; Create Deal took ${median(plain.map((times) => times.createDeal))} ms median, ` +
					`the whole run ${median(plain.map((times) => times.whole))} ms median), ` +
					`an order with an open row adds ${median(healing.map((times) => times.find + times.resolve))} ms median / ` +
					`${max(healing.map((times) => times.find + times.resolve))} ms max (all three nodes); ` +
					`${plain.length} and ${healing.length} webhook runs, one at a time`,
			);
		},
		300_000,
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
