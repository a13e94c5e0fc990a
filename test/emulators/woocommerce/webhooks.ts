/**
 * Webhooks of the WooCommerce emulator: the wc/v3 webhooks controller (class-wc-rest-webhooks-v1-controller.php,
 * inherited by v3) and outbound deliveries and pings as includes/class-wc-webhook.php sends them (deliver(),
 * deliver_ping(), generate_signature(), log_delivery(), failed_delivery()); the data store re-pings while
 * `pending_delivery` (class-wc-webhook-data-store.php).
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

import {
	formatWooDate,
	paginate,
	requireUser,
	RestFailure,
	siteLocal,
	sortBy,
	validateParams,
	type Reply,
	type RequestContext,
} from './http';
import { wpSpecialcharsDecode } from './php';
import type { WooStore, WooWebhook, WooWebhookStatus } from './store';

export const WC_VERSION = '9.8.5';

export const WP_VERSION = '6.8.1';

export const USER_AGENT = `WooCommerce/${WC_VERSION} Hookshot (WordPress/${WP_VERSION})`;

export const SITE_USER_ID = 1;

/** Topic → hooks, from WC_Webhook::get_default_topic_hooks() (order rows as in the reference table). */
export const TOPIC_HOOKS: Record<string, string[]> = {
	'coupon.created': ['woocommerce_process_shop_coupon_meta', 'woocommerce_new_coupon'],
	'coupon.updated': ['woocommerce_process_shop_coupon_meta', 'woocommerce_update_coupon'],
	'coupon.deleted': ['wp_trash_post'],
	'coupon.restored': ['untrashed_post'],
	'customer.created': ['user_register', 'woocommerce_created_customer', 'woocommerce_new_customer'],
	'customer.updated': ['profile_update', 'woocommerce_update_customer'],
	'customer.deleted': ['delete_user'],
	'order.created': ['woocommerce_new_order'],
	'order.updated': ['woocommerce_update_order', 'woocommerce_order_refunded', 'woocommerce_delete_order_refund'],
	'order.deleted': ['wp_trash_post', 'woocommerce_trash_order'],
	'order.restored': ['untrashed_post', 'woocommerce_untrash_order'],
	'product.created': ['woocommerce_process_product_meta', 'woocommerce_new_product', 'woocommerce_new_product_variation'],
	'product.updated': ['woocommerce_process_product_meta', 'woocommerce_update_product', 'woocommerce_update_product_variation'],
	'product.deleted': ['wp_trash_post'],
	'product.restored': ['untrashed_post'],
};

/** base64(HMAC-SHA256(body, secret)), as WC_Webhook::generate_signature() with the default algorithm. */
export function wcSignature(body: string | Buffer, secret: string): string {
	return createHmac('sha256', secret).update(body).digest('base64');
}

export function isValidWebhookTopic(topic: string): boolean {
	// wc_is_webhook_valid_topic()
	const forbidden = [
		'action.woocommerce_login_credentials',
		'action.woocommerce_product_csv_importer_check_import_file_path',
		'action.woocommerce_webhook_should_deliver',
	];
	if (forbidden.includes(topic)) return false;
	if (topic.startsWith('action.woocommerce_') || topic.startsWith('action.wc_')) return true;
	const [resource, event] = topic.split('.');
	return (
		['coupon', 'customer', 'order', 'product'].includes(resource) &&
		['created', 'updated', 'deleted', 'restored'].includes(event ?? '')
	);
}

export function isValidDeliveryUrl(url: string): boolean {
	// wc_is_valid_url(): must start with http:// or https:// and pass FILTER_VALIDATE_URL.
	if (!url.startsWith('http://') && !url.startsWith('https://')) return false;
	try {
		const parsed = new URL(url);
		return parsed.hostname !== '' && !/\s/.test(url);
	} catch {
		return false;
	}
}

/** wp_generate_password( 50, true, true ): the secret WooCommerce picks when none is sent. */
export function wpGeneratePassword(length: number): string {
	const chars =
		'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()-_ []{}<>~`+=,.;:/?|';
	const bytes = randomBytes(length);
	return Array.from(bytes, (byte) => chars[byte % chars.length]).join('');
}

export interface OutboundResult {
	status: number;
	body: string;
}

export function postOnce(
	url: string,
	body: string | Buffer,
	headers: Record<string, string>,
	timeoutMs: number,
): Promise<OutboundResult> {
	return new Promise((resolve) => {
		let target: URL;
		try {
			target = new URL(url);
		} catch {
			resolve({ status: 0, body: 'invalid URL' });
			return;
		}
		const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
		if (target.protocol !== 'http:' && target.protocol !== 'https:') {
			resolve({ status: 0, body: `unsupported protocol ${target.protocol}` });
			return;
		}
		const request = (target.protocol === 'https:' ? https : http).request(
			target,
			{
				method: 'POST',
				headers: { ...headers, 'Content-Length': String(payload.length), Connection: 'close' },
				timeout: timeoutMs,
			},
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
				);
				response.on('error', (error) => resolve({ status: 0, body: error.message }));
			},
		);
		request.on('timeout', () => request.destroy(new Error('timeout')));
		// A transport error is a WP_Error; intval() turns its code into 0 (a failure).
		request.on('error', (error) => resolve({ status: 0, body: error.message }));
		request.end(payload);
	});
}

export function requireWebhook(this: WooStore, webhookId: number): WooWebhook {
	const webhook = this.webhooks.find((candidate) => candidate.id === webhookId);
	if (!webhook) throw new Error(`no webhook ${webhookId} in the emulator`);
	return webhook;
}

export function deliveryHeaders(this: WooStore, webhook: WooWebhook, body: string | Buffer, secret?: string): Record<string, string> {
	// X-WC-Webhook-Delivery-ID = wp_hash( id . strtotime('now') ): an HMAC-MD5 of id and whole seconds.
	const deliveryId = createHmac('md5', 'emulator-salt')
		.update(`${webhook.id}${Math.floor(Date.now() / 1000)}`)
		.digest('hex');
	return {
		'User-Agent': USER_AGENT,
		'Content-Type': 'application/json',
		'X-WC-Webhook-Source': `${this.url}/`,
		'X-WC-Webhook-Topic': webhook.topic,
		'X-WC-Webhook-Resource': webhook.resource,
		'X-WC-Webhook-Event': webhook.event,
		'X-WC-Webhook-Signature': wcSignature(body, wpSpecialcharsDecode(secret ?? webhook.secret)),
		'X-WC-Webhook-ID': String(webhook.id),
		'X-WC-Webhook-Delivery-ID': deliveryId,
	};
}

/** One delivery as WC_Webhook::deliver() posts it: 60 s timeout (MINUTE_IN_SECONDS), then log_delivery(). */
export async function sendDelivery(
	this: WooStore,
	webhook: WooWebhook,
	body: string | Buffer,
	headers: Record<string, string>,
): Promise<OutboundResult> {
	// redirection => 0: a 301/302 is not followed (and still counts as success).
	const result = await postOnce(webhook.delivery_url, body, headers, 60_000);
	this.outbound.push({
		kind: 'delivery',
		webhookId: webhook.id,
		url: webhook.delivery_url,
		headers,
		body: body.toString(),
		status: result.status,
		responseBody: result.body,
	});
	logDelivery.call(this, webhook, result.status);
	// log_delivery() saves the webhook; the data store pings again while it is still pending_delivery.
	await afterSave.call(this, webhook, false);
	return result;
}

/** WC_Webhook::log_delivery() / failed_delivery(): 200–302 resets; the 7th consecutive failure disables. */
export function logDelivery(this: WooStore, webhook: WooWebhook, status: number): void {
	if (status >= 200 && status < 303) {
		webhook.failure_count = 0;
		return;
	}
	// woocommerce_max_webhook_delivery_failures defaults to 5; "more than 5" previous failures disables.
	if (webhook.failure_count > 5) {
		webhook.status = 'disabled';
	} else {
		webhook.failure_count += 1;
	}
}

export async function sendPing(this: WooStore, webhook: WooWebhook): Promise<OutboundResult> {
	const body = `webhook_id=${webhook.id}`;
	// wp_safe_remote_post() with only a user-agent: WordPress sends a string body form-encoded, 5 s timeout.
	const headers = { 'User-Agent': USER_AGENT, 'Content-Type': 'application/x-www-form-urlencoded' };
	const result = await postOnce(webhook.delivery_url, body, headers, 5_000);
	this.outbound.push({
		kind: 'ping',
		webhookId: webhook.id,
		url: webhook.delivery_url,
		headers,
		body,
		status: result.status,
		responseBody: result.body,
	});
	if (result.status === 200) webhook.pending_delivery = false;
	return result;
}

/** WC_Webhook_Data_Store::update(): an active webhook pings when its URL changed or while pending_delivery. */
export async function afterSave(this: WooStore, webhook: WooWebhook, deliveryUrlChanged: boolean): Promise<void> {
	if (webhook.status === 'active' && (deliveryUrlChanged || webhook.pending_delivery)) {
		await sendPing.call(this, webhook);
	}
}

export function webhookResponse(this: WooStore, webhook: WooWebhook): Record<string, unknown> {
	// WC_REST_Webhooks_V2_Controller::prepare_item_for_response(): never the secret, no api_version.
	return {
		id: webhook.id,
		name: webhook.name,
		status: webhook.status,
		topic: webhook.topic,
		resource: webhook.resource,
		event: webhook.event,
		hooks: webhook.hooks,
		delivery_url: webhook.delivery_url,
		date_created: webhook.date_created,
		date_created_gmt: webhook.date_created_gmt,
		date_modified: webhook.date_modified,
		date_modified_gmt: webhook.date_modified_gmt,
		_links: {
			self: [{ href: `${this.url}/wp-json/wc/v3/webhooks/${webhook.id}` }],
			collection: [{ href: `${this.url}/wp-json/wc/v3/webhooks` }],
		},
	};
}

export function listWebhooks(this: WooStore, ctx: RequestContext): Reply {
	const args = validateParams(ctx.params, {
		page: { type: 'integer', minimum: 1, default: 1 },
		per_page: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
		offset: { type: 'integer', minimum: 0 },
		status: { type: 'string', enum: ['all', 'active', 'paused', 'disabled'], default: 'all' },
		order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
		orderby: { type: 'string', enum: ['date', 'id', 'title'], default: 'date' },
		search: { type: 'string' },
		include: { type: 'array', items: 'integer', default: [] },
		exclude: { type: 'array', items: 'integer', default: [] },
	});
	requireUser(ctx, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
	let items = this.webhooks.filter(
		(webhook) =>
			(args.status === 'all' || webhook.status === args.status) &&
			(args.include.length === 0 || args.include.includes(webhook.id)) &&
			!args.exclude.includes(webhook.id) &&
			(args.search === undefined || webhook.name.toLowerCase().includes(String(args.search).toLowerCase())),
	);
	items = sortBy(items, args.orderby === 'title' ? 'name' : args.orderby === 'id' ? 'id' : 'date_created_gmt', args.order);
	return paginate.call(this,
		items.map((webhook) => webhookResponse.call(this, webhook)),
		args.page,
		args.per_page,
		args.offset,
		'/wc/v3/webhooks',
		ctx.params,
	);
}

export async function createWebhook(this: WooStore, ctx: RequestContext): Promise<Reply> {
	const args = validateParams(
		ctx.params,
		{
			topic: { type: 'string' },
			delivery_url: { type: 'string' },
			name: { type: 'string' },
			secret: { type: 'string' },
			status: { type: 'string', enum: ['active', 'paused', 'disabled'] },
		},
		['topic', 'delivery_url'],
	);
	requireUser(ctx, 'woocommerce_rest_cannot_create', 'Sorry, you are not allowed to create resources.');
	if (ctx.params.id !== undefined && ctx.params.id !== '' && ctx.params.id !== 0) {
		throw new RestFailure(400, 'woocommerce_rest_shop_webhook_exists', 'Cannot create existing shop_webhook.');
	}
	const topic = String(args.topic);
	if (topic === '' || !isValidWebhookTopic(topic.toLowerCase())) {
		throw new RestFailure(
			400,
			'woocommerce_rest_shop_webhook_invalid_topic',
			'Webhook topic is required and must be valid.',
		);
	}
	const deliveryUrl = String(args.delivery_url);
	if (deliveryUrl === '' || !isValidDeliveryUrl(deliveryUrl)) {
		throw new RestFailure(
			400,
			'woocommerce_rest_shop_webhook_invalid_delivery_url',
			'Webhook delivery URL must be a valid URL starting with http:// or https://.',
		);
	}
	const now = new Date();
	const [resource, event] = topic.split('.');
	const webhook: WooWebhook = {
		id: this.nextWebhookId++,
		name:
			typeof args.name === 'string' && args.name !== ''
				? args.name
				: `Webhook created on ${now.toLocaleString('en-US', { month: 'short', day: '2-digit', year: 'numeric' })} @ ${now.toLocaleString('en-US', { hour: '2-digit', minute: '2-digit', hour12: true })}`,
		// prepare_item_for_database() sets post_status 'publish' → active; the `status` sent is ignored.
		status: 'active',
		topic,
		resource: topic.startsWith('action.') ? 'action' : resource,
		event: topic.startsWith('action.') ? topic.slice('action.'.length) : event,
		hooks: TOPIC_HOOKS[topic] ?? (topic.startsWith('action.') ? [topic.slice('action.'.length)] : []),
		delivery_url: deliveryUrl,
		secret: typeof args.secret === 'string' && args.secret !== '' ? args.secret : wpGeneratePassword(50),
		api_version: 'wp_api_v3',
		user_id: SITE_USER_ID,
		date_created: siteLocal(now),
		date_created_gmt: formatWooDate(now),
		date_modified: siteLocal(now),
		date_modified_gmt: formatWooDate(now),
		failure_count: 0,
		pending_delivery: true,
	};
	this.webhooks.push(webhook);
	const reply: Reply = {
		status: 201,
		body: webhookResponse.call(this, webhook),
		headers: { Location: `${this.url}/wp-json/wc/v3/webhooks/${webhook.id}` },
	};
	// create_item() pings after building the 201 response and ignores the result; the call blocks meanwhile.
	await sendPing.call(this, webhook);
	return reply;
}

export function getWebhook(this: WooStore, ctx: RequestContext): Reply {
	requireUser(ctx, 'woocommerce_rest_cannot_view', 'Sorry, you cannot view this resource.');
	const webhook = this.webhooks.find((candidate) => candidate.id === Number(ctx.match[1]));
	if (Number(ctx.match[1]) === 0) {
		throw new RestFailure(404, 'woocommerce_rest_shop_webhook_invalid_id', 'Invalid ID.');
	}
	// get_item() → prepare_item_for_response() returns this 400 for an unknown id (the 404 is only for id 0).
	if (!webhook) throw new RestFailure(400, 'woocommerce_rest_shop_webhook_invalid_id', 'ID is invalid.');
	return { status: 200, body: webhookResponse.call(this, webhook) };
}

export async function updateWebhook(this: WooStore, ctx: RequestContext): Promise<Reply> {
	const args = validateParams(ctx.params, {
		topic: { type: 'string' },
		delivery_url: { type: 'string' },
		name: { type: 'string' },
		secret: { type: 'string' },
		status: { type: 'string', enum: ['active', 'paused', 'disabled'] },
	});
	requireUser(ctx, 'woocommerce_rest_cannot_edit', 'Sorry, you are not allowed to edit this resource.');
	const webhook = this.webhooks.find((candidate) => candidate.id === Number(ctx.match[1]));
	if (!webhook) throw new RestFailure(400, 'woocommerce_rest_shop_webhook_invalid_id', 'ID is invalid.');
	let topic = webhook.topic;
	if (args.topic) {
		if (!isValidWebhookTopic(String(args.topic).toLowerCase())) {
			throw new RestFailure(400, 'woocommerce_rest_shop_webhook_invalid_topic', 'Webhook topic must be valid.');
		}
		topic = String(args.topic);
	}
	let deliveryUrl = webhook.delivery_url;
	if (args.delivery_url) {
		if (!isValidDeliveryUrl(String(args.delivery_url))) {
			throw new RestFailure(
				400,
				'woocommerce_rest_shop_webhook_invalid_delivery_url',
				'Webhook delivery URL must be a valid URL starting with http:// or https://.',
			);
		}
		deliveryUrl = String(args.delivery_url);
	}
	const urlChanged = deliveryUrl !== webhook.delivery_url;
	if (topic !== webhook.topic) {
		const [resource, event] = topic.split('.');
		webhook.topic = topic;
		webhook.resource = resource;
		webhook.event = event;
		webhook.hooks = TOPIC_HOOKS[topic] ?? [];
	}
	webhook.delivery_url = deliveryUrl;
	if (args.secret) webhook.secret = String(args.secret);
	// Re-activating does not reset failure_count (neither update_item nor the admin save touches it).
	if (args.status) webhook.status = args.status as WooWebhookStatus;
	if (args.name) webhook.name = String(args.name);
	const now = new Date();
	webhook.date_modified = siteLocal(now);
	webhook.date_modified_gmt = formatWooDate(now);
	await afterSave.call(this, webhook, urlChanged);
	return { status: 200, body: webhookResponse.call(this, webhook) };
}

export function deleteWebhook(this: WooStore, ctx: RequestContext): Reply {
	const args = validateParams(ctx.params, { force: { type: 'boolean', default: false } });
	requireUser(ctx, 'woocommerce_rest_cannot_delete', 'Sorry, you are not allowed to delete this resource.');
	if (!args.force) {
		throw new RestFailure(501, 'woocommerce_rest_trash_not_supported', 'Webhooks do not support trashing.');
	}
	const index = this.webhooks.findIndex((candidate) => candidate.id === Number(ctx.match[1]));
	if (index < 0) throw new RestFailure(404, 'woocommerce_rest_shop_webhook_invalid_id', 'Invalid ID.');
	const [webhook] = this.webhooks.splice(index, 1);
	return { status: 200, body: webhookResponse.call(this, webhook) };
}
