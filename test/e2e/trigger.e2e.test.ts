/**
 * The WooCommerce Order Trigger in a real n8n 2.40.7 (test/n8n/harness.js) against the WooCommerce emulator:
 * the package is packed and installed as a community package, the workflow is imported and published with the
 * n8n CLI, and n8n's own activation calls the trigger's checkExists/create/delete against the emulator's REST API.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { NODE_TYPE_PREFIX, startN8n } from '../n8n/harness';
import type { N8nInstance } from '../n8n/harness';
import { WooCommerceEmulator } from '../emulators/woocommerce';
import { e2eTest, sleep, stopAllAfterwards, wooCommerceCredential } from './support';

const WORKFLOW_ID = 'e2eWooTrigger01';
const WEBHOOK_ID = '3f0c2a8e-6b1d-4e57-9a3c-5d2e7f8b9c01';
const TRIGGER_NAME = 'WooCommerce Order Trigger';
const TRIGGER_TYPE = `${NODE_TYPE_PREFIX}wooCommerceOrderTrigger`;
const CREDENTIAL = { id: 'e2eWooStore0001', name: 'E2E WooCommerce store' };
const WEBHOOKS_PATH = '/wp-json/wc/v3/webhooks';

/** Time given to n8n to (wrongly) start an execution before a test concludes that none was started. */
const QUIET_PERIOD_MS = 2000;

const packageJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
	n8n: { nodes: string[]; credentials: string[] };
};

/** The trigger at its default parameters: only the credential is set. */
const triggerWorkflow = {
	id: WORKFLOW_ID,
	name: 'E2E: WooCommerce Order Trigger',
	active: false,
	settings: { executionOrder: 'v1' },
	connections: {},
	nodes: [
		{
			id: 'e2e00000-0000-4000-8000-000000000001',
			name: TRIGGER_NAME,
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0],
			webhookId: WEBHOOK_ID,
			parameters: {},
			credentials: { wooCommerceStoreApi: CREDENTIAL },
		},
	],
};

let woo: WooCommerceEmulator;
let n8n: N8nInstance;
const e2e = e2eTest(() => n8n, 60_000);
/** Secrets of the webhooks this file saw registered, to prove that re-publishing generates a new one. */
const seenSecrets = new Set<string>();

function ourWebhooks() {
	return woo.webhooks.filter((webhook) => webhook.delivery_url === n8n.webhookUrl(WEBHOOK_ID));
}

async function executionCount(): Promise<number> {
	return (await n8n.executions(WORKFLOW_ID)).length;
}

beforeAll(async () => {
	woo = await WooCommerceEmulator.start();
	n8n = await startN8n({
		credentials: [wooCommerceCredential(CREDENTIAL, woo)],
		workflows: [triggerWorkflow],
	});
}, 240_000);

stopAllAfterwards(() => [n8n, woo]);

describe('WooCommerce Order Trigger in n8n 2.40.7', () => {
	e2e('n8n loads every node and credential of the package, among them the trigger', async () => {
		const nodeTypes = await n8n.nodeTypes();
		const ours = new Set(
			nodeTypes.filter((type) => type.name.startsWith(NODE_TYPE_PREFIX)).map((type) => type.name),
		);
		// n8n adds a `<name>Tool` variant of every node that is usableAsTool
		const declared = [...ours].filter((name) => !(name.endsWith('Tool') && ours.has(name.slice(0, -4))));
		expect(declared).toHaveLength(packageJson.n8n.nodes.length);

		const trigger = nodeTypes.find((type) => type.name === TRIGGER_TYPE);
		expect(trigger).toBeDefined();
		expect(trigger?.group).toContain('trigger');
		expect(trigger?.webhooks).toEqual([expect.objectContaining({ httpMethod: 'POST', path: 'webhook' })]);
		expect(trigger?.credentials).toEqual([expect.objectContaining({ name: 'wooCommerceStoreApi' })]);

		const credentialNames = (await n8n.credentialTypes()).map((type) => type.name);
		expect(credentialNames).toEqual(
			expect.arrayContaining(['wooCommerceStoreApi', 'zohoCrmOAuth2Api', 'zohoCrmRefreshTokenApi']),
		);
	});

	e2e('the credential test in n8n passes with the right key and shows WooCommerce’s own error text otherwise', async () => {
		const test = async (consumerSecret: string) =>
			await n8n.rest('POST', '/credentials/test', {
				credentials: {
					...CREDENTIAL,
					type: 'wooCommerceStoreApi',
					data: { url: woo.url, consumerKey: woo.consumerKey, consumerSecret, includeCredentialsInQuery: false },
				},
			});
		expect(await test(woo.consumerSecret)).toMatchObject({ status: 'OK' });
		const refused = await test('cs_wrong');
		expect(refused.status).toBe('Error');
		// the store is on http://, so WooCommerce checks the OAuth 1.0a signature made with the wrong secret
		expect(refused.message).toContain('HTTP 401: Invalid signature - provided signature does not match.');
	});

	e2e('publishing the workflow registers one order.created webhook with the store', async () => {
		expect((await n8n.publicationStatus(WORKFLOW_ID)).status).toBe('published');
		const registered = ourWebhooks();
		expect(registered).toHaveLength(1);
		expect(registered[0]).toMatchObject({
			status: 'active',
			topic: 'order.created',
			delivery_url: n8n.webhookUrl(WEBHOOK_ID),
		});
		expect(registered[0].secret.length).toBeGreaterThanOrEqual(32);
		seenSecrets.add(registered[0].secret);
		// WooCommerce pings the URL while the webhook is created; n8n already routes it then and answers 200,
		// otherwise the store would keep the webhook pending and re-ping on every delivery
		expect(registered[0]).toMatchObject({ pending_delivery: false, failure_count: 0 });
		expect(woo.calls).toContainEqual(expect.objectContaining({ method: 'POST', path: WEBHOOKS_PATH, status: 201 }));
		// n8n's production URL answers (a wrong path or an inactive workflow gives 404)
		expect(woo.webhooks.every((webhook) => webhook.delivery_url.startsWith(n8n.baseUrl))).toBe(true);
	});

	e2e('a signed order delivery starts exactly one execution that outputs the order', async () => {
		const before = await executionCount();
		const order = woo.addOrder();
		const deliveries = await woo.deliver('order.created', order);
		expect(deliveries).toHaveLength(1);
		expect(deliveries[0].status).toBe(200);

		const executions = await n8n.waitForExecutions(before + 1, { workflowId: WORKFLOW_ID });
		await sleep(QUIET_PERIOD_MS);
		expect(await executionCount()).toBe(before + 1);
		const newest = executions.reduce((a, b) => (Number(a.id) > Number(b.id) ? a : b));
		expect(newest).toMatchObject({ status: 'success', mode: 'webhook' });

		const items = await n8n.nodeOutput(newest.id, TRIGGER_NAME);
		expect(items).toHaveLength(1);
		const { _woocommerce: meta, ...orderOut } = items[0];
		expect(orderOut).toEqual(JSON.parse(JSON.stringify(order)));
		expect(meta).toMatchObject({ topic: 'order.created', webhookId: ourWebhooks()[0].id });
	});

	e2e('a delivery with a wrong signature gets 401 and starts no execution', async () => {
		const before = await executionCount();
		const order = woo.addOrder();
		const forged = await woo.deliver('order.created', order, { signature: 'bm90IHRoZSByaWdodCBzaWduYXR1cmU=' });
		expect(forged.map((delivery) => delivery.status)).toEqual([401]);
		const wrongSecret = await woo.deliver('order.created', order, { secret: 'a'.repeat(64) });
		expect(wrongSecret.map((delivery) => delivery.status)).toEqual([401]);
		// every X-WC-Webhook-* header of a real delivery, but no signature
		const unsigned = await woo.deliverRaw(ourWebhooks()[0].id, JSON.stringify(order), {
			'X-WC-Webhook-Signature': '',
		});
		expect(unsigned.status).toBe(401);

		await sleep(QUIET_PERIOD_MS);
		expect(await executionCount()).toBe(before);
	});

	e2e("WooCommerce's ping gets exactly 200 and starts no execution", async () => {
		const before = await executionCount();
		const ping = await woo.ping(ourWebhooks()[0].id);
		expect(ping.status).toBe(200);

		await sleep(QUIET_PERIOD_MS);
		expect(await executionCount()).toBe(before);
	});

	e2e(
		'restarting n8n keeps the one webhook and its secret',
		async () => {
			const [registered] = ourWebhooks();
			const { port, userFolder } = n8n;
			await n8n.stop();
			n8n = await startN8n({ userFolder, port, publish: [] });
			await n8n.waitForPublication(WORKFLOW_ID);

			expect(ourWebhooks()).toEqual([registered]);
			const before = await executionCount();
			const deliveries = await woo.deliver('order.created', woo.addOrder());
			expect(deliveries.map((delivery) => delivery.status)).toEqual([200]);
			await n8n.waitForExecutions(before + 1, { workflowId: WORKFLOW_ID });
		},
		180_000,
	);

	e2e('unpublishing the workflow deletes its webhook from the store', async () => {
		const [registered] = ourWebhooks();
		expect((await n8n.deactivateWorkflow(WORKFLOW_ID)).status).toBe('not_published');

		expect(ourWebhooks()).toEqual([]);
		expect(woo.calls).toContainEqual(
			expect.objectContaining({ method: 'DELETE', path: `${WEBHOOKS_PATH}/${registered.id}` }),
		);
		const afterDelete = await fetch(n8n.webhookUrl(WEBHOOK_ID), { method: 'POST', body: '{}' });
		expect(afterDelete.status).toBe(404);
	});

	e2e('publishing again registers a new webhook with a new secret that deliveries work with', async () => {
		expect(seenSecrets.size).toBe(1);
		expect((await n8n.activateWorkflow(WORKFLOW_ID)).status).toBe('published');
		const registered = ourWebhooks();
		expect(registered).toHaveLength(1);
		expect(registered[0]).toMatchObject({ status: 'active', topic: 'order.created' });
		expect(seenSecrets.has(registered[0].secret)).toBe(false);

		const before = await executionCount();
		const deliveries = await woo.deliver('order.created', woo.addOrder());
		expect(deliveries.map((delivery) => delivery.status)).toEqual([200]);
		await n8n.waitForExecutions(before + 1, { workflowId: WORKFLOW_ID });
	});
});
