import { createHmac } from 'crypto';

/**
 * Pure checks for one WooCommerce webhook request: ping detection, signature check and payload validation.
 * No n8n imports, so they can be tested alone. Facts cited from WooCommerce `includes/class-wc-webhook.php`
 * (`deliver()`, `deliver_ping()`, `generate_signature()`).
 */

/** The X-WC-Webhook-* headers of one request, lower-cased as n8n's getHeaderData() returns them. */
export interface WooDeliveryHeaders {
	topic?: string;
	resource?: string;
	event?: string;
	signature?: string;
	webhookId?: string;
	deliveryId?: string;
	source?: string;
}

/** Reads the X-WC-Webhook-* headers; a repeated header counts as its first value. */
export function readDeliveryHeaders(
	headers: Record<string, string | string[] | undefined>,
): WooDeliveryHeaders {
	const read = (name: string): string | undefined => {
		const value = headers[name];
		const first = Array.isArray(value) ? value[0] : value;
		return typeof first === 'string' ? first : undefined;
	};
	return {
		topic: read('x-wc-webhook-topic'),
		resource: read('x-wc-webhook-resource'),
		event: read('x-wc-webhook-event'),
		signature: read('x-wc-webhook-signature'),
		webhookId: read('x-wc-webhook-id'),
		deliveryId: read('x-wc-webhook-delivery-id'),
		source: read('x-wc-webhook-source'),
	};
}

/**
 * WooCommerce pings a new or re-activated webhook with the unsigned form body `webhook_id=<id>` and no
 * X-WC-Webhook-* headers (`WC_Webhook::deliver_ping()`); anything but exactly HTTP 200 is reported as an error
 * in the admin and keeps the webhook `pending_delivery`.
 */
export function isWooCommercePing(headers: WooDeliveryHeaders, rawBody: Buffer | string): boolean {
	if (headers.topic !== undefined || headers.signature !== undefined || headers.webhookId !== undefined) {
		return false;
	}
	const text = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
	return /^webhook_id=\d+$/.test(text);
}

/** base64(HMAC-SHA256(raw body, secret)), as `WC_Webhook::generate_signature()` computes it (default algorithm). */
export function computeWooSignature(rawBody: Buffer | string, secret: string): string {
	return createHmac('sha256', secret).update(rawBody).digest('base64');
}

/**
 * WooCommerce signs with `wp_specialchars_decode( $secret, ENT_QUOTES )` (PR #22722): a secret the admin UI
 * stored with `&amp;` signs with `&`. Returns the secret as given and, if different, its decoded form.
 */
export function secretCandidates(secret: string): string[] {
	// every entity starts with '&': most secrets have none, and this runs for every delivery
	if (!secret.includes('&')) return [secret];
	const decoded = secret
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#0*39;/g, "'")
		.replace(/&#x0*27;/gi, "'")
		.replace(/&amp;/g, '&');
	return decoded === secret ? [secret] : [decoded, secret];
}

/**
 * Constant-time comparison of two base64 signatures (ASCII); a length mismatch is a plain `false`. A loop over the
 * 44 characters instead of crypto.timingSafeEqual: no Buffer allocations on the path every delivery takes.
 */
export function signaturesMatch(expected: string, actual: string): boolean {
	if (expected.length !== actual.length) return false;
	let difference = 0;
	for (let index = 0; index < expected.length; index++) difference |= expected.charCodeAt(index) ^ actual.charCodeAt(index);
	return difference === 0;
}

export type SignatureCheck = { valid: true; secret: string } | { valid: false; reason: string };

/**
 * Checks X-WC-Webhook-Signature against the exact raw bytes. Never re-serialise parsed JSON: WooCommerce sends
 * `wp_json_encode()` output (`\/`, `\uXXXX`), which JSON.stringify would not reproduce.
 */
export function verifyWooSignature(
	rawBody: Buffer | string,
	signature: string | undefined,
	secrets: string[],
): SignatureCheck {
	if (signature === undefined || signature.trim() === '') {
		return { valid: false, reason: 'missing X-WC-Webhook-Signature header' };
	}
	const actual = signature.trim();
	for (const secret of secrets) {
		for (const candidate of secretCandidates(secret)) {
			if (candidate === '') continue;
			if (signaturesMatch(computeWooSignature(rawBody, candidate), actual)) {
				return { valid: true, secret };
			}
		}
	}
	return { valid: false, reason: 'X-WC-Webhook-Signature does not match the webhook secret' };
}

/** An order as WooCommerce delivers it: the `GET /wc/v3/orders/{id}` body (only what the trigger reads is typed). */
export interface WooOrderPayload {
	id: number;
	status?: string;
	[key: string]: unknown;
}

export type PayloadCheck = { valid: true; order: WooOrderPayload } | { valid: false; reason: string };

/**
 * The body must be a JSON object with a numeric `id` and no `code`. When WooCommerce cannot build the payload
 * (e.g. the webhook's owner lost the capability) it sends the REST error instead, under the same topic:
 * `{"code":"woocommerce_rest_cannot_view","message":"…","data":{"status":401}}` (WooCommerce #37806, #26926).
 */
export function parseOrderPayload(rawBody: Buffer | string): PayloadCheck {
	const text = (typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8')).replace(/^\uFEFF/, '');
	if (text.trim() === '') return { valid: false, reason: 'empty body' };
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return { valid: false, reason: 'body is not JSON' };
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		return { valid: false, reason: 'body is not a JSON object' };
	}
	const body = parsed as Record<string, unknown>;
	if ('code' in body) {
		const message = typeof body.message === 'string' ? `: ${body.message}` : '';
		return {
			valid: false,
			reason: `WooCommerce sent an error instead of an order (${String(body.code)}${message})`,
		};
	}
	if (typeof body.id !== 'number' || !Number.isInteger(body.id) || body.id <= 0) {
		return { valid: false, reason: 'body has no numeric order id' };
	}
	return { valid: true, order: body as WooOrderPayload };
}

export type DeliveryDecision =
	| { action: 'emit' }
	| { action: 'acknowledge'; reason: string };

/** Whether a valid, signed order is emitted or only acknowledged with 200 (so WooCommerce counts no failure). */
export function decideDelivery(
	topic: string | undefined,
	order: WooOrderPayload,
	selectedTopics: string[],
	skipStatuses: string[],
): DeliveryDecision {
	if (topic === undefined || !selectedTopics.includes(topic)) {
		return { action: 'acknowledge', reason: `topic ${topic ?? '(none)'} is not selected in the trigger` };
	}
	const status = typeof order.status === 'string' ? order.status.toLowerCase() : undefined;
	if (status !== undefined && skipStatuses.includes(status)) {
		return { action: 'acknowledge', reason: `order ${order.id} has status ${status}, which is skipped` };
	}
	return { action: 'emit' };
}
