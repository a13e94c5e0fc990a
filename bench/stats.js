/** Small measuring helpers shared by the bench sections. */
const fs = require('fs');

function percentile(values, p) {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[index];
}

/** VmRSS and VmHWM (peak) of a process in MB, from /proc (Linux). */
function rssOf(pid) {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const read = (key) => Number((new RegExp(`${key}:\\s+(\\d+) kB`).exec(status) ?? [])[1] ?? NaN) / 1024;
		return { rssMb: read('VmRSS'), peakMb: read('VmHWM') };
	} catch {
		return { rssMb: NaN, peakMb: NaN };
	}
}

/** Samples the RSS of `pid` every `everyMs` until stop(); stop() returns { peakMb, lastMb }. */
function sampleRss(pid, everyMs = 200) {
	let peakMb = 0;
	let lastMb = NaN;
	const take = () => {
		const { rssMb } = rssOf(pid);
		if (Number.isFinite(rssMb)) {
			lastMb = rssMb;
			peakMb = Math.max(peakMb, rssMb);
		}
	};
	take();
	const timer = setInterval(take, everyMs);
	return {
		stop() {
			clearInterval(timer);
			take();
			return { peakMb, lastMb };
		},
	};
}

/** Runs `task(i)` for i in 0..count-1 with at most `concurrency` at once. */
async function pool(count, concurrency, task) {
	let next = 0;
	const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
		for (;;) {
			const index = next++;
			if (index >= count) return;
			await task(index);
		}
	});
	await Promise.all(workers);
}

const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

module.exports = { percentile, rssOf, sampleRss, pool, fmt };
