/**
 * `npm run bench`: every section in one run on one machine (so ratios hold), results in bench/RESULTS.md, each
 * figure with the command that produced it. Bounded: fixed order counts, 127.0.0.1 only. Not part of `npm test`.
 * `node bench/run.js [live] [seed] [signature] [backfill]` runs only those sections (RESULTS.md says which ran).
 * Sizes: BENCH_LIVE_ORDERS (default 150), BENCH_BACKFILL_ORDERS (10000).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const { runLive } = require('./live');
const { runSeedPattern } = require('./seedPattern');
const { runSignature } = require('./signature');
const { runBackfill } = require('./backfill');
const { fmt } = require('./stats');

const ALL = ['live', 'seed', 'signature', 'backfill'];
const chosen = process.argv.slice(2).filter((arg) => ALL.includes(arg));
const sections = chosen.length ? chosen : ALL;
const command = chosen.length ? `node bench/run.js ${chosen.join(' ')}` : 'npm run bench';
const LIVE_ORDERS = Number(process.env.BENCH_LIVE_ORDERS ?? 150);
const LIVE_CONCURRENCY = 8;
const BACKFILL_ORDERS = Number(process.env.BENCH_BACKFILL_ORDERS ?? 10_000);

const log = (message) => process.stdout.write(`${message}\n`);

async function main() {
	const started = new Date();
	const out = {};
	const file = path.join(__dirname, 'RESULTS.md');
	// written after every section, so a section that fails leaves the others' figures
	const write = () => fs.writeFileSync(file, report(out, started, new Date()));
	if (sections.includes('signature')) out.signature = await runSignature();
	if (sections.includes('seed')) out.seed = await runSeedPattern({ orders: 200 });
	write();
	if (sections.includes('backfill')) out.backfill = await runBackfill({ total: BACKFILL_ORDERS, latencyMs: 100, perItemSample: 200, log });
	write();
	if (sections.includes('live')) out.live = await runLive({ orders: LIVE_ORDERS, concurrency: LIVE_CONCURRENCY, latencies: [0, 100], log });
	write();
	log(`[bench] wrote ${path.relative(process.cwd(), file)}`);
}

function report(out, started, finished) {
	const cpu = os.cpus();
	const lines = [];
	const push = (...more) => lines.push(...more);
	push(
		'# Benchmark results',
		'',
		`Produced by \`${command}\` (bench/run.js) from ${started.toISOString()} to ${finished.toISOString()} on ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ` +
			`Node ${process.version}, n8n 2.40.7 (test/n8n/harness.js), Zoho and WooCommerce emulators on 127.0.0.1. All figures below come from this one run.`,
		'The machine is shared with other jobs, so absolute figures are noisy; compare rows measured back to back within a section.',
		'',
	);

	if (out.live) {
		const { results, orders, concurrency } = out.live;
		const cmd = `\`${command}\` — section \`node bench/run.js live\``;
		push(
			'## 1. Live orders through real n8n',
			'',
			`${orders} orders per row, ${concurrency} webhook deliveries in flight, one n8n with all three workflows published, one Zoho emulator (Standard edition: 10 concurrent calls; a composite call counts 5). ` +
				'Orders/s = orders whose deal reached Zoho ÷ time from first delivery to last deal. Ack = time for n8n to answer the signed webhook POST. ' +
				'Calls and credits per order include retries and metadata reads. RSS = n8n main process (peak while the row ran / at its end). Steady state: each workflow ran 5 orders first.',
			'',
			'| Workflow | Zoho latency | Orders/s | Ack p50 / p95 / p99 (ms) | Zoho calls / order | Credits / order | 429 answers | Orders synced | n8n RSS peak / end (MB) | Command |',
			'|---|---|---|---|---|---|---|---|---|---|',
		);
		for (const row of results) {
			push(
				`| ${row.label} | ${row.latency} ms | ${fmt(row.ordersPerSecond)} | ${fmt(row.ackP50, 0)} / ${fmt(row.ackP95, 0)} / ${fmt(row.ackP99, 0)} | ${fmt(row.callsPerOrder)} | ${fmt(row.creditsPerOrder)} | ${row.status429} | ${row.synced}/${row.orders} | ${fmt(row.rssPeakMb, 0)} / ${fmt(row.rssEndMb, 0)} | ${cmd} |`,
			);
		}
		push('', 'Ratios (package ÷ built-in, same latency):', '');
		for (const latency of [...new Set(results.map((row) => row.latency))]) {
			const at = (key) => results.find((row) => row.variant === key && row.latency === latency);
			const builtIn = at('builtIn');
			for (const key of ['twoNode', 'oneCall']) {
				const row = at(key);
				if (!row || !builtIn) continue;
				push(
					`- ${latency} ms, ${key === 'twoNode' ? 'two-node' : 'one-call'}: throughput ${fmt(row.ordersPerSecond / builtIn.ordersPerSecond)}×, ack p95 ${fmt(row.ackP95 / builtIn.ackP95)}× (${cmd})`,
				);
			}
		}
		push('');
	}

	if (out.seed) {
		const seed = out.seed;
		push(
			'## 2. The seed blueprint\'s call pattern',
			'',
			'Search the contact by email, update or create it, create the deal — plain HTTP against the same emulator, no account, no retries, no idempotent deal key.',
			'',
			'| Orders | Zoho calls / order | Credits / order | Command |',
			'|---|---|---|---|',
			`| ${seed.orders} | ${fmt(seed.callsPerOrder)} | ${fmt(seed.creditsPerOrder)} | \`${command}\` — section \`node bench/run.js seed\` |`,
			'',
		);
	}

	if (out.signature) {
		push(
			'## 3. Webhook signature checks',
			'',
			"The trigger's `verifyWooSignature` (dist/, HMAC-SHA256 + constant-time compare + the secret's decoded variant) vs a bare `crypto.createHmac` loop over the same bytes; 15 pairs of back-to-back 150 ms slices (alternating which runs first), median rate and median pair ratio.",
			'',
			'| Body | Package checks/s | Bare HMAC/s | Ratio (goal ≥ 0.8) | Command |',
			'|---|---|---|---|---|',
		);
		for (const row of out.signature) {
			push(`| ${row.kb} KB | ${fmt(row.ours, 0)} | ${fmt(row.bare, 0)} | ${fmt(row.ratio)} | \`${command}\` — section \`node bench/run.js signature\` |`);
		}
		push('');
	}

	if (out.backfill) {
		const { batch, perItem, latencyMs } = out.backfill;
		const cmd = `\`${command}\` — section \`node bench/run.js backfill\``;
		push(
			'## 4. Backfill',
			'',
			`${batch.orders} historical orders, Zoho at ${latencyMs} ms per call with the Standard concurrency limit (10), bundled node defaults. ` +
				'Batch path = polls of 500 (the poll trigger\'s bundled maxOrdersPerPoll), each one execution of Upsert Contact → Create Deal, run back to back in this process through test/support/nodeHarness.ts ' +
				'(n8n-workflow parameter/expression handling and error routing; not n8n\'s scheduler). "Bundled schedule" adds the hour the bundled trigger waits between polls today (no catch-up yet, see NOTES). RSS is the bench process (harness + emulator), not n8n.',
			'',
			'| Path | Orders | Time | Zoho calls / order | Credits / order | 429 answers | Failed | Peak RSS (MB) | Command |',
			'|---|---|---|---|---|---|---|---|---|',
			`| Batch path, polls back to back | ${batch.orders} | ${fmt(batch.seconds, 1)} s | ${fmt(batch.callsPerOrder, 3)} | ${fmt(batch.creditsPerOrder, 3)} | ${batch.status429} | ${batch.failed} | ${fmt(batch.peakRssMb, 0)} | ${cmd} |`,
			`| Batch path with the bundled hourly schedule (${batch.polls} polls) | ${batch.orders} | ${fmt(batch.bundledScheduleHours, 1)} h | ${fmt(batch.callsPerOrder, 3)} | ${fmt(batch.creditsPerOrder, 3)} | – | – | – | ${cmd} (polls × 1 h + measured batch time) |`,
		);
		for (const [key, label] of [
			['twoNodePerItem', 'One execution per order, two-node operations (webhook path)'],
			['oneCallPerItem', 'One execution per order, Sync in One Call'],
		]) {
			const row = perItem[key];
			push(
				`| ${label}: ${row.orders} orders, 8 at a time | ${row.orders} | ${fmt(row.seconds, 1)} s (≈ ${fmt(row.extrapolatedSecondsFor10000 / 60, 1)} min for 10,000, extrapolated) | ${fmt(row.callsPerOrder, 2)} | ${fmt(row.creditsPerOrder, 2)} | – | ${row.orders - row.deals} | – | ${cmd} |`,
			);
		}
		push('');
	}
	return `${lines.join('\n')}\n`;
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
