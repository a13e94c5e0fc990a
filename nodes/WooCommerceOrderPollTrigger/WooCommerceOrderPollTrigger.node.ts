import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import {
	hasMorePages,
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

/**
 * Reads orders modified after `modifiedAfter`, oldest change first (`orderby=modified` sorts by modified date then
 * ID, WooCommerce `WC_REST_Orders_V2_Controller::prepare_objects_query()`), page by page up to X-WP-TotalPages,
 * skips changes already emitted, stops at `maxOrders`, and moves the cursor past what it emitted.
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
	const fresh: ListedOrder[] = [];
	const seenThisPoll = new Set<number>();
	for (let page = 1; fresh.length < maxOrders; page++) {
		const response = (await wooCommerceApiRequest.call(this, 'GET', '/orders', {
			qs: {
				modified_after: modifiedAfter,
				dates_are_gmt: true,
				orderby: 'modified',
				order: 'asc',
				per_page: WOOCOMMERCE_PAGE_SIZE,
				page,
				status: statusList,
			},
			returnFullResponse: true,
		})) as { body: unknown; headers: unknown };
		const pageItems = Array.isArray(response.body) ? (response.body as unknown[]) : [];
		for (const item of pageItems) {
			if (!isListedOrder(item)) continue;
			// An order modified while we page moves to the end and can show up twice in one poll.
			if (seenThisPoll.has(item.id) || alreadyEmitted(cursor, item.id, item.date_modified_gmt)) continue;
			seenThisPoll.add(item.id);
			fresh.push(item);
			if (fresh.length >= maxOrders) break;
		}
		if (!hasMorePages(response.headers, page, pageItems.length)) break;
	}

	if (fresh.length === 0) return null;
	writeCursor(
		this.getWorkflowStaticData('node'),
		advanceCursor(
			cursor,
			fresh.map((order) => ({ id: order.id, modifiedGmt: order.date_modified_gmt })),
			overlapMinutes,
		),
	);
	return [fresh.map(toItem)];
}
