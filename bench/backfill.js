/**
 * Section 4: a backfill of `total` historical orders through one real n8n 2.40.7 (test/n8n/harness.js), with the
 * bundled workflows/woocommerce-to-zohocrm.json and its defaults (reconciliation poll every 15 minutes, Max Orders
 * per Poll 500, Zoho nodes as shipped); only the poll trigger's Start From is set, to before the oldest order.
 * Zoho emulator at `latencyMs` per call, Standard edition (10 concurrent calls); WooCommerce emulator with the
 * orders spread over the last 30 days. Publishing the workflow runs the first poll; its catch-up emits the next
 * batches one run after the other. Time = first order-list request to the last deal written; every order must
 * end with exactly one deal and every email with one contact. RSS = n8n's main process, sampled every 200 ms,
 * and its VmHWM (peak over the process's life) at the end. With `cappedHeapMb` the same backfill runs once more
 * in a fresh n8n whose V8 heap is capped (NODE_OPTIONS=--max-old-space-size), to show what it needs.
 *
 * Compared with one execution per order (as webhook deliveries make it): `perItemSample` orders through the
 * two-node operations and through Sync in One Call, in this process through test/support/nodeHarness.ts.
 */
const fs = require('fs');
const path = require('path');

require('../test/support/register-ts');
const { startN8n } = require('../test/n8n/harness');
const { sampleOrder, WooCommerceEmulator } = require('../test/emulators/woocommerce.ts');
const { ZohoEmulator } = require('../test/emulators/zoho.ts');
const { credentialRef, wooCommerceCredential, zohoRefreshTokenCredential } = require('../test/e2e/support.ts');
const { runNode } = require('../test/support/nodeHarness.ts');
const { pool, rssOf, sampleRss } = require('./stats');

const WORKFLOW = path.join(__dirname, '..', 'workflows', 'woocommerce-to-zohocrm.json');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every 5th order from a returning customer (50 of them), every 3rd with a company (400 of them). */
function historicalBilling(index) {
	const returning = index % 5 === 0;
	return {
		email: returning ? `returning.${index % 50}@example.com` : `customer.${index}@example.com`,
		company: index % 3 === 0 ? `Company ${index % 400}` : '',
	};
}

/** The fixture order with its own id and customer, for the in-process rows. */
function historicalOrder(index) {
	const id = 100_000 + index;
	return sampleOrder({ id, number: String(id), billing: historicalBilling(index) });
}

async function runN8nBackfill({ total, latencyMs, log, heapMb }) {
	const woo = await WooCommerceEmulator.start();
	const zoho = await ZohoEmulator.start({ edition: 'standard', orderIdField: true });
	const workflow = JSON.parse(fs.readFileSync(WORKFLOW, 'utf8'));
	const poll = workflow.nodes.find((node) => node.type.endsWith('.wooCommerceOrderPollTrigger'));
	const spreadMs = 30 * 24 * 3_600_000;
	const oldest = Date.now() - spreadMs;
	const wooGmt = (time) => new Date(time).toISOString().slice(0, 19);
	const emails = new Set();
	for (let index = 0; index < total; index++) {
		const billing = historicalBilling(index);
		emails.add(billing.email);
		const modified = wooGmt(oldest + Math.floor((index * spreadMs) / total));
		woo.addOrder({ status: 'completed', billing, date_created_gmt: modified, date_modified_gmt: modified });
	}
	poll.parameters = { ...poll.parameters, startFrom: wooGmt(oldest - 60_000) };
	zoho.setLatency(latencyMs);

	let firstList;
	woo.afterRequest = (call) => {
		if (firstList === undefined && call.method === 'GET' && call.path.endsWith('/orders') && call.query.modified_after) {
			firstList = Date.now();
		}
	};
	let n8n;
	let rss;
	try {
		n8n = await startN8n({
			credentials: [
				wooCommerceCredential(credentialRef(workflow, 'wooCommerceStoreApi'), woo),
				zohoRefreshTokenCredential(credentialRef(workflow, 'zohoCrmRefreshTokenApi'), zoho),
			],
			workflows: [workflow],
			publish: [workflow.id],
			// BENCH_BACKFILL_N8N_HEAP_MB caps n8n's V8 heap: a backfill that completes under a small cap needs no more
			env: heapMb ? { NODE_OPTIONS: `--max-old-space-size=${heapMb}` } : undefined,
		});
		rss = sampleRss(n8n.child.pid);
		// peak RSS per quarter of the backfill (by deals written): flat quarters = memory bounded by the batch, not the backfill
		let written = 0;
		const quarterPeaksMb = [0, 0, 0, 0];
		const quarters = setInterval(() => {
			const { rssMb } = rssOf(n8n.child.pid);
			const quarter = Math.min(3, Math.floor((written * 4) / total));
			if (Number.isFinite(rssMb)) quarterPeaksMb[quarter] = Math.max(quarterPeaksMb[quarter], rssMb);
		}, 200);
		const deadline = Date.now() + 30 * 60_000;
		let lastReport = 0;
		for (;;) {
			const deals = zoho.records('Deals').length;
			written = deals;
			if (deals >= total) break;
			if (Date.now() > deadline) throw new Error(`backfill: only ${deals} of ${total} deals after 30 min`);
			if (n8n.exitStatus) throw new Error(`backfill: n8n exited (${JSON.stringify(n8n.exitStatus)}) with ${deals} of ${total} deals\n${n8n.logsTail(30)}`);
			if (Date.now() - lastReport > 30_000) {
				lastReport = Date.now();
				log(`[bench backfill] ${deals}/${total} deals after ${((Date.now() - (firstList ?? Date.now())) / 1000).toFixed(0)} s`);
			}
			await sleep(2_000);
		}
		// the deal of the last order: the last write to Deals
		const dealWrites = zoho.apiCalls().filter((call) => call.method === 'POST' && /\/Deals/.test(call.path) && call.status < 300);
		const finishedAt = Math.max(...dealWrites.map((call) => call.at));
		// let the last run end (its dead-letter branch, its version records) before counting
		await sleep(5_000);
		clearInterval(quarters);
		const memory = rss.stop();
		const hwm = rssOf(n8n.child.pid).peakMb;
		const deals = zoho.records('Deals');
		const perOrder = new Map();
		for (const deal of deals) perOrder.set(deal.WooCommerce_Order_ID, (perOrder.get(deal.WooCommerce_Order_ID) ?? 0) + 1);
		const contactsPerEmail = new Map();
		for (const contact of zoho.records('Contacts')) {
			const email = String(contact.Email).toLowerCase();
			contactsPerEmail.set(email, (contactsPerEmail.get(email) ?? 0) + 1);
		}
		const runs = (await n8n.executions(workflow.id)).filter((run) => run.mode === 'trigger');
		const statuses = {};
		for (const run of runs) statuses[run.status] = (statuses[run.status] ?? 0) + 1;
		const progressLines = n8n.logs().split('\n').filter((line) => line.includes('catch-up'));
		const calls = zoho.apiCalls();
		const result = {
			orders: total,
			seconds: (finishedAt - firstList) / 1000,
			deals: deals.length,
			ordersWithOneDeal: [...perOrder.values()].filter((count) => count === 1).length,
			ordersWithMoreDeals: [...perOrder.values()].filter((count) => count > 1).length,
			emails: emails.size,
			emailsWithOneContact: [...contactsPerEmail.values()].filter((count) => count === 1).length,
			calls: calls.length,
			callsPerOrder: calls.length / total,
			creditsPerOrder: zoho.creditsUsed() / total,
			status429: calls.filter((call) => call.status === 429).length,
			runs: runs.length,
			runStatuses: statuses,
			rssPeakMb: memory.peakMb,
			rssEndMb: memory.lastMb,
			rssHwmMb: hwm,
			rssQuarterPeaksMb: quarterPeaksMb,
			heapLimitMb: heapMb,
			progressExample: progressLines.find((line) => line.includes('batch 2 emitted'))?.trim(),
			progressLast: progressLines[progressLines.length - 1]?.trim(),
		};
		log(`[bench backfill] n8n: ${JSON.stringify(result)}`);
		return result;
	} finally {
		rss?.stop();
		woo.afterRequest = undefined;
		await n8n?.stop();
		await woo.stop();
		await zoho.stop();
	}
}

const CONTACT = { resource: 'contact', operation: 'upsert' };
const DEAL = { resource: 'deal', operation: 'create' };
const ONE_CALL = { resource: 'order', operation: 'syncInOneCall' };

async function runPerItem({ latencyMs, perItemSample, log }) {
	const zoho = await ZohoEmulator.start({ edition: 'standard', orderIdField: true });
	const staticData = {};
	const run = (parameters, items, nodeName) =>
		runNode({ emulator: zoho, credentialType: 'zohoCrmRefreshTokenApi', parameters, items, nodeName, staticData, onError: 'continueErrorOutput' });
	const perItem = {};
	try {
		for (const [key, steps] of [
			['twoNodePerItem', [[CONTACT, 'Upsert Contact'], [DEAL, 'Create Deal']]],
			['oneCallPerItem', [[ONE_CALL, 'Sync Order in One Call']]],
		]) {
			zoho.reset();
			zoho.setLatency(latencyMs);
			const started = Date.now();
			await pool(perItemSample, 8, async (index) => {
				let items = [historicalOrder(index)];
				for (const [parameters, name] of steps) items = (await run(parameters, items, name)).successItems;
			});
			const seconds = (Date.now() - started) / 1000;
			perItem[key] = {
				orders: perItemSample,
				seconds,
				deals: zoho.records('Deals').length,
				callsPerOrder: zoho.apiCalls().length / perItemSample,
				creditsPerOrder: zoho.creditsUsed() / perItemSample,
				extrapolatedSecondsFor10000: (seconds / perItemSample) * 10_000,
			};
			log(`[bench backfill] ${key}: ${JSON.stringify(perItem[key])}`);
		}
		return perItem;
	} finally {
		await zoho.stop();
	}
}

/**
 * The backfill in n8n as configured by default, then (when `cappedHeapMb` is given) once more with n8n's V8 heap
 * capped: the second row shows how much memory the backfill needs, the first how much V8 takes when it may.
 */
async function runBackfill({ total = 10_000, latencyMs = 100, perItemSample = 200, log = console.log, heapMb, cappedHeapMb } = {}) {
	const n8n = await runN8nBackfill({ total, latencyMs, log, heapMb });
	const capped = cappedHeapMb ? await runN8nBackfill({ total, latencyMs, log, heapMb: cappedHeapMb }) : undefined;
	const perItem = perItemSample > 0 ? await runPerItem({ latencyMs, perItemSample, log }) : undefined;
	return { n8n, capped, perItem, latencyMs, total };
}

module.exports = { runBackfill, historicalOrder };

if (require.main === module) {
	const heapMb = Number(process.env.BENCH_BACKFILL_N8N_HEAP_MB) || undefined;
	runBackfill({ total: Number(process.env.BENCH_BACKFILL_ORDERS ?? 1000), perItemSample: 0, heapMb }).then((result) =>
		console.log(JSON.stringify(result, null, 2)),
	);
}
