/**
 * `npm run bench`: every section in one run on one machine (so ratios hold), results in bench/RESULTS.md, each
 * figure with the command that produced it. Bounded: fixed order counts, 127.0.0.1 only. Not part of `npm test`.
 * Only some sections: `node bench/run.js [live] [seed] [signature] [backfill]`, or `BENCH_ONLY=backfill npm run bench`
 * (comma-separated); RESULTS.md then keeps the other sections from the run that measured them, each section
 * saying which run that was. Sizes: BENCH_LIVE_ORDERS (default 150), BENCH_BACKFILL_ORDERS (10000).
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
const only = (process.env.BENCH_ONLY ?? '').split(',').map((name) => name.trim()).filter(Boolean);
const unknown = only.filter((name) => !ALL.includes(name));
if (unknown.length) throw new Error(`BENCH_ONLY: unknown section(s) ${unknown.join(', ')}; sections are ${ALL.join(', ')}`);
const chosen = [...new Set([...process.argv.slice(2).filter((arg) => ALL.includes(arg)), ...only])];
const sections = chosen.length ? chosen : ALL;
const command = !chosen.length
	? 'npm run bench'
	: only.length
		? `BENCH_ONLY=${chosen.join(',')} npm run bench`
		: `node bench/run.js ${chosen.join(' ')}`;
const LIVE_ORDERS = Number(process.env.BENCH_LIVE_ORDERS ?? 150);
const LIVE_CONCURRENCY = 8;
const BACKFILL_ORDERS = Number(process.env.BENCH_BACKFILL_ORDERS ?? 10_000);

const log = (message) => process.stdout.write(`${message}\n`);

async function main() {
	const started = new Date();
	const out = {};
	const file = path.join(__dirname, 'RESULTS.md');
	// written after every section, so a section that fails leaves the others' figures
	const write = () => fs.writeFileSync(file, withEarlierSections(report(out, started, new Date()), file, started, new Date()));
	if (sections.includes('signature')) out.signature = await runSignature();
	if (sections.includes('seed')) out.seed = await runSeedPattern({ orders: 200 });
	write();
	if (sections.includes('backfill')) out.backfill = await runBackfill({ total: BACKFILL_ORDERS, latencyMs: 100, perItemSample: 200, cappedHeapMb: 512, log });
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
		`Produced by bench/run.js on ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, Node ${process.version}, n8n 2.40.7 (test/n8n/harness.js), ` +
			'Zoho and WooCommerce emulators on 127.0.0.1. Each section names the command and the run that measured it; the figures within a section come from that one run.',
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
		const { n8n, capped, perItem, latencyMs, total } = out.backfill;
		const cmd = command === 'BENCH_ONLY=backfill npm run bench' ? `\`${command}\`` : `\`${command}\` — section \`BENCH_ONLY=backfill npm run bench\``;
		push(
			'## 4. Backfill',
			'',
			`${total} historical orders (spread over 30 days) through one real n8n 2.40.7 with the bundled workflows/woocommerce-to-zohocrm.json as shipped ` +
				'(reconciliation poll every 15 minutes, Max Orders per Poll 500, the Zoho nodes\' defaults); only the poll trigger\'s Start From is set, to before the oldest order. ' +
				`Zoho emulator at ${latencyMs} ms per call, Standard edition (10 concurrent calls). Publishing the workflow runs the first poll; its catch-up emits the next 500 as soon as the run before has finished (one run in flight, at most 40 batches / 30 min per poll). ` +
				'Time = first order-list request to the last deal written. Calls and credits per order include field metadata and retries. ' +
				'RSS = n8n\'s main process: peak of 200 ms samples during the backfill / VmHWM over the process\'s life (start-up included) / at the end; ' +
				'"by quarter" = the peak while the first, second, third and last quarter of the deals were written. n8n runs on Node 24 with V8\'s default heap limit (here about 4.2 GB), under which V8 collects lazily; the second row runs the same backfill in a fresh n8n with the heap capped, to show what it needs.',
			'',
			'| Path | Orders | Time | Zoho calls / order | Credits / order | 429 answers | Orders with exactly one deal | Emails with one contact | Runs | n8n RSS peak / HWM / end (MB) | n8n RSS peak by quarter (MB) | Command |',
			'|---|---|---|---|---|---|---|---|---|---|---|---|',
		);
		for (const [row, label] of [
			[n8n, 'Poll trigger catch-up in real n8n, bundled defaults'],
			[capped, `The same, n8n's V8 heap capped at ${capped?.heapLimitMb} MB (NODE_OPTIONS=--max-old-space-size)`],
		]) {
			if (!row) continue;
			push(
				`| ${label} | ${row.orders} | ${fmt(row.seconds, 0)} s (${fmt(row.seconds / 60, 1)} min) | ${fmt(row.callsPerOrder, 3)} | ${fmt(row.creditsPerOrder, 3)} | ${row.status429} | ${row.ordersWithOneDeal}/${row.orders} (${row.ordersWithMoreDeals} with more) | ${row.emailsWithOneContact}/${row.emails} | ${row.runs} (${Object.entries(row.runStatuses).map(([status, count]) => `${count} ${status}`).join(', ')}) | ${fmt(row.rssPeakMb, 0)} / ${fmt(row.rssHwmMb, 0)} / ${fmt(row.rssEndMb, 0)} | ${(row.rssQuarterPeaksMb ?? []).map((mb) => fmt(mb, 0)).join(' / ')} | ${cmd} |`,
			);
		}
		for (const [key, label] of [
			['twoNodePerItem', 'One execution per order, two-node operations (webhook path), in this process'],
			['oneCallPerItem', 'One execution per order, Sync in One Call, in this process'],
		]) {
			const row = perItem?.[key];
			if (!row) continue;
			push(
				`| ${label}: ${row.orders} orders, 8 at a time | ${row.orders} | ${fmt(row.seconds, 1)} s (≈ ${fmt(row.extrapolatedSecondsFor10000 / 60, 1)} min for 10,000, extrapolated) | ${fmt(row.callsPerOrder, 2)} | ${fmt(row.creditsPerOrder, 2)} | – | ${row.deals}/${row.orders} | – | – | – | – | ${cmd} |`,
			);
		}
		push(
			'',
			`Progress as a user sees it: every item of a catch-up batch carries \`_woocommerce.catchUp\` (batch, ordersDone, ordersInBatch, ordersTotal) in the execution's trigger output, and n8n's log has a line per batch, e.g. \`${n8n.progressExample ?? '–'}\`; the last: \`${n8n.progressLast ?? '–'}\`.`,
			'',
		);
	}
	return `${lines.join('\n')}\n`;
}

/**
 * The report with a "Measured by" line under each section's heading, and — when only some sections ran — the other
 * sections as the previous RESULTS.md had them (an older file's sections get that line from its header).
 */
function withEarlierSections(text, file, started, finished) {
	const split = (document) => {
		const [head, ...parts] = document.split(/^(?=## \d+\. )/m);
		return { head, sections: new Map(parts.map((part) => [Number(/^## (\d+)\./.exec(part)[1]), part])) };
	};
	const withProvenance = (part, line) =>
		/^Measured by /m.test(part) ? part : part.replace(/^(## [^\n]*\n\n)/, `$1${line}\n\n`);
	const current = split(text);
	const measured = `Measured by \`${command}\` from ${started.toISOString()} to ${finished.toISOString()}.`;
	const sections = new Map([...current.sections].map(([number, part]) => [number, withProvenance(part, measured)]));
	if (chosen.length && fs.existsSync(file)) {
		const previous = fs.readFileSync(file, 'utf8');
		const producedBy = /Produced by `([^`]+)` \(bench\/run\.js\) from (\S+) to (\S+) on/.exec(previous);
		for (const [number, part] of split(previous).sections) {
			if (sections.has(number)) continue;
			sections.set(
				number,
				producedBy ? withProvenance(part, `Measured by \`${producedBy[1]}\` from ${producedBy[2]} to ${producedBy[3]}.`) : part,
			);
		}
	}
	const body = [...sections.keys()].sort((a, b) => a - b).map((number) => sections.get(number).replace(/\n*$/, '\n'));
	return `${[current.head.replace(/\n*$/, '\n'), ...body].join('\n')}`;
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
