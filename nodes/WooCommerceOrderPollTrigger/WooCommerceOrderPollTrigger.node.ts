import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import {
	WOOCOMMERCE_CREDENTIAL,
	WOOCOMMERCE_PAGE_SIZE,
	wooCommerceApiRequest,
} from '../shared/woocommerce/client';
import { DEFAULT_SKIP_STATUSES, normaliseStatusList, orderStatusOptions } from '../shared/woocommerce/orderStatuses';
import { catchUpRunning, stageBatch, startCatchUp, type BatchPlan } from './catchUp';
import { isListedOrder, keysetAfter, readOrderWindow } from './orderWindow';
import { formatWooGmt, parseStartFrom, readCursor, windowStart, writeCursor, type PollCursor } from './pollCursor';

export const DEFAULT_POLL_STATUSES = ['pending', 'processing', 'on-hold', 'completed'];

function positiveInteger(value: unknown, fallback: number): number {
	const number = Number(value);
	return Number.isFinite(number) && number >= 1 ? Math.floor(number) : fallback;
}

export class WooCommerceOrderPollTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WooCommerce Order Poll Trigger',
		name: 'wooCommerceOrderPollTrigger',
		icon: { light: 'file:woocommerce.svg', dark: 'file:woocommerce.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "Orders: " + ([].concat($parameter["statuses"] || []).join(", ") || "all statuses") }}',
		description:
			'Polls WooCommerce for orders created or changed since the last poll, to backfill and catch orders a webhook missed',
		defaults: {
			name: 'WooCommerce Order Poll Trigger',
		},
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: WOOCOMMERCE_CREDENTIAL,
				required: true,
			},
		],
		properties: [
			{
				displayName: 'Start From',
				name: 'startFrom',
				type: 'dateTime',
				default: '',
				description:
					'Leave empty to get only orders changed after the workflow is activated. Set a date (UTC unless it has an offset) to first backfill every order modified since then.',
			},
			{
				displayName: 'Order Statuses',
				name: 'statuses',
				type: 'multiOptions',
				required: true,
				default: ['pending', 'processing', 'on-hold', 'completed'],
				description:
					'Only orders with these statuses are requested. Draft orders (checkout-draft, draft, auto-draft) are never requested.',
				// drafts (checkout-draft, draft, auto-draft) are never offered or requested; trash is not an order to sync
				options: orderStatusOptions([...DEFAULT_SKIP_STATUSES, 'trash']),
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Max Orders per Poll',
						name: 'maxOrdersPerPoll',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 500,
						description:
							'Upper limit of orders in one execution. When a poll finds more, the next batches follow as soon as the execution before has finished (at most 40 batches per poll), oldest first.',
					},
					{
						displayName: 'Check Webhook Health',
						name: 'webhookHealthCheck',
						type: 'boolean',
						default: true,
						description:
							'Whether each poll looks for this workflow’s WooCommerce webhooks that WooCommerce disabled after failed deliveries, and sets them active again',
					},
					{
						displayName: 'Webhook Name',
						name: 'webhookName',
						type: 'string',
						default: '',
						placeholder: 'n8n order sync',
						description:
							'The Webhook Name option of this workflow’s WooCommerce Order Trigger, if you set one; empty means "n8n" and the workflow name, the trigger’s default',
					},
					{
						displayName: 'Overlap (Minutes)',
						name: 'overlapMinutes',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 10,
						description:
							'Every poll re-reads this many minutes before the last change it saw, because WordPress date filters are exclusive and clocks drift. Orders already emitted with the same modification date are not emitted again.',
					},
				],
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const statuses = normaliseStatusList(this.getNodeParameter('statuses', DEFAULT_POLL_STATUSES)).filter(
			(status) => !DEFAULT_SKIP_STATUSES.includes(status),
		);
		if (statuses.length === 0) {
			throw new NodeOperationError(this.getNode(), 'Select at least one order status', {
				description: 'Draft statuses are never polled.',
			});
		}
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const overlapMinutes = Math.max(0, Number(options.overlapMinutes ?? 10) || 0);
		const maxOrders = positiveInteger(options.maxOrdersPerPoll, 500);

		const credentials = await this.getCredentials(WOOCOMMERCE_CREDENTIAL);
		// Same form as X-WC-Webhook-Source (home_url( '/' )), so polled and delivered orders share one store key.
		const source = `${String(credentials.url ?? '').trim().replace(/\/+$/, '')}/`;
		// WordPress parses a comma-separated string for an array parameter (`rest_sanitize_array()` →
		// `wp_parse_list()`), so the list goes as `status=a,b` — independent of how n8n serialises arrays in qs.
		const statusList = statuses.join(',');
		const toItem = (order: IDataObject): INodeExecutionData => ({
			json: {
				...order,
				_woocommerce: { topic: 'order.poll', source, receivedAt: new Date().toISOString() },
			},
		});

		if (this.getMode() === 'manual') {
			// A sample for field mapping: the most recently changed order; the cursor is left alone.
			const latest = (await wooCommerceApiRequest.call(this, 'GET', '/orders', {
				qs: { status: statusList, orderby: 'modified', order: 'desc', per_page: 1, page: 1 },
			})) as unknown;
			const first = Array.isArray(latest) ? (latest[0] as unknown) : undefined;
			return isListedOrder(first) ? [[toItem(first)]] : null;
		}

		const workflow = this.getWorkflow();
		const plan: BatchPlan = {
			key: `${workflow.id ?? ''}:${this.getNode().id}`,
			statusList,
			maxOrders,
			overlapMinutes,
			toItem,
			label: `WooCommerce Order Poll Trigger "${this.getNode().name}" (workflow ${workflow.id ?? '?'})`,
		};
		if (catchUpRunning(plan.key)) {
			this.logger.info(`${plan.label}: a catch-up of this trigger is still running; this poll leaves the orders to it`);
			return null;
		}

		const staticData = this.getWorkflowStaticData('node');
		let cursor: PollCursor | undefined = readCursor(staticData);
		let from: string;
		if (cursor === undefined) {
			const startFrom = this.getNodeParameter('startFrom', '') as unknown;
			if (startFrom === '' || startFrom === null || startFrom === undefined) {
				// First poll without Start From: only orders changed from now on.
				writeCursor(staticData, { lastModifiedGmt: `${formatWooGmt(Date.now())}Z`, emitted: {} });
				return null;
			}
			const start = parseStartFrom(startFrom);
			if (start === undefined) {
				throw new NodeOperationError(this.getNode(), `Start From is not a valid date: ${String(startFrom)}`);
			}
			// The backfill starts exactly at Start From: no overlap before a date the user chose.
			cursor = { lastModifiedGmt: `${formatWooGmt(start)}Z`, emitted: {} };
			writeCursor(staticData, cursor);
			from = formatWooGmt(start);
		} else {
			from = windowStart(cursor, overlapMinutes);
		}

		const read = await readOrderWindow.call(this, cursor, keysetAfter(from), statusList, maxOrders);
		const health = await checkWebhookHealth.call(this);
		const extra: IDataObject = health.length ? { webhooksReactivated: health } : {};
		if (read.more && read.fresh.length > 0) {
			// More orders than one poll may emit: this batch and the next follow one run after the other.
			startCatchUp.call(this, plan, cursor, read, extra);
			return null;
		}
		const { items } = stageBatch.call(this, plan, cursor, read, extra);
		return items.length ? [items] : null;
	}
}

/**
 * Webhook health: WooCommerce disables a webhook after more than five failed deliveries in a row and never
 * delivers to it again. Every poll looks up this workflow's webhooks (the WooCommerce Order Trigger names them
 * "<name> (<topic>)") and sets a disabled one active again. Returns what it re-activated; the poll's items say
 * so under `_woocommerce.webhooksReactivated`, and the n8n log does too.
 */
async function checkWebhookHealth(this: IPollFunctions): Promise<IDataObject[]> {
	const options = this.getNodeParameter('options', {}) as IDataObject;
	if (options.webhookHealthCheck === false) return [];
	const name = String(options.webhookName ?? '').trim() || `n8n ${this.getWorkflow().name ?? this.getWorkflow().id ?? 'workflow'}`;
	const reactivated: IDataObject[] = [];
	try {
		const webhooks = (await wooCommerceApiRequest.call(this, 'GET', '/webhooks', {
			qs: { status: 'disabled', per_page: WOOCOMMERCE_PAGE_SIZE, search: name },
		})) as unknown;
		for (const webhook of Array.isArray(webhooks) ? (webhooks as IDataObject[]) : []) {
			if (webhook.status !== 'disabled' || !String(webhook.name ?? '').startsWith(`${name} (`)) continue;
			await wooCommerceApiRequest.call(this, 'PUT', `/webhooks/${String(webhook.id)}`, { body: { status: 'active' } });
			reactivated.push({ id: webhook.id as number, name: webhook.name as string, topic: webhook.topic as string });
			this.logger.warn(
				`WooCommerce Order Poll Trigger: webhook ${String(webhook.id)} "${String(webhook.name)}" was disabled by WooCommerce and is active again; this poll syncs what it missed`,
			);
		}
	} catch (error) {
		this.logger.warn(`WooCommerce Order Poll Trigger: webhook health check failed: ${(error as Error).message}`);
	}
	return reactivated;
}
