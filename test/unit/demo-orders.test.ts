/** The demo store's random orders (test/demo/orders.ts): varied, and their amounts add up as WooCommerce's do. */
import { randomOrder, seededRandom } from '../demo/orders';

const cents = (value: string) => Math.round(Number(value) * 100);
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('demo store orders', () => {
	let nextItemId = 1;
	const orders = Array.from({ length: 300 }, (_, index) =>
		randomOrder({ random: seededRandom(index + 1), nextItemId: () => nextItemId++ }),
	);

	test('every total is lines + shipping + tax, every tax and discount the sum of its lines', () => {
		for (const order of orders) {
			const lines = order.line_items as Array<Record<string, string>>;
			expect(cents(order.cart_tax)).toBe(sum(lines.map((line) => cents(line.total_tax))));
			expect(cents(order.total_tax)).toBe(cents(order.cart_tax) + cents(order.shipping_tax));
			expect(cents(order.discount_total)).toBe(sum(lines.map((line) => cents(line.subtotal) - cents(line.total))));
			expect(cents(order.total)).toBe(
				sum(lines.map((line) => cents(line.total))) + cents(order.shipping_total) + cents(order.total_tax),
			);
			if (order.coupon_lines.length > 0) expect(order.coupon_lines[0].discount).toBe(order.discount_total);
			else expect(order.discount_total).toBe('0.00');
			if (order.tax_lines.length > 0) expect(order.tax_lines[0].tax_total).toBe(order.cart_tax);
			else expect(order.total_tax).toBe('0.00');
		}
	});

	test('guests and returning customers, with and without company, several currencies, coupons and tax rates', () => {
		expect(new Set(orders.map((order) => order.customer_id === 0))).toEqual(new Set([true, false]));
		expect(new Set(orders.map((order) => order.billing.company === ''))).toEqual(new Set([true, false]));
		expect(new Set(orders.map((order) => order.currency))).toEqual(new Set(['EUR', 'USD', 'GBP', 'CAD']));
		expect(new Set(orders.map((order) => order.coupon_lines[0]?.discount_type))).toEqual(
			new Set([undefined, 'percent', 'fixed_cart']),
		);
		expect(new Set(orders.map((order) => order.tax_lines[0]?.rate_percent)).size).toBeGreaterThanOrEqual(5);
	});

	test('a returning customer always orders with the same email, so Zoho finds the contact', () => {
		const emails = new Map<number, Set<string>>();
		for (const order of orders.filter((candidate) => candidate.customer_id > 0)) {
			emails.set(order.customer_id, (emails.get(order.customer_id) ?? new Set()).add(order.billing.email));
		}
		expect(emails.size).toBeGreaterThan(1);
		for (const set of emails.values()) expect(set.size).toBe(1);
	});

	test('item ids are unique across orders', () => {
		const ids = orders.flatMap((order) =>
			['line_items', 'tax_lines', 'shipping_lines', 'coupon_lines'].flatMap((list) =>
				(order[list] as Array<{ id: number }>).map((item) => item.id),
			),
		);
		expect(new Set(ids).size).toBe(ids.length);
	});
});
