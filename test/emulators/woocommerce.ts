/**
 * A strict WooCommerce REST API (wc/v3) emulator for tests: API-key auth, webhooks CRUD, orders listing, and
 * webhook deliveries and pings the way WooCommerce sends them.
 *
 * Sources (paths relative to plugins/woocommerce/ in the public woocommerce/woocommerce repository; the user-facing
 * behaviour is on https://woocommerce.com/document/webhooks/ and https://woocommerce.github.io/woocommerce-rest-api-docs/):
 * - includes/class-wc-rest-authentication.php  — key auth, error codes and texts
 * - includes/rest-api/Controllers/Version1/class-wc-rest-webhooks-v1-controller.php (v2/v3 inherit it)
 * - includes/class-wc-webhook.php  — deliver(), deliver_ping(), generate_signature(), log_delivery(), failed_delivery()
 * - includes/data-stores/class-wc-webhook-data-store.php  — update() re-pings while `pending_delivery`
 * - includes/rest-api/Controllers/Version2|3/class-wc-rest-orders-*controller.php  — orders collection params
 * - WordPress core WP_REST_Server / rest_validate_value_from_schema — rest_no_route, rest_missing_callback_param,
 *   rest_invalid_param.
 *
 * Authentication follows WC_REST_Authentication::authenticate(): with `ssl: false` (the default — the emulator is
 * served over plain http://127.0.0.1, so `is_ssl()` is false) only OAuth 1.0a one-legged signatures are accepted and
 * Basic auth / consumer_key query parameters are ignored; with `ssl: true` Basic auth and query keys are read first
 * and OAuth 1.0a is the fallback (then signed with an https:// base URI).
 *
 * The parts, by concern: woocommerce/store.ts (data), php.ts (PHP encoding and request parsing), http.ts (WordPress
 * REST plumbing), oauth1.ts (key authentication), webhooks.ts (webhooks controller, deliveries, pings), orders.ts
 * (orders controller, fixture orders). Tests talk to it through n8n-core's own request helpers
 * (test/support/n8nCoreContext.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { RestFailure, requestParams, type Reply, type RequestContext } from './woocommerce/http';
import { authenticate } from './woocommerce/oauth1';
import { getOrder, listOrders, storeOrder } from './woocommerce/orders';
import { phpJsonEncode } from './woocommerce/php';
import type {
	WooCall,
	WooEmulatorOptions,
	WooOrderRecord,
	WooOutboundRecord,
	WooStore,
	WooWebhook,
} from './woocommerce/store';
import {
	createWebhook,
	deleteWebhook,
	deliveryHeaders,
	getWebhook,
	listWebhooks,
	requireWebhook,
	sendDelivery,
	sendPing,
	updateWebhook,
} from './woocommerce/webhooks';

export { sampleOrder } from './woocommerce/orders';
export { phpJsonEncode } from './woocommerce/php';
export type {
	WooCall,
	WooEmulatorOptions,
	WooOrderRecord,
	WooOutboundRecord,
	WooWebhook,
	WooWebhookStatus,
} from './woocommerce/store';
export { wcSignature } from './woocommerce/webhooks';

export class WooCommerceEmulator implements WooStore {
	readonly url: string;
	readonly consumerKey: string;
	readonly consumerSecret: string;
	keyPermissions: 'read' | 'write' | 'read_write';
	/** `is_ssl()` of the emulated store; may be changed between requests. */
	ssl: boolean;
	webhooks: WooWebhook[] = [];
	orders: WooOrderRecord[] = [];
	calls: WooCall[] = [];
	/** Test hook run after each REST request is answered (e.g. to change orders while a poll pages). */
	afterRequest?: (call: { method: string; path: string; query: Record<string, string> }) => void;
	/** Deliveries and pings sent by the emulator, oldest first. */
	outbound: WooOutboundRecord[] = [];

	nextWebhookId = 1;
	nextOrderId = 728;
	nextItemId = 400;
	lastOrderTime = 0;
	/** The API key's `nonces` column: used OAuth nonces keyed by their oauth_timestamp. */
	usedNonces = new Map<string, string>();

	private constructor(
		private readonly server: http.Server,
		port: number,
		options: WooEmulatorOptions,
	) {
		this.url = `http://127.0.0.1:${port}`;
		this.consumerKey = options.consumerKey ?? 'ck_test';
		this.consumerSecret = options.consumerSecret ?? 'cs_test';
		this.keyPermissions = options.keyPermissions ?? 'read_write';
		this.ssl = options.ssl ?? false;
		this.webhooks = structuredClone(options.webhooks ?? []);
		this.nextWebhookId = Math.max(0, ...this.webhooks.map((webhook) => webhook.id)) + 1;
		this.orders = structuredClone(options.orders ?? []);
		this.nextOrderId = Math.max(this.nextOrderId - 1, ...this.orders.map((order) => order.id)) + 1;
		const itemIds = this.orders.flatMap((order) =>
			['line_items', 'tax_lines', 'shipping_lines', 'fee_lines', 'coupon_lines'].flatMap((list) =>
				((order[list] ?? []) as Array<{ id: number }>).map((item) => item.id),
			),
		);
		this.nextItemId = Math.max(this.nextItemId - 1, ...itemIds) + 1;
	}

	static async start(options: WooEmulatorOptions = {}): Promise<WooCommerceEmulator> {
		let emulator: WooCommerceEmulator | undefined;
		const server = http.createServer((req, res) => {
			if (options.extraRoutes?.(req, res)) return;
			void emulator!.handle(req, res);
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
		});
		emulator = new WooCommerceEmulator(server, (server.address() as AddressInfo).port, options);
		return emulator;
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}

	// ----- test controls -------------------------------------------------------------------------------------

	/**
	 * Stores a new order built from the fixture: next id (728, 729, …) unless `overrides.id` is given, number = id,
	 * fresh order key and line-item ids, dates = now (strictly increasing by ≥ 1 s), links pointing at this store.
	 * Does not deliver anything. Returns a copy of the stored order.
	 */
	addOrder(overrides: object = {}): WooOrderRecord {
		return storeOrder.call(this, overrides);
	}


	/**
	 * Delivers `order` to every active webhook with `topic` (or only to `options.webhookId`), as WC_Webhook::deliver():
	 * body = trim(wp_json_encode(payload)) (`{"id":N}` for *.deleted), all X-WC-Webhook-* headers, signed with the
	 * webhook secret unless `options.secret` (sign with another secret) or `options.signature` (send this header
	 * verbatim) is given. Counts failures like log_delivery(), then re-pings while the webhook is pending_delivery.
	 */
	async deliver(
		topic: string,
		order: object,
		options: { webhookId?: number; signature?: string; secret?: string } = {},
	): Promise<Array<{ webhookId: number; status: number; body: string }>> {
		const targets = this.webhooks.filter(
			(webhook) =>
				webhook.status === 'active' &&
				webhook.topic === topic &&
				(options.webhookId === undefined || webhook.id === options.webhookId),
		);
		const results: Array<{ webhookId: number; status: number; body: string }> = [];
		for (const webhook of targets) {
			const payload = webhook.event === 'deleted' ? { id: (order as { id?: unknown }).id } : order;
			const body = phpJsonEncode(payload).trim();
			const headers = deliveryHeaders.call(this, webhook, body, options.secret);
			if (options.signature !== undefined) headers['X-WC-Webhook-Signature'] = options.signature;
			const result = await sendDelivery.call(this, webhook, body, headers);
			results.push({ webhookId: webhook.id, status: result.status, body: result.body });
		}
		return results;
	}

	/**
	 * Sends `body` to webhook `webhookId` with the full WooCommerce header set computed over these exact bytes
	 * (signed with the webhook secret); `headers` override them, and a header given as '' is left out.
	 * Counts as a delivery (failure counting, re-ping).
	 */
	async deliverRaw(
		webhookId: number,
		body: string | Buffer,
		headers: Record<string, string> = {},
	): Promise<{ status: number; body: string }> {
		const webhook = requireWebhook.call(this, webhookId);
		const merged = deliveryHeaders.call(this, webhook, body);
		for (const [name, value] of Object.entries(headers)) {
			const existing = Object.keys(merged).find((key) => key.toLowerCase() === name.toLowerCase());
			if (existing) delete merged[existing];
			if (value !== '') merged[name] = value;
		}
		return await sendDelivery.call(this, webhook, body, merged);
	}

	/** WC_Webhook::deliver_ping(): unsigned `webhook_id=N`, no X-WC headers; only exactly 200 clears pending_delivery. */
	async ping(webhookId: number): Promise<{ status: number; body: string }> {
		return await sendPing.call(this, requireWebhook.call(this, webhookId));
	}







	// ----- inbound REST --------------------------------------------------------------------------------------

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://emulator.invalid');
		const method = (req.method ?? 'GET').toUpperCase();
		const query: Record<string, string> = {};
		for (const [key, value] of url.searchParams) query[key] = value;
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);

		let reply: Reply;
		try {
			reply = await this.route(req, url, method, rawBody);
		} catch (error) {
			if (error instanceof RestFailure) {
				reply = { status: error.status, body: error.toBody(), headers: error.headers };
			} else {
				reply = {
					status: 500,
					body: { code: 'internal_server_error', message: String(error), data: { status: 500 } },
				};
			}
		}
		// WP_REST_Server::serve_request(): with the `_envelope` global parameter every REST answer, errors included, is
		// sent as HTTP 200 `{ body, status, headers }` (https://developer.wordpress.org/rest-api/using-the-rest-api/
		// global-parameters/#_envelope). Pages outside the REST API (the HTML 404) are not enveloped.
		if (url.searchParams.has('_envelope') && typeof reply.body !== 'string') {
			reply = { status: 200, body: { body: reply.body, status: reply.status, headers: reply.headers ?? {} } };
		}
		this.calls.push({ method, path: url.pathname, query, status: reply.status, authorization: req.headers.authorization });
		this.afterRequest?.({ method, path: url.pathname, query });
		const body = typeof reply.body === 'string' ? reply.body : phpJsonEncode(reply.body);
		res.writeHead(reply.status, {
			'Content-Type':
				typeof reply.body === 'string' ? 'text/html; charset=UTF-8' : 'application/json; charset=UTF-8',
			'X-Robots-Tag': 'noindex',
			...(reply.headers ?? {}),
		});
		res.end(body);
	}

	private route(req: http.IncomingMessage, url: URL, method: string, rawBody: Buffer): Reply | Promise<Reply> {
		// Pretty permalinks (/wp-json/…) or plain permalinks (?rest_route=/…).
		let route: string | null = null;
		if (url.pathname === '/wp-json' || url.pathname.startsWith('/wp-json/')) {
			route = url.pathname.slice('/wp-json'.length) || '/';
		} else if (url.searchParams.has('rest_route')) {
			route = url.searchParams.get('rest_route') ?? '/';
		}
		if (route === null) {
			return { status: 404, body: '<!DOCTYPE html><html><body><h1>Page not found</h1></body></html>' };
		}
		route = route.length > 1 ? route.replace(/\/+$/, '') : route;

		const params = requestParams.call(this, req, url, rawBody);
		const isWcRoute = route.startsWith('/wc/') || route.startsWith('/wc-');
		const authenticated = isWcRoute ? authenticate.call(this, req, method, rawBody) : false;

		if (authenticated) {
			// WC_REST_Authentication::check_user_permissions() on rest_pre_dispatch.
			const needs = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
			if (this.keyPermissions !== 'read_write' && this.keyPermissions !== needs) {
				throw new RestFailure(
					401,
					'woocommerce_rest_authentication_error',
					`The API key provided does not have ${needs} permissions.`,
				);
			}
		}

		const routes: Array<{ pattern: RegExp; handlers: Record<string, (ctx: RequestContext) => Reply | Promise<Reply>> }> =
			[
				{
					pattern: /^\/wc\/v3\/webhooks$/,
					handlers: { GET: (ctx) => listWebhooks.call(this, ctx), POST: (ctx) => createWebhook.call(this, ctx) },
				},
				{
					pattern: /^\/wc\/v3\/webhooks\/(\d+)$/,
					handlers: {
						GET: (ctx) => getWebhook.call(this, ctx),
						POST: (ctx) => updateWebhook.call(this, ctx),
						PUT: (ctx) => updateWebhook.call(this, ctx),
						PATCH: (ctx) => updateWebhook.call(this, ctx),
						DELETE: (ctx) => deleteWebhook.call(this, ctx),
					},
				},
				{ pattern: /^\/wc\/v3\/orders$/, handlers: { GET: (ctx) => listOrders.call(this, ctx) } },
				{ pattern: /^\/wc\/v3\/orders\/(\d+)$/, handlers: { GET: (ctx) => getOrder.call(this, ctx) } },
			];
		for (const candidate of routes) {
			const match = candidate.pattern.exec(route);
			const handler = match ? candidate.handlers[method === 'HEAD' ? 'GET' : method] : undefined;
			if (match && handler) return handler({ method, route, match, params, authenticated });
		}
		throw new RestFailure(404, 'rest_no_route', 'No route was found matching the URL and request method.');
	}


















}
