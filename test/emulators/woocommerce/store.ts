/** The WooCommerce emulator's data: webhooks, orders, the API key and what was called and sent. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface WooEmulatorOptions {
	consumerKey?: string;
	consumerSecret?: string;
	port?: number;
	/** Permission of the API key (WooCommerce → Settings → Advanced → REST API). Default read_write. */
	keyPermissions?: 'read' | 'write' | 'read_write';
	/**
	 * What `is_ssl()` answers. Default false: the emulator is served over http://, so like a real store there it
	 * accepts only OAuth 1.0a. true: a store that believes it runs on HTTPS (e.g. behind a TLS-terminating proxy that
	 * sets HTTPS=on) and therefore reads Basic auth and consumer_key/consumer_secret query parameters.
	 */
	ssl?: boolean;
	/**
	 * Tried first for every request; returns true when it answered (the demo's store page, test/demo/). What it does
	 * not answer is the store's REST API as usual.
	 */
	extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
	/** Webhooks the store already has (a real store keeps them across restarts of n8n; the demo saves them). */
	webhooks?: WooWebhook[];
	/** Orders the store already has (the demo saves them); new orders and items get ids after theirs. */
	orders?: WooOrderRecord[];
}

export type WooWebhookStatus = 'active' | 'paused' | 'disabled';

export interface WooWebhook {
	id: number;
	name: string;
	status: WooWebhookStatus;
	topic: string;
	resource: string;
	event: string;
	hooks: string[];
	delivery_url: string;
	secret: string;
	api_version: 'wp_api_v3';
	user_id: number;
	date_created: string;
	date_created_gmt: string;
	date_modified: string;
	date_modified_gmt: string;
	failure_count: number;
	/** True until a ping got exactly HTTP 200 (WC_Webhook_Data_Store::create()). */
	pending_delivery: boolean;
}

/** A stored order: the exact `GET /wc/v3/orders/{id}` body. */
export type WooOrderRecord = Record<string, any> & {
	id: number;
	number: string;
	status: string;
	date_created: string;
	date_created_gmt: string;
	date_modified: string;
	date_modified_gmt: string;
};

export interface WooCall {
	method: string;
	path: string;
	query: Record<string, string>;
	status: number;
	/** The Authorization header as received (HTTP Basic carries the consumer secret, readable). */
	authorization?: string;
}

/** Every request the emulator sent to a delivery URL (deliveries and pings), for assertions. */
export interface WooOutboundRecord {
	kind: 'delivery' | 'ping';
	webhookId: number;
	url: string;
	headers: Record<string, string>;
	body: string;
	status: number;
	responseBody: string;
}

/** The state every part of the emulator works on (the emulator itself implements it). */
export interface WooStore {
	readonly url: string;
	readonly consumerKey: string;
	readonly consumerSecret: string;
	keyPermissions: 'read' | 'write' | 'read_write';
	/** `is_ssl()` of the emulated store; may be changed between requests. */
	ssl: boolean;
	webhooks: WooWebhook[];
	orders: WooOrderRecord[];
	calls: WooCall[];
	outbound: WooOutboundRecord[];
	nextWebhookId: number;
	nextOrderId: number;
	nextItemId: number;
	lastOrderTime: number;
	/** The API key's `nonces` column: used OAuth nonces keyed by their oauth_timestamp. */
	usedNonces: Map<string, string>;
}
