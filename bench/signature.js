/**
 * Section 3: X-WC-Webhook-Signature checks per second with the trigger's own verifyWooSignature (dist/, as n8n loads
 * it) against a bare crypto.createHmac loop over the same bytes. Each side runs `rounds` slices of `sliceMs`,
 * interleaved, and the best slice counts (least disturbed by the other processes on a shared machine).
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

async function runSignature({ rounds = 5, sliceMs = 300 } = {}) {
	const secret = 'ck_bench_secret_0123456789abcdef';
	const rows = [];
	for (const kb of [1, 5, 50]) {
		const bytes = body(kb * 1024);
		const signature = createHmac('sha256', secret).update(bytes).digest('base64');
		let ours = 0;
		let bare = 0;
		for (let round = 0; round < rounds; round++) {
			ours = Math.max(
				ours,
				perSecond(sliceMs, () => {
					if (!verifyWooSignature(bytes, signature, [secret]).valid) throw new Error('signature mismatch');
				}),
			);
			bare = Math.max(
				bare,
				perSecond(sliceMs, () => {
					if (createHmac('sha256', secret).update(bytes).digest('base64') !== signature) throw new Error('mismatch');
				}),
			);
		}
		rows.push({ kb, ours, bare, ratio: ours / bare });
	}
	return rows;
}

module.exports = { runSignature };

if (require.main === module) {
	runSignature().then((rows) => console.log(rows));
}
