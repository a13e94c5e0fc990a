/**
 * Orders of the WooCommerce emulator: orders built from the fixture, and the wc/v3 orders controller
 * (Version2|3/class-wc-rest-orders-*controller.php: collection params, filters, sorting, paging).
 */
import { randomBytes } from 'node:crypto';

import orderFixture from '../../fixtures/woocommerce-order.json';
import {
	formatWooDate,
	isPlainObject,
	paginate,
	requireUser,
	RestFailure,
	siteLocal,
	sortBy,
	validateParams,
	type Reply,
	type RequestContext,
} from './http';
import type { WooOrderRecord, WooStore } from './store';

/** REST enum of v3 order statuses (`any`, `trash` and the registered statuses without `wc-`). */
export const ORDER_STATUS_ENUM = [
	'any',
	'trash',
	'auto-draft',
	'pending',
	'processing',
	'on-hold',
	'completed',
	'cancelled',
	'refunded',
	'failed',
	'checkout-draft',
	'draft',
];

export function deepMerge(target: Record<string, any>, source: Record<string, any>): Record<string, any> {
	for (const [key, value] of Object.entries(source)) {
		if (isPlainObject(value) && isPlainObject(target[key])) {
			deepMerge(target[key], value);
		} else {
			target[key] = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
		}
	}
	return target;
}

/** A deep copy of test/fixtures/woocommerce-order.json, with `overrides` deep-merged (arrays are replaced). */
export function sampleOrder(overrides: object = {}): any {
	const order = JSON.parse(JSON.stringify(orderFixture)) as Record<string, any>;
	return deepMerge(order, overrides as Record<string, any>);
}

/**
 * Stores a new order built from the fixture: next id (728, 729, …) unless `overrides.id` is given, number = id,
 * fresh order key and line-item ids, dates = now (strictly increasing by ≥ 1 s), links pointing at this store.
 * Does not deliver anything. Returns a copy of the stored order.
 */
export function storeOrder(this: WooStore, overrides: object = {}): WooOrderRecord {
	const requested = (overrides as Record<string, unknown>).id;
	const id = typeof requested === 'number' ? requested : this.nextOrderId;
	this.nextOrderId = Math.max(this.nextOrderId, id + 1);
	if (this.orders.some((order) => order.id === id)) throw new Error(`order ${id} already exists`);

	const time = Math.max(Date.now(), this.lastOrderTime + 1000);
	this.lastOrderTime = time;
	const created = new Date(time);
	const orderKey = `wc_order_${randomBytes(8).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 13)}`;
	const order = sampleOrder() as WooOrderRecord;
	order.id = id;
	order.number = String(id);
	order.order_key = orderKey;
	for (const field of ['date_created', 'date_modified', 'date_paid']) {
		order[field] = siteLocal(created);
		order[`${field}_gmt`] = formatWooDate(created);
	}
	for (const list of ['line_items', 'tax_lines', 'shipping_lines', 'fee_lines', 'coupon_lines']) {
		for (const item of order[list] as Array<Record<string, unknown>>) item.id = this.nextItemId++;
	}
	order.payment_url = `${this.url}/checkout/order-pay/${id}/?pay_for_order=true&key=${orderKey}`;
	order._links = orderLinks.call(this, id, order.customer_id as number);
	deepMerge(order, overrides as Record<string, any>);
	this.orders.push(order);
	return JSON.parse(JSON.stringify(order));
}

export function orderLinks(this: WooStore, id: number, customerId: number): Record<string, unknown> {
	const links: Record<string, unknown> = {
		self: [
			{
				href: `${this.url}/wp-json/wc/v3/orders/${id}`,
				targetHints: { allow: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
			},
		],
		collection: [{ href: `${this.url}/wp-json/wc/v3/orders` }],
	};
	if (customerId) links.customer = [{ href: `${this.url}/wp-json/wc/v3/customers/${customerId}` }];
	return links;
}

export function listOrders(this: WooStore, ctx: RequestContext): Reply {
	const args = validateParams(ctx.params, {
		page: { type: 'integer', minimum: 1, default: 1 },
		per_page: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
		offset: { type: 'integer', minimum: 0 },
		order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
		orderby: { type: 'string', enum: ['date', 'id', 'include', 'title', 'slug', 'modified'], default: 'date' },
		status: { type: 'array', enum: ORDER_STATUS_ENUM, default: ['any'] },
		after: { type: 'string', format: 'date-time' },
		before: { type: 'string', format: 'date-time' },
		modified_after: { type: 'string', format: 'date-time' },
		modified_before: { type: 'string', format: 'date-time' },
		dates_are_gmt: { type: 'boolean', default: false },
		// "Limit result set to specific ids." (https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-orders,
		// parameter `include`, type array): a list of ids, given as `include=1,2` or `include[]=1&include[]=2`
		// (wp_parse_id_list); ids the store does not have, or that the status filter leaves out, are simply not listed.
		include: { type: 'array', items: 'integer', default: [] },
		exclude: { type: 'array', items: 'integer', default: [] },
		customer: { type: 'integer', minimum: 0 },
	});
	requireUser(ctx, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
	const statuses: string[] = args.status;
	const gmt = args.dates_are_gmt === true;
	// Simplification: an offset in the date parameter is ignored; the wall-clock time is compared with the
	// site-local column, or the *_gmt column when dates_are_gmt=true. WP date_query after/before is exclusive.
	const wallClock = (value: string) => value.replace(' ', 'T').slice(0, 19);
	const created = (order: WooOrderRecord) => (gmt ? order.date_created_gmt : order.date_created);
	const modified = (order: WooOrderRecord) => (gmt ? order.date_modified_gmt : order.date_modified);
	const items = this.orders.filter((order) => {
		const statusOk = statuses.includes('any')
			? // `any` = post statuses not excluded from search: everything but trash and auto-draft (CPT storage).
				!['trash', 'auto-draft'].includes(order.status) || statuses.includes(order.status)
			: statuses.includes(order.status);
		return (
			statusOk &&
			(args.after === undefined || created(order) > wallClock(args.after)) &&
			(args.before === undefined || created(order) < wallClock(args.before)) &&
			(args.modified_after === undefined || modified(order) > wallClock(args.modified_after)) &&
			(args.modified_before === undefined || modified(order) < wallClock(args.modified_before)) &&
			(args.include.length === 0 || args.include.includes(order.id)) &&
			!args.exclude.includes(order.id) &&
			(args.customer === undefined || order.customer_id === args.customer)
		);
	});
	// date/modified sort appends ID for stable pages (`$args['orderby'] .= ' ID'`); title/slug are not emulated.
	const key = args.orderby === 'id' ? 'id' : args.orderby === 'modified' ? 'date_modified_gmt' : 'date_created_gmt';
	let sorted = sortBy(items, key, args.order);
	if (args.orderby === 'include' && args.include.length > 0) {
		sorted = [...items].sort((a, b) => args.include.indexOf(a.id) - args.include.indexOf(b.id));
	}
	return paginate.call(this,
		sorted.map((order) => JSON.parse(JSON.stringify(order))),
		args.page,
		args.per_page,
		args.offset,
		'/wc/v3/orders',
		ctx.params,
	);
}

export function getOrder(this: WooStore, ctx: RequestContext): Reply {
	requireUser(ctx, 'woocommerce_rest_cannot_view', 'Sorry, you cannot view this resource.');
	const order = this.orders.find((candidate) => candidate.id === Number(ctx.match[1]));
	if (!order) throw new RestFailure(404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');
	return { status: 200, body: order };
}
