/**
 * A backfill that n8n does not finish (issue 11), in a real n8n 2.40.7 with the bundled woocommerce-to-zohocrm.json
 * as shipped (reconciliation every 15 minutes) but Max Orders per Poll 200 and Start From before the oldest of
 * 1,200 historical orders: publishing the workflow runs the first poll, whose catch-up emits batch after batch
 * without waiting for the schedule. n8n is killed (SIGKILL) while a batch is being written and started again: the
 * poll at activation emits the unfinished batch once more and catches up, and every order ends with exactly one
 * deal, every email with one contact — long before the next scheduled poll. Bounded: 1,200 orders, every wait
 * has a deadline; all traffic on 127.0.0.1. Runs with RELIABILITY_TESTS=1 (`npm run test:reliability`).
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import type { N8nInstance } from '../n8n/harness';
import { WooCommerceEmulator } from '../emulators/woocommerce';
import { ZohoEmulator } from '../emulators/zoho';
import { e2eTest, sleep, startOrRestartN8n, stopAllAfterwards } from './support';

const ORDERS = 1_200;
const PER_POLL = 200;
const workflow = JSON.parse(readFileSync(join(__dirname, '..', '..', 'workflows', 'woocommerce-to-zohocrm.json'), 'utf8'));
const poll = workflow.nodes.find((node: any) => node.type.endsWith('.wooCommerceOrderPollTrigger'));
const wooGmt = (time: number) => new Date(time).toISOString().slice(0, 19);
const oldest = Date.now() - ORDERS * 600_000;
poll.parameters = { ...poll.parameters, startFrom: wooGmt(oldest - 60_000), options: { maxOrdersPerPoll: PER_POLL } };

let woo: WooCommerceEmulator;
let zoho: ZohoEmulator;
let n8n: N8nInstance;
const e2e = e2eTest(() => n8n, 600_000);

async function until(what: string, check: () => boolean, timeoutMs: number, everyMs = 500) {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(everyMs);
	}
}

const start = (restart?: { userFolder: string; port: number }) =>
	startOrRestartN8n({ woo, zoho, workflows: [workflow], publish: [workflow.id] }, restart);

beforeAll(async () => {
	woo = await WooCommerceEmulator.start();
	zoho = await ZohoEmulator.start({ edition: 'standard', orderIdField: true });
	zoho.setLatency(20);
	// one order every 10 minutes, oldest first; every 4th from a returning customer
	for (let index = 0; index < ORDERS; index++) {
		const modified = wooGmt(oldest + index * 600_000);
		const email = index % 4 === 0 ? `returning${index % 40}@example.com` : `backfill${index}@example.com`;
		woo.addOrder({ status: 'completed', billing: { email, company: '' }, date_created_gmt: modified, date_modified_gmt: modified });
	}
}, 60_000);

stopAllAfterwards(() => [n8n, woo, zoho]);

describe('backfill killed in the middle (woocommerce-to-zohocrm.json in n8n 2.40.7)', () => {
	e2e('SIGKILL while a catch-up batch is written, restart: every order one deal, every email one contact, without waiting for the schedule', async () => {
		const deals = () => zoho.records('Deals');
		n8n = await start();
		// kill while a batch is half written: Create Deal writes 100 records per call, a batch is 200 orders
		await until(
			'the catch-up to be in the middle of a later batch',
			() => {
				const count = deals().length;
				return count >= 2 * PER_POLL && count % PER_POLL !== 0;
			},
			240_000,
			100,
		);
		await n8n.kill();
		const atKill = deals().length;
		const firstLog = n8n.logs();
		console.log(`backfill killed with ${atKill} of ${ORDERS} deals written`);
		expect(firstLog).toMatch(/catch-up batch 2 emitted/);
		expect(atKill).toBeLessThan(ORDERS);

		const { userFolder, port } = n8n;
		const restartedAt = Date.now();
		n8n = await start({ userFolder, port });
		await until('every order to have its deal', () => deals().length >= ORDERS, 300_000);
		console.log(`backfill finished ${Math.round((Date.now() - restartedAt) / 1000)} s after the restart`);
		await sleep(3_000);

		const perOrder = new Map<string, number>();
		for (const deal of deals()) perOrder.set(String(deal.WooCommerce_Order_ID), (perOrder.get(String(deal.WooCommerce_Order_ID)) ?? 0) + 1);
		expect(woo.orders.filter((order) => perOrder.get(String(order.id)) !== 1).map((order) => order.id)).toEqual([]);
		const perEmail = new Map<string, number>();
		for (const contact of zoho.records('Contacts')) {
			const email = String(contact.Email).toLowerCase();
			perEmail.set(email, (perEmail.get(email) ?? 0) + 1);
		}
		expect([...perEmail.entries()].filter(([, count]) => count !== 1)).toEqual([]);
		expect(perEmail.size).toBe(new Set(woo.orders.map((order) => order.billing.email.toLowerCase())).size);

		// the restarted n8n's first poll (at activation) emitted the batch whose run died once more
		const afterRestart = (await n8n.executions(workflow.id)).filter(
			(run) => run.mode === 'trigger' && Date.parse(run.startedAt) >= restartedAt,
		);
		const firstAfter = afterRestart.reduce((earliest, run) => (Number(run.id) < Number(earliest.id) ? run : earliest));
		const emitted = await n8n.nodeOutput(firstAfter.id, poll.name);
		const again = emitted.filter((item) => item._woocommerce?.reemitted).length;
		console.log(`first run after the restart: ${emitted.length} orders, ${again} of them emitted once more`);
		expect(again).toBeGreaterThan(0);
	});
});
