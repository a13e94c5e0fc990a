import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	storeKey,
	WOOCOMMERCE_CREDENTIAL,
	WOOCOMMERCE_PAGE_SIZE,
	wooCommerceApiRequest,
} from '../shared/woocommerce/client';
import { withStoreOrder } from './deadLetterRecord';

/**
 * Replayed orders as the store has them now ("Refresh Orders From Store"): a stored dead letter may hold an older
 * version of an order than the one Zoho already has, and replaying it would write the older data back. The orders
 * of this credential's store are read in batches of 100 ids with `GET /orders?include=<ids>&per_page=100`
 * (https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-orders: `include` limits the list to those
 * ids; the default status `any` leaves out trashed orders), and each replaces its stored order. Orders the store no
 * longer lists and orders of another store keep their stored version; the `_deadLetter.storeRefresh` marker says so.
 * A failed request fails the node: replaying stored versions instead could write older data.
 */
export async function refreshFromStore(this: IExecuteFunctions, replayed: IDataObject[]): Promise<IDataObject[]> {
	if (!replayed.length) return [];
	const credentials = await this.getCredentials(WOOCOMMERCE_CREDENTIAL);
	const store = storeKey(credentials.url);
	const fromThisStore = (order: IDataObject) =>
		store !== '' && storeKey((order._woocommerce as IDataObject | undefined)?.source) === store;
	const ids = [
		...new Set(replayed.filter(fromThisStore).flatMap((order) => (isOrderId(order.id) ? [Number(order.id)] : []))),
	];

	const current = new Map<number, IDataObject>();
	for (let first = 0; first < ids.length; first += WOOCOMMERCE_PAGE_SIZE) {
		const batch = ids.slice(first, first + WOOCOMMERCE_PAGE_SIZE);
		// WordPress reads a comma-separated string for an array parameter (wp_parse_list), however n8n serialises arrays
		const orders = (await wooCommerceApiRequest.call(this, 'GET', '/orders', {
			qs: { include: batch.join(','), per_page: WOOCOMMERCE_PAGE_SIZE },
		})) as unknown;
		if (!Array.isArray(orders)) {
			throw new NodeOperationError(this.getNode(), 'WooCommerce answered the order list with something other than a list', {
				description: `GET /orders?include=… for ${batch.length} dead-letter orders`,
			});
		}
		for (const order of orders as IDataObject[]) {
			if (order && isOrderId(order.id) && batch.includes(Number(order.id))) current.set(Number(order.id), order);
		}
	}
	return replayed.map((order) =>
		withStoreOrder(order, isOrderId(order.id) ? current.get(Number(order.id)) : undefined, fromThisStore(order)),
	);
}

function isOrderId(value: unknown): boolean {
	return (typeof value === 'number' || typeof value === 'string') && /^[1-9]\d*$/.test(String(value).trim());
}
