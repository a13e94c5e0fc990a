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
import {
	advanceCursor,
	alreadyEmitted,
	formatWooGmt,
	parseStartFrom,
	parseWooGmt,
	readCursor,
	windowStart,
	writeCursor,
	type PollCursor,
} from './pollCursor';

export const DEFAULT_POLL_STATUSES = ['pending', 'processing', 'on-hold', 'completed'];

interface ListedOrder extends IDataObject {
	id: number;
	date_modified_gmt: string;
}

function isListedOrder(value: unknown): value is ListedOrder {
	return (
		value !== null &&
		typeof value === 'object' &&
		typeof (value as IDataObject).id === 'number' &&
		typeof (value as IDataObject).date_modified_gmt === 'string'
	);
}

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
							'Upper limit of orders one poll emits; the rest follow on the next polls, oldest first',
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

		const staticData = this.getWorkflowStaticData('node');
		let cursor: PollCursor | undefined = readCursor(staticData);
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
			return await pollWindow.call(this, cursor, formatWooGmt(start), statusList, overlapMinutes, maxOrders, toItem);
		}
		return await pollWindow.call(
			this,
			cursor,
			windowStart(cursor, overlapMinutes),
			statusList,
			overlapMinutes,
			maxOrders,
			toItem,
		);
	}
}

/** A key that sorts like WooCommerce's `orderby=modified` (modified date, then ID). */
interface Keyset {
	time: number;
	id: number;
}

const after = (order: ListedOrder, keyset: Keyset): boolean => {
	const time = parseWooGmt(order.date_modified_gmt) ?? 0;
	return time > keyset.time || (time === keyset.time && order.id > keyset.id);
};

/** Upper bound of list requests in one poll, next to the engine's poll budget. */
const MAX_REQUESTS_PER_POLL = 200;

/**
 * Reads orders modified after `modifiedAfter` by keyset paging: every request asks for the orders from the last
 * one seen onwards (`modified_after` one second before its date, `orderby=modified`, which sorts by modified date
 * then ID — `WC_REST_Orders_V2_Controller::prepare_objects_query()`), and drops what is not after that key. An
 * order modified while we page moves behind the key and is met again later; offset pages would shift and skip
 * the order on a page boundary. Only more than a page of orders sharing one second needs a second page of the
 * same request.
 *
 * The orders the previous poll emitted for the first time are emitted once more (re-read with `include` when they
 * fall outside this window): if the run that got them died, this run syncs them, and if it finished, the Zoho
 * nodes find their versions written and make no Zoho call.
 */
async function pollWindow(
	this: IPollFunctions,
	cursor: PollCursor,
	modifiedAfter: string,
	statusList: string,
	overlapMinutes: number,
	maxOrders: number,
	toItem: (order: IDataObject) => INodeExecutionData,
): Promise<INodeExecutionData[][] | null> {
	// id → the newest version of the order met in this poll (an order changed while we page is met again later)
	const listed = new Map<number, ListedOrder>();
	let freshCount = 0;
	const unconfirmed = new Map(Object.entries(cursor.unconfirmed ?? {}));
	const isRepeat = (order: ListedOrder) => {
		const repeat = unconfirmed.get(String(order.id));
		return repeat !== undefined && parseWooGmt(repeat) === parseWooGmt(order.date_modified_gmt);
	};
	const budgetEnds = Date.now() + Math.max(10_000, (this.getPollBudgetMs?.() ?? 300_000) - 30_000);

	let keyset: Keyset = { time: parseWooGmt(modifiedAfter)!, id: Number.MAX_SAFE_INTEGER };
	let query = modifiedAfter;
	let page = 1;
	for (let request = 0; request < MAX_REQUESTS_PER_POLL && freshCount < maxOrders && Date.now() < budgetEnds; request++) {
		const response = (await wooCommerceApiRequest.call(this, 'GET', '/orders', {
			qs: {
				modified_after: query,
				dates_are_gmt: true,
				orderby: 'modified',
				order: 'asc',
				per_page: WOOCOMMERCE_PAGE_SIZE,
				page,
				status: statusList,
			},
			returnFullResponse: true,
		})) as { body: unknown; headers: unknown };
		const pageItems = (Array.isArray(response.body) ? (response.body as unknown[]) : []).filter(isListedOrder);
		let last: ListedOrder | undefined;
		for (const item of pageItems) {
			if (!after(item, keyset)) continue;
			last = item;
			const earlier = listed.get(item.id);
			if (earlier && (parseWooGmt(earlier.date_modified_gmt) ?? 0) >= (parseWooGmt(item.date_modified_gmt) ?? 0)) continue;
			if (!earlier && !unconfirmed.has(String(item.id)) && alreadyEmitted(cursor, item.id, item.date_modified_gmt)) {
				continue;
			}
			// the newest version wins, so the Zoho nodes get the order as it is now
			if (!isRepeat(item) && (!earlier || isRepeat(earlier))) freshCount++;
			listed.delete(item.id);
			listed.set(item.id, item);
			if (freshCount >= maxOrders) break;
		}
		if (pageItems.length < WOOCOMMERCE_PAGE_SIZE) break;
		if (last === undefined) {
			// A full page and nothing after the key: more than a page of orders share one second.
			page++;
			continue;
		}
		keyset = { time: parseWooGmt(last.date_modified_gmt)!, id: last.id };
		query = formatWooGmt(keyset.time - 1000);
		page = 1;
	}

	// The previous poll's first emissions that this window did not meet again: read them by id.
	const again = [...listed.values()].filter(isRepeat);
	const fresh = [...listed.values()].filter((order) => !isRepeat(order));
	const missing = [...unconfirmed.keys()].map(Number).filter((id) => Number.isInteger(id) && !listed.has(id));
	for (let start = 0; start < missing.length; start += WOOCOMMERCE_PAGE_SIZE) {
		const ids = missing.slice(start, start + WOOCOMMERCE_PAGE_SIZE);
		const orders = (await wooCommerceApiRequest.call(this, 'GET', '/orders', {
			qs: { include: ids.join(','), per_page: WOOCOMMERCE_PAGE_SIZE, status: statusList },
		})) as unknown;
		for (const order of Array.isArray(orders) ? orders : []) {
			if (isListedOrder(order) && !listed.has(order.id)) {
				listed.set(order.id, order);
				again.push(order);
			}
		}
	}

	const health = await checkWebhookHealth.call(this);
	const next = advanceCursor(
		cursor,
		fresh.map((order) => ({ id: order.id, modifiedGmt: order.date_modified_gmt })),
		overlapMinutes,
	);
	next.unconfirmed = Object.fromEntries(fresh.map((order) => [String(order.id), order.date_modified_gmt]));
	writeCursor(this.getWorkflowStaticData('node'), next);
	const emitted = [...again, ...fresh];
	if (emitted.length === 0) return null;
	return [
		emitted.map((order) => {
			const item = toItem(order);
			const provenance = item.json._woocommerce as IDataObject;
			provenance.reemitted = again.includes(order);
			if (health.length) provenance.webhooksReactivated = health;
			return item;
		}),
	];
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
