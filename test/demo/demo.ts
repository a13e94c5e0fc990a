/**
 * The demo behind `npm start`: a demo WooCommerce store and a demo Zoho CRM org (the project's emulators on local
 * ports, each with a page), and the pinned n8n with this package, the two credentials pointing at them, the bundled
 * deal workflow published — so its trigger registers its webhook with the demo store exactly as with a real shop —
 * and the dead-letter replay workflow imported. The workflow files are imported unchanged: the credentials are
 * created with the ids the files reference.
 *
 * State (n8n's user folder, the store's orders, the org's records and API calls) lives in one folder and is kept
 * between starts; `fresh` removes it first.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

import { startN8n, OWNER, REPO_ROOT } from '../n8n/harness';
import type { N8nInstance } from '../n8n/harness';
import { WooCommerceEmulator } from '../emulators/woocommerce';
import type { WooOrderRecord, WooWebhook } from '../emulators/woocommerce';
import { ZohoEmulator } from '../emulators/zoho';
import type { ZohoSnapshot } from '../emulators/zoho';
import { credentialRef, wooCommerceCredential, zohoRefreshTokenCredential } from '../e2e/support';
import { randomOrder } from './orders';
import type { Random } from './orders';
import { storePage, zohoPage } from './pages';

const WORKFLOWS = path.join(REPO_ROOT, 'workflows');
const readWorkflow = (file: string) => JSON.parse(fs.readFileSync(path.join(WORKFLOWS, file), 'utf8'));

export const DEAD_LETTER_TABLE = 'zoho_sync_dead_letters';

export interface DemoOptions {
	/** Everything the demo keeps: n8n's user folder (n8n/) and state.json (store and org). */
	folder: string;
	/** Remove the folder first. */
	fresh?: boolean;
	/** Default 5678, 5690, 5691 (never 5679: n8n's task broker). */
	n8nPort?: number;
	storePort?: number;
	zohoPort?: number;
	/** Where the random orders come from (default Math.random; the browser test seeds it for its pictures). */
	random?: Random;
	/** Echo n8n's log to stdout (default false: it is appended to <folder>/n8n/n8n.log on stop). */
	echo?: boolean;
}

interface Delivery {
	status: number | 'sending';
}

interface SavedState {
	orders: WooOrderRecord[];
	webhooks: WooWebhook[];
	deliveries: Record<string, Delivery>;
	refusedEmails: string[];
	zoho: ZohoSnapshot;
}

export interface Demo {
	storeUrl: string;
	zohoUrl: string;
	/** The editor as a browser opens it (http://localhost:<port>). */
	editorUrl: string;
	n8n: N8nInstance;
	woo: WooCommerceEmulator;
	zoho: ZohoEmulator;
	dealWorkflowId: string;
	replayWorkflowId: string;
	login: { email: string; password: string };
	/** Seconds from startDemo() until the deal workflow was published. */
	startSeconds: number;
	placeOrders(count: number): WooOrderRecord[];
	stop(): Promise<void>;
}

/** Zoho's answer to a Contacts record it refuses (the INVALID_DATA body of its Insert/Upsert Records pages). */
const invalidEmail = {
	code: 'INVALID_DATA',
	message: 'invalid data',
	details: { api_name: 'Email', json_path: '$.data[0].Email', expected_data_type: 'email' },
};

export async function startDemo(options: DemoOptions): Promise<Demo> {
	const started = Date.now();
	const folder = path.resolve(options.folder);
	if (options.fresh) fs.rmSync(folder, { recursive: true, force: true });
	fs.mkdirSync(folder, { recursive: true });
	const stateFile = path.join(folder, 'state.json');
	const saved: SavedState | undefined = fs.existsSync(stateFile)
		? JSON.parse(fs.readFileSync(stateFile, 'utf8'))
		: undefined;

	const n8nPort = options.n8nPort ?? 5678;
	const editorUrl = `http://localhost:${n8nPort}`;
	const deliveries = new Map<number, Delivery>(
		Object.entries(saved?.deliveries ?? {}).map(([id, delivery]) => [Number(id), delivery]),
	);
	const refusedEmails = new Set<string>(saved?.refusedEmails ?? []);
	let refuseNextOrder = false;

	// pages first: the handlers only run once both servers are up
	let woo: WooCommerceEmulator | undefined;
	let zoho: ZohoEmulator | undefined;
	const links = () => ({ n8n: editorUrl, store: woo!.url, zoho: zoho!.url });

	zoho = await ZohoEmulator.start({
		port: options.zohoPort ?? 5691,
		multiCurrency: true,
		// the demo org is one that has been set up already ("Set Up Order ID Field" run once); a new org has no such field
		orderIdField: true,
		extraRoutes: (request, response) =>
			route(request, response, {
				'GET /': () => html(zohoPage()),
				'GET /favicon.ico': () => ({ status: 204, type: 'image/x-icon', body: '' }),
				'GET /demo/org': () => json(orgView(zoho!, links())),
			}),
	});
	if (saved) zoho.restore(saved.zoho);
	const refuseMarkedEmails = () =>
		zoho!.addValidationRule((module, record) =>
			module === 'Contacts' && refusedEmails.has(String(record.Email).toLowerCase()) ? invalidEmail : undefined,
		);
	refuseMarkedEmails();

	const faults: Record<string, () => string> = {
		'rate-limit': () => {
			zoho!.inject({ times: 2, status: 429, retryAfter: 5, match: '/crm/' });
			return 'Zoho answers the next 2 API calls with 429 TOO_MANY_REQUESTS and Retry-After: 5.';
		},
		outage: () => {
			zoho!.inject({ times: 2, status: 500, match: '/crm/' });
			return 'Zoho answers the next 2 API calls with 500 INTERNAL_ERROR.';
		},
		'refuse-next-order': () => {
			refuseNextOrder = true;
			return "Zoho refuses the next order's contact email with 400 INVALID_DATA (until “Back to normal”).";
		},
		'expire-token': () => {
			zoho!.expireAccessTokens();
			return 'Every access token Zoho issued is now expired: the next call gets 401 INVALID_TOKEN and refreshes.';
		},
		clear: () => {
			zoho!.clearFaults();
			refusedEmails.clear();
			refuseNextOrder = false;
			refuseMarkedEmails();
			return 'Zoho behaves again. Replay the dead letters from n8n (workflow “Zoho Sync: replay dead letters”).';
		},
	};

	woo = await WooCommerceEmulator.start({
		port: options.storePort ?? 5690,
		webhooks: saved?.webhooks,
		orders: saved?.orders,
		extraRoutes: (request, response) =>
			route(request, response, {
				'GET /': () => html(storePage()),
				'GET /favicon.ico': () => ({ status: 204, type: 'image/x-icon', body: '' }),
				'GET /demo/state': () =>
					json({
						links: links(),
						refuseNextOrder,
						webhooks: woo!.webhooks,
						orders: [...woo!.orders].reverse(),
						deliveries: Object.fromEntries(deliveries),
					}),
				'POST /demo/orders': async (body) => {
					const count = Math.min(Math.max(Number(body.count) || 1, 1), 50);
					return json({ orders: placeOrders(count).map((order) => ({ id: order.id, number: order.number })) });
				},
				'POST /demo/faults': async (body) => {
					const fault = faults[String(body.fault)];
					if (!fault) return json({ message: `unknown fault ${body.fault}` }, 400);
					return json({ message: fault() });
				},
			}),
	});

	// WooCommerce queues deliveries (Action Scheduler) and sends them a few at a time, not all at once
	const queue: WooOrderRecord[] = [];
	let sending = 0;
	const pump = () => {
		while (sending < 3 && queue.length > 0) {
			const order = queue.shift()!;
			sending += 1;
			woo!
				.deliver('order.created', order)
				.then(
					(results) => deliveries.set(order.id, { status: results[0]?.status ?? 0 }),
					() => deliveries.set(order.id, { status: 0 }),
				)
				.finally(() => {
					sending -= 1;
					pump();
				});
		}
	};

	function placeOrders(count: number): WooOrderRecord[] {
		const placed: WooOrderRecord[] = [];
		for (let index = 0; index < count; index++) {
			const fields = randomOrder({ random: options.random, nextItemId: () => woo!.nextItemId++ });
			if (refuseNextOrder) {
				refuseNextOrder = false;
				refusedEmails.add(String(fields.billing.email).toLowerCase());
			}
			const order = woo!.addOrder(fields);
			deliveries.set(order.id, { status: 'sending' });
			queue.push(order);
			placed.push(order);
		}
		pump();
		return placed;
	}

	const save = () => {
		const state: SavedState = {
			orders: woo!.orders,
			webhooks: woo!.webhooks,
			deliveries: Object.fromEntries(deliveries),
			refusedEmails: [...refusedEmails],
			zoho: zoho!.snapshot(),
		};
		fs.writeFileSync(`${stateFile}.tmp`, JSON.stringify(state));
		fs.renameSync(`${stateFile}.tmp`, stateFile);
	};
	let savedSignature = '';
	const saver = setInterval(() => {
		const signature = `${JSON.stringify(woo!.webhooks)}:${woo!.orders.length}:${zoho!.calls.length}:${refusedEmails.size}:${JSON.stringify([...deliveries.values()].slice(-50))}`;
		if (signature === savedSignature) return;
		savedSignature = signature;
		save();
	}, 2000);
	saver.unref();

	const dealWorkflow = readWorkflow('woocommerce-to-zohocrm.json');
	const replayWorkflow = readWorkflow('dead-letter-replay.json');
	const credentials = [
		wooCommerceCredential(credentialRef(dealWorkflow, 'wooCommerceStoreApi'), woo),
		zohoRefreshTokenCredential(credentialRef(dealWorkflow, 'zohoCrmRefreshTokenApi'), zoho),
	];
	// n8n's CLI takes half a minute to import and publish; skipped when the folder already holds exactly these
	// credentials and workflows (a changed workflow file or port imports again, which also overwrites edits)
	const importedFile = path.join(folder, 'imported.sha256');
	const imported = createHash('sha256').update(JSON.stringify({ credentials, dealWorkflow, replayWorkflow })).digest('hex');
	const upToDate = fs.existsSync(importedFile) && fs.readFileSync(importedFile, 'utf8') === imported;
	let n8n: N8nInstance;
	try {
		n8n = await startN8n({
			userFolder: path.join(folder, 'n8n'),
			port: n8nPort,
			credentials: upToDate ? [] : credentials,
			workflows: upToDate ? [] : [dealWorkflow, replayWorkflow],
			publish: upToDate ? [] : [dealWorkflow.id],
			echo: options.echo ?? false,
			env: { N8N_EDITOR_BASE_URL: `${editorUrl}/` },
		});
		if (saved) await ensureStoreWebhook(n8n, woo, dealWorkflow.id, { reimported: !upToDate });
		fs.writeFileSync(importedFile, imported);
		// creates the owner account on the first start (later starts sign in)
		await n8n.rest('GET', '/login');
	} catch (error) {
		clearInterval(saver);
		await woo.stop();
		await zoho.stop();
		throw error;
	}

	return {
		storeUrl: woo.url,
		zohoUrl: zoho.url,
		editorUrl,
		n8n,
		woo,
		zoho,
		dealWorkflowId: dealWorkflow.id,
		replayWorkflowId: replayWorkflow.id,
		login: { email: OWNER.email, password: OWNER.password },
		startSeconds: (Date.now() - started) / 1000,
		placeOrders,
		async stop() {
			clearInterval(saver);
			save();
			await n8n.stop();
			await woo!.stop();
			await zoho!.stop();
		},
	};
}

/**
 * n8n registers a trigger's webhook only when the workflow is published, not at each start: like a real store, the
 * demo store keeps its webhooks between starts. When the store has none for n8n, or n8n's copy of the webhook
 * secret was replaced by a new import of the workflow, the workflow is unpublished and published again — what a
 * user would do — so that the trigger registers a new webhook.
 */
async function ensureStoreWebhook(
	n8n: N8nInstance,
	woo: WooCommerceEmulator,
	workflowId: string,
	{ reimported }: { reimported: boolean },
): Promise<void> {
	const status = await n8n.waitForPublication(workflowId, {
		expect: ['published', 'partial', 'failed', 'not_published'],
	});
	if (status.status === 'not_published') return; // unpublished in the editor: left so
	const registered = woo.webhooks.some(
		(webhook) =>
			webhook.status === 'active' &&
			webhook.topic === 'order.created' &&
			webhook.delivery_url.startsWith(`${n8n.baseUrl}/webhook/`),
	);
	if (registered && !reimported && status.status === 'published') return;
	await n8n.deactivateWorkflow(workflowId);
	const republished = await n8n.activateWorkflow(workflowId);
	if (republished.status !== 'published') {
		throw new Error(`the deal workflow did not publish again: ${JSON.stringify(republished)}\n${n8n.logsTail()}`);
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Serving the pages

interface Reply {
	status: number;
	type: string;
	body: string;
}

const html = (body: string): Reply => ({ status: 200, type: 'text/html; charset=utf-8', body });
const json = (value: unknown, status = 200): Reply => ({
	status,
	type: 'application/json; charset=utf-8',
	body: JSON.stringify(value),
});

/**
 * Answers the demo's own routes ("METHOD /path") and leaves every other request to the emulator (returns false).
 * POST bodies are JSON.
 */
function route(
	request: IncomingMessage,
	response: ServerResponse,
	routes: Record<string, (body: Record<string, unknown>) => Reply | Promise<Reply>>,
): boolean {
	const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
	const handler = routes[`${request.method} ${pathname}`];
	if (!handler) return false;
	void (async () => {
		let reply: Reply;
		try {
			const chunks: Buffer[] = [];
			for await (const chunk of request) chunks.push(chunk as Buffer);
			const text = Buffer.concat(chunks).toString('utf8');
			reply = await handler(text ? JSON.parse(text) : {});
		} catch (error) {
			reply = json({ message: String(error) }, 500);
		}
		response.writeHead(reply.status, { 'Content-Type': reply.type, 'Cache-Control': 'no-store' });
		response.end(reply.body);
	})();
	return true;
}

/** What the org page shows: the records a real org would hold, newest first, and the API calls with credits. */
function orgView(zoho: ZohoEmulator, links: Record<string, string>) {
	const newestFirst = (module: string) => zoho.records(module).reverse();
	// the token endpoint too: an expired token shows as 401, a token refresh, the call again
	const calls = zoho.calls;
	return {
		links,
		deals: newestFirst('Deals'),
		contacts: newestFirst('Contacts'),
		accounts: newestFirst('Accounts'),
		salesOrders: newestFirst('Sales_Orders'),
		callCount: calls.length,
		creditsUsed: zoho.creditsUsed(),
		calls: calls
			.slice(-200)
			.reverse()
			.map((call) => ({
				time: new Date(call.at).toISOString().slice(11, 19),
				method: call.method,
				path: call.path,
				status: call.status,
				credits: call.credits,
			})),
	};
}
