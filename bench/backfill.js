/**
 * Section 4: a backfill of `total` historical orders through the nodes' batch path, as the reconcile workflow
 * (workflows/woocommerce-reconcile.json) runs it with the bundled defaults: each poll emits at most 500 orders
 * (maxOrdersPerPoll), which go through Upsert Contact and then Create Deal as one execution. The nodes run in this
 * process through test/support/nodeHarness.ts (n8n-workflow's parameter and expression handling, n8n's
 * error-output routing) against the Zoho emulator at `latencyMs` per call with Zoho's Standard concurrency limit
 * (10) — not through n8n's scheduler: the poll trigger's catch-up (the next poll following at once when one poll
 * found more than it may emit) belongs to issue 7. What n8n's scheduler adds today is the hour between polls.
 *
 * Compared with one call per item: `perItemSample` orders, each its own execution as a webhook delivery makes it,
 * through the two-node operations, and through Sync in One Call.
 */
require('../test/support/register-ts');
const { sampleOrder } = require('../test/emulators/woocommerce.ts');
const { ZohoEmulator } = require('../test/emulators/zoho.ts');
const { runNode } = require('../test/support/nodeHarness.ts');
const { pool, sampleRss } = require('./stats');

const POLL_SIZE = 500;

/** The fixture order with its own id and customer: every 5th a returning customer, every 3rd with a company. */
function historicalOrder(index) {
	const id = 100_000 + index;
	const returning = index % 5 === 0;
	return sampleOrder({
		id,
		number: String(id),
		billing: {
			email: returning ? `returning.${index % 50}@example.com` : `customer.${index}@example.com`,
			company: index % 3 === 0 ? `Company ${index % 400}` : '',
		},
	});
}

const CONTACT = { resource: 'contact', operation: 'upsert' };
const DEAL = { resource: 'deal', operation: 'create' };
const ONE_CALL = { resource: 'order', operation: 'syncInOneCall' };

async function runBackfill({ total = 10_000, latencyMs = 100, perItemSample = 200, log = console.log } = {}) {
	const zoho = await ZohoEmulator.start({ edition: 'standard', orderIdField: true });
	const staticData = {};
	const run = (parameters, items, nodeName) =>
		runNode({ emulator: zoho, credentialType: 'zohoCrmRefreshTokenApi', parameters, items, nodeName, staticData, onError: 'continueErrorOutput' });
	try {
		zoho.setLatency(latencyMs);
		// batch path: polls of 500, each one execution of Upsert Contact → Create Deal
		const rss = sampleRss(process.pid);
		const started = Date.now();
		let failed = 0;
		for (let first = 0; first < total; first += POLL_SIZE) {
			const items = Array.from({ length: Math.min(POLL_SIZE, total - first) }, (_, offset) => historicalOrder(first + offset));
			const contacts = await run(CONTACT, items, 'Upsert Contact');
			const deals = await run(DEAL, contacts.successItems, 'Create Deal');
			failed += contacts.errorItems.length + deals.errorItems.length;
		}
		const seconds = (Date.now() - started) / 1000;
		const memory = rss.stop();
		const batch = {
			orders: total,
			seconds,
			polls: Math.ceil(total / POLL_SIZE),
			failed,
			deals: zoho.records('Deals').length,
			calls: zoho.apiCalls().length,
			credits: zoho.creditsUsed(),
			callsPerOrder: zoho.apiCalls().length / total,
			creditsPerOrder: zoho.creditsUsed() / total,
			status429: zoho.apiCalls().filter((call) => call.status === 429).length,
			peakRssMb: memory.peakMb,
			// today: one poll an hour (bundled schedule), each poll's batch as measured
			bundledScheduleHours: Math.ceil(total / POLL_SIZE) - 1 + seconds / 3600,
		};
		log(`[bench backfill] batch path: ${JSON.stringify(batch)}`);

		const perItem = {};
		for (const [key, steps] of [
			['twoNodePerItem', [[CONTACT, 'Upsert Contact'], [DEAL, 'Create Deal']]],
			['oneCallPerItem', [[ONE_CALL, 'Sync Order in One Call']]],
		]) {
			zoho.reset();
			zoho.setLatency(latencyMs);
			const itemStarted = Date.now();
			await pool(perItemSample, 8, async (index) => {
				let items = [historicalOrder(index)];
				for (const [parameters, name] of steps) items = (await run(parameters, items, name)).successItems;
			});
			const itemSeconds = (Date.now() - itemStarted) / 1000;
			perItem[key] = {
				orders: perItemSample,
				seconds: itemSeconds,
				deals: zoho.records('Deals').length,
				callsPerOrder: zoho.apiCalls().length / perItemSample,
				creditsPerOrder: zoho.creditsUsed() / perItemSample,
				extrapolatedSecondsFor10000: (itemSeconds / perItemSample) * 10_000,
			};
			log(`[bench backfill] ${key}: ${JSON.stringify(perItem[key])}`);
		}
		return { batch, perItem, latencyMs, total };
	} finally {
		await zoho.stop();
	}
}

module.exports = { runBackfill, historicalOrder };

if (require.main === module) {
	runBackfill({ total: Number(process.env.BENCH_BACKFILL ?? 1000), perItemSample: 40 }).then((result) => console.log(JSON.stringify(result, null, 2)));
}
