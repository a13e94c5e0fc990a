/**
 * Section 3: X-WC-Webhook-Signature checks per second with the trigger's own verifyWooSignature (dist/, as n8n loads
 * it) against a bare crypto.createHmac loop over the same bytes. Each side runs `rounds` slices of `sliceMs`,
 * back to back in pairs (alternating which goes first); the median rate and the median of the pair ratios count,
 * which keeps the load of other processes on a shared machine out of the ratio.
 */
const { createHmac } = require('crypto');
const path = require('path');

const { verifyWooSignature } = require(path.join(__dirname, '..', 'dist', 'nodes', 'WooCommerceOrderTrigger', 'delivery.js'));

function body(bytes) {
	const order = { id: 1, status: 'processing', line_items: [] };
	let text = JSON.stringify(order);
	for (let index = 0; text.length < bytes; index++) {
		order.line_items.push({ id: index, name: `Product \u00e9 ${index}`, sku: `SKU-${index}`, quantity: 1, total: '10.00' });
		text = JSON.stringify(order);
	}
	return Buffer.from(text.slice(0, bytes), 'utf8');
}

function perSecond(sliceMs, step) {
	let count = 0;
	const started = process.hrtime.bigint();
	const limit = BigInt(sliceMs) * 1_000_000n;
	while (process.hrtime.bigint() - started < limit) {
		for (let index = 0; index < 50; index++) step();
		count += 50;
	}
	return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function runSignature({ rounds = 15, sliceMs = 150 } = {}) {
	const secret = 'ck_bench_secret_0123456789abcdef';
	const rows = [];
	const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
	for (const kb of [1, 5, 50]) {
		const bytes = body(kb * 1024);
		const signature = createHmac('sha256', secret).update(bytes).digest('base64');
		const ours = () => {
			if (!verifyWooSignature(bytes, signature, [secret]).valid) throw new Error('signature mismatch');
		};
		const bare = () => {
			if (createHmac('sha256', secret).update(bytes).digest('base64') !== signature) throw new Error('mismatch');
		};
		const oursRates = [];
		const bareRates = [];
		const ratios = [];
		for (let round = 0; round < rounds; round++) {
			// back to back, alternating which goes first, so both see the same load on a shared machine
			const [a, b] = round % 2 === 0 ? [perSecond(sliceMs, ours), perSecond(sliceMs, bare)] : [0, 0];
			const [c, d] = round % 2 === 1 ? [perSecond(sliceMs, bare), perSecond(sliceMs, ours)] : [b, a];
			oursRates.push(round % 2 === 0 ? a : d);
			bareRates.push(round % 2 === 0 ? b : c);
			ratios.push(oursRates[round] / bareRates[round]);
		}
		rows.push({ kb, ours: median(oursRates), bare: median(bareRates), ratio: median(ratios) });
	}
	return rows;
}

module.exports = { runSignature };

if (require.main === module) {
	runSignature().then((rows) => console.log(rows));
}
