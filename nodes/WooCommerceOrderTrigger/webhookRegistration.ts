import { createHmac, randomBytes } from 'crypto';
import type { IDataObject, IHookFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import { asNodeError } from '../shared/nodeError';

import {
	describeRequestError,
	hasMorePages,
	WOOCOMMERCE_CREDENTIAL,
	WOOCOMMERCE_PAGE_SIZE,
	wooCommerceApiRequest,
} from '../shared/woocommerce/client';

/**
 * The store-side webhook lifecycle for the trigger: list, create and delete webhooks through
 * `/wp-json/wc/v3/webhooks` (WooCommerce `WC_REST_Webhooks_V1_Controller`, inherited by v3).
 */

/** One webhook as `GET /wc/v3/webhooks` returns it (WooCommerce never returns `secret`). */
export interface WooWebhookResource {
	id: number;
	name?: string;
	status: string;
	topic: string;
	delivery_url: string;
}

/** What the trigger keeps per topic in node-scoped workflow static data. */
export interface StoredWebhook extends IDataObject {
	id: number;
	secret: string;
}

export type StoredWebhooks = Record<string, StoredWebhook>;

/** The webhooks this node registered, keyed by topic, from `this.getWorkflowStaticData('node')`. */
export function getStoredWebhooks(staticData: IDataObject): StoredWebhooks {
	const stored = staticData.webhooks;
	if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return {};
	const result: StoredWebhooks = {};
	for (const [topic, entry] of Object.entries(stored as IDataObject)) {
		const candidate = entry as IDataObject | undefined;
		if (
			candidate &&
			typeof candidate.id === 'number' &&
			typeof candidate.secret === 'string' &&
			candidate.secret !== ''
		) {
			result[topic] = { id: candidate.id, secret: candidate.secret };
		}
	}
	return result;
}

/**
 * A fresh webhook secret: 32 random bytes as 64 hex characters. Alphanumeric on purpose, so WooCommerce's
 * HTML-entity handling of secrets (`wp_specialchars_decode`, PR #22722) never changes it.
 */
export function generateWebhookSecret(): string {
	return randomBytes(32).toString('hex');
}

/** What a derived secret is scoped to: this trigger node in this workflow. */
export function secretScope(ctx: Pick<IHookFunctions, 'getWorkflow' | 'getNode'>): { workflowId: string; nodeId: string } {
	return { workflowId: String(ctx.getWorkflow().id ?? ''), nodeId: ctx.getNode().id };
}

/**
 * The secret this trigger gives store webhook `webhookId`: HMAC-SHA256 keyed with the credential's consumer secret
 * over the workflow, the node and the webhook id, as 64 hex characters. Every n8n process can compute it from the
 * delivery's X-WC-Webhook-ID and the credential, so checking a signature needs no static data: in queue mode the
 * webhook process reads the workflow's static data from the database, and any execution that saves the workflow's
 * static data (a reconciliation poll on a worker) rewrites it whole and can drop what activation stored there.
 * A new registration gets a new webhook id, hence a new secret; changing the consumer secret changes them all
 * (re-activate the workflow).
 */
export function derivedWebhookSecret(
	consumerSecret: string,
	scope: { workflowId: string; nodeId: string },
	webhookId: number | string,
): string {
	return createHmac('sha256', consumerSecret)
		.update(`woocommerce-order-trigger|${scope.workflowId}|${scope.nodeId}|${String(webhookId)}`)
		.digest('hex');
}

/** All webhooks of the store, page by page, following X-WP-TotalPages. */
export async function listAllWebhooks(this: IHookFunctions): Promise<WooWebhookResource[]> {
	const webhooks: WooWebhookResource[] = [];
	for (let page = 1; ; page++) {
		const response = (await wooCommerceApiRequest.call(this, 'GET', '/webhooks', {
			qs: { per_page: WOOCOMMERCE_PAGE_SIZE, page },
			returnFullResponse: true,
		})) as { body: unknown; headers: unknown };
		const pageItems = Array.isArray(response.body) ? (response.body as WooWebhookResource[]) : [];
		webhooks.push(...pageItems);
		if (!hasMorePages(response.headers, page, pageItems.length)) return webhooks;
	}
}

async function deleteWebhook(this: IHookFunctions, id: number): Promise<void> {
	try {
		await wooCommerceApiRequest.call(this, 'DELETE', `/webhooks/${id}`, { qs: { force: true } });
	} catch (error) {
		// 404 woocommerce_rest_shop_webhook_invalid_id: already gone, which is what we wanted.
		if (describeRequestError(error).status === 404) return;
		throw asNodeError(this.getNode(), error);
	}
}

function selectedTopics(this: IHookFunctions): string[] {
	const events = this.getNodeParameter('events', ['order.created']) as string[] | string;
	const list = Array.isArray(events) ? events : [events];
	return [...new Set(list.filter((topic) => typeof topic === 'string' && topic !== ''))];
}

function deliveryUrl(this: IHookFunctions): string {
	const url = this.getNodeWebhookUrl('default');
	if (!url) throw new NodeApiError(this.getNode(), {}, { message: 'n8n gave this trigger no webhook URL' });
	return url;
}

/**
 * True only when every selected topic has an active store webhook pointing at this node's URL whose id and
 * secret are in static data. Webhooks with this URL that are not accounted for (orphans without a stored
 * secret, disabled ones, old topics) are deleted, so `create` starts clean.
 */
export async function checkWebhooksExist(this: IHookFunctions): Promise<boolean> {
	const url = deliveryUrl.call(this);
	const topics = selectedTopics.call(this);
	const staticData = this.getWorkflowStaticData('node');
	const stored = getStoredWebhooks(staticData);
	const ours = (await listAllWebhooks.call(this)).filter((webhook) => webhook.delivery_url === url);

	const verifiedIds = new Set<number>();
	for (const topic of topics) {
		const entry = stored[topic];
		const match = entry
			? ours.find((webhook) => webhook.id === entry.id && webhook.topic === topic && webhook.status === 'active')
			: undefined;
		if (match) verifiedIds.add(match.id);
	}
	const complete = verifiedIds.size === topics.length && topics.length > 0;

	// Everything with our URL that is not a verified webhook for a selected topic cannot be verified or is unwanted.
	const keepIds = complete ? verifiedIds : new Set<number>();
	for (const webhook of ours) {
		if (keepIds.has(webhook.id)) continue;
		try {
			await deleteWebhook.call(this, webhook.id);
		} catch (error) {
			this.logger.warn('WooCommerce Order Trigger: could not delete a stale webhook', {
				webhookId: webhook.id,
				topic: webhook.topic,
				error: (error as Error).message,
			});
		}
	}
	if (!complete) {
		delete staticData.webhooks;
		return false;
	}
	const kept: StoredWebhooks = {};
	for (const topic of topics) kept[topic] = stored[topic];
	staticData.webhooks = kept;
	return true;
}

/** One store webhook per selected topic, each with its own random secret, kept in static data. */
export async function createWebhooks(this: IHookFunctions): Promise<boolean> {
	const url = deliveryUrl.call(this);
	const topics = selectedTopics.call(this);
	const staticData = this.getWorkflowStaticData('node');
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const baseName =
		typeof options.webhookName === 'string' && options.webhookName.trim() !== ''
			? options.webhookName.trim()
			: `n8n ${this.getWorkflow().name ?? this.getWorkflow().id ?? 'workflow'}`;

	const credentials = await this.getCredentials(WOOCOMMERCE_CREDENTIAL);
	const scope = secretScope(this);
	const created: StoredWebhooks = {};
	try {
		for (const topic of topics) {
			// `status` is ignored on create (always active) and `secret` is never echoed back (WooCommerce code). The
			// final secret depends on the id WooCommerce assigns, so the webhook starts with a random one and gets its
			// derived secret by an update right after (PUT /webhooks/<id>, where `secret` is writable).
			const response = (await wooCommerceApiRequest.call(this, 'POST', '/webhooks', {
				body: { name: `${baseName} (${topic})`, topic, delivery_url: url, secret: generateWebhookSecret() },
			})) as IDataObject;
			if (typeof response?.id !== 'number') {
				throw new NodeApiError(this.getNode(), (response ?? {}) as JsonObject, {
					message: 'WooCommerce did not return the id of the created webhook',
				});
			}
			created[topic] = { id: response.id, secret: '' };
			const secret = derivedWebhookSecret(String(credentials.consumerSecret ?? ''), scope, response.id);
			await wooCommerceApiRequest.call(this, 'PUT', `/webhooks/${response.id}`, { body: { secret } });
			created[topic].secret = secret;
		}
	} catch (error) {
		// Do not leave half a registration behind: remove what this call created, then report the first error.
		for (const entry of Object.values(created)) {
			await deleteWebhook.call(this, entry.id).catch(() => undefined);
		}
		throw asNodeError(this.getNode(), error);
	}
	staticData.webhooks = created;
	return true;
}

/** Deletes the stored webhooks (`?force=true`, WooCommerce does not trash webhooks); 404 counts as deleted. */
export async function deleteWebhooks(this: IHookFunctions): Promise<boolean> {
	const staticData = this.getWorkflowStaticData('node');
	const stored = getStoredWebhooks(staticData);
	const remaining: StoredWebhooks = {};
	for (const [topic, entry] of Object.entries(stored)) {
		try {
			await deleteWebhook.call(this, entry.id);
		} catch (error) {
			this.logger.warn('WooCommerce Order Trigger: could not delete webhook', {
				webhookId: entry.id,
				topic,
				error: (error as Error).message,
			});
			remaining[topic] = entry;
		}
	}
	if (Object.keys(remaining).length > 0) {
		staticData.webhooks = remaining;
		return false;
	}
	delete staticData.webhooks;
	return true;
}
