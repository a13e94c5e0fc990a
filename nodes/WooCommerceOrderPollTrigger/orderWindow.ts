import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import { WOOCOMMERCE_PAGE_SIZE, readHeader, wooCommerceApiRequest } from '../shared/woocommerce/client';
import { alreadyEmitted, formatWooGmt, parseWooGmt, type PollCursor } from './pollCursor';

export interface ListedOrder extends IDataObject {
	id: number;
	date_modified_gmt: string;
}

export function isListedOrder(value: unknown): value is ListedOrder {
	return (
		value !== null &&
		typeof value === 'object' &&
		typeof (value as IDataObject).id === 'number' &&
		typeof (value as IDataObject).date_modified_gmt === 'string'
	);
}

/** A key that sorts like WooCommerce's `orderby=modified` (modified date, then ID). */
export interface Keyset {
	time: number;
	id: number;
}

/** The key just before every order modified after `modifiedGmt` (WordPress's `modified_after` is exclusive). */
export function keysetAfter(modifiedGmt: string): Keyset {
	return { time: parseWooGmt(modifiedGmt)!, id: Number.MAX_SAFE_INTEGER };
}

const keyOf = (order: ListedOrder): Keyset => ({ time: parseWooGmt(order.date_modified_gmt) ?? 0, id: order.id });

const after = (order: ListedOrder, keyset: Keyset): boolean => {
	const { time, id } = keyOf(order);
	return time > keyset.time || (time === keyset.time && id > keyset.id);
};

/** Upper bound of list requests in one read, next to the engine's poll budget. */
const MAX_REQUESTS_PER_READ = 200;

export interface OrderWindow {
	/** The previous batch's first emissions, emitted once more (its run may have died). */
	again: ListedOrder[];
	/** Changes not emitted before, oldest first, at most `maxOrders`. */
	fresh: ListedOrder[];
	/** Whether the read stopped before the end of the list (at `maxOrders`, or at its request or time bound). */
	more: boolean;
	/** The key of the last order read: a continuation reads from there. */
	next: Keyset;
	/** X-WP-Total of the first request: the orders WooCommerce counted from `from` on (this read's included). */
	remaining?: number;
}

/**
 * Reads orders after the key `from` by keyset paging: every request asks for the orders from the last one seen
 * onwards (`modified_after` one second before its date, `orderby=modified`, which sorts by modified date then ID —
 * `WC_REST_Orders_V2_Controller::prepare_objects_query()`), and drops what is not after that key. An order
 * modified while we page moves behind the key and is met again later; offset pages would shift and skip the order
 * on a page boundary. Only more than a page of orders sharing one second needs a second page of the same request.
 *
 * The cursor's `unconfirmed` orders (the previous batch's first emissions) come back under `again` — re-read with
 * `include` when they fall outside this window: if the run that got them died, this run syncs them, and if it
 * finished, the Zoho nodes find their versions written and make no Zoho call.
 */
export async function readOrderWindow(
	this: IPollFunctions,
	cursor: PollCursor,
	from: Keyset,
	statusList: string,
	maxOrders: number,
): Promise<OrderWindow> {
	// id → the newest version of the order met in this read (an order changed while we page is met again later)
	const listed = new Map<number, ListedOrder>();
	let freshCount = 0;
	const unconfirmed = new Map(Object.entries(cursor.unconfirmed ?? {}));
	const isRepeat = (order: ListedOrder) => {
		const repeat = unconfirmed.get(String(order.id));
		return repeat !== undefined && parseWooGmt(repeat) === parseWooGmt(order.date_modified_gmt);
	};
	const budgetEnds = Date.now() + Math.max(10_000, (this.getPollBudgetMs?.() ?? 300_000) - 30_000);

	let keyset = from;
	let seen = from;
	let query = formatWooGmt(from.id === Number.MAX_SAFE_INTEGER ? from.time : from.time - 1000);
	let page = 1;
	let remaining: number | undefined;
	let more = true;
	for (let request = 0; request < MAX_REQUESTS_PER_READ && freshCount < maxOrders && Date.now() < budgetEnds; request++) {
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
		if (request === 0) {
			// less what the query's step back of a second counted again (orders up to the key itself)
			const total = Number(readHeader(response.headers, 'x-wp-total'));
			if (Number.isFinite(total)) remaining = total - pageItems.filter((item) => !after(item, from)).length;
		}
		let last: ListedOrder | undefined;
		for (const item of pageItems) {
			if (!after(item, keyset)) continue;
			last = item;
			seen = keyOf(item);
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
		if (pageItems.length < WOOCOMMERCE_PAGE_SIZE && freshCount < maxOrders) {
			more = false;
			break;
		}
		if (last === undefined) {
			// A full page and nothing after the key: more than a page of orders share one second.
			page++;
			continue;
		}
		keyset = keyOf(last);
		query = formatWooGmt(keyset.time - 1000);
		page = 1;
	}

	// The previous batch's first emissions that this window did not meet again: read them by id.
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
	return { again, fresh, more, next: seen, remaining };
}
