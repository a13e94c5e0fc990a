import { readFileSync } from 'fs';
import { join } from 'path';
import type { IDataObject } from 'n8n-workflow';

import type { WooLineItem, WooOrder } from '../../nodes/ZohoCrmOrderSync/mapping';
import {
	buildProductRecord,
	buildProductRecords,
	buildSalesOrderRecord,
	checkSalesOrderTotal,
	productCodeFor,
	salesOrderGrandTotal,
	toAmount,
} from '../../nodes/ZohoCrmOrderSync/mapping';
import {
	checkWrittenSalesOrder,
	reconcileOrderedItems,
	type SalesOrderTaxMode,
} from '../../nodes/ZohoCrmOrderSync/mapping/salesOrder';

function loadOrder(name: string): WooOrder {
	return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'orders', `${name}.json`), 'utf8')) as WooOrder;
}

/** Fake Zoho ids for every product code of the order, as the Products upsert would return them. */
function productIdsFor(order: WooOrder): Record<string, string> {
	const ids: Record<string, string> = {};
	buildProductRecords(order).forEach((product, index) => {
		ids[product.Product_Code as string] = `57257670000005${String(index).padStart(5, '0')}`;
	});
	return ids;
}

function salesOrderFor(order: WooOrder, taxMode: SalesOrderTaxMode = 'adjustment'): IDataObject {
	return buildSalesOrderRecord(
		order,
		{ Contact_Id: '5725767000000419002', Status: 'Created', taxMode },
		productIdsFor(order),
		'WooCommerce_Order_ID',
	);
}

function rows(record: IDataObject): IDataObject[] {
	return record.Ordered_Items as IDataObject[];
}

const CONSISTENT_FIXTURES = [
	'main-sample',
	'guest-no-company',
	'no-last-name',
	'no-names',
	'entities-unicode',
	'prices-include-tax',
	'coupons',
	'fees',
	'refunds',
	'eur-multicurrency',
	'variations-no-sku',
];

describe('productCodeFor', () => {
	const base: WooLineItem = {
		id: 9,
		name: 'x',
		product_id: 22,
		variation_id: 0,
		quantity: 1,
		subtotal: '1.00',
		subtotal_tax: '0.00',
		total: '1.00',
		total_tax: '0.00',
		sku: null,
		price: 1,
	};

	it('uses the SKU when there is one', () => {
		expect(productCodeFor({ ...base, sku: ' Bar3 ', variation_id: 23 })).toBe('Bar3');
	});

	it('uses wc-<variation_id> for a variation without SKU ("" or null)', () => {
		expect(productCodeFor({ ...base, sku: '', variation_id: 23 })).toBe('wc-23');
		expect(productCodeFor({ ...base, sku: null, variation_id: 23 })).toBe('wc-23');
	});

	it('uses wc-<product_id> for a simple product without SKU, and the line id for a deleted product', () => {
		expect(productCodeFor({ ...base, sku: '  ' })).toBe('wc-22');
		expect(productCodeFor({ ...base, product_id: 0 })).toBe('wc-item-9');
	});

	it('gives a WooCommerce product (no product_id) wc-<id>, the code its order lines get', () => {
		expect(productCodeFor({ id: 22, sku: '' })).toBe(productCodeFor(base));
		expect(productCodeFor({ name: 'no id' } as never)).toBe('');
	});
});

describe('buildProductRecord (Product operation)', () => {
	it('falls back to productCodeFor when the Product Code parameter is empty, as the Sales Order operation does', () => {
		const deleted = { ...base(), product_id: 0 };
		expect(buildProductRecord({ Product_Name: 'Mug', Product_Code: '', Unit_Price: '4.5' }, deleted)).toEqual({
			Product_Name: 'Mug',
			Product_Code: 'wc-item-9',
			Unit_Price: 4.5,
			Product_Active: true,
		});
		expect(buildProductRecords({ ...loadOrder('main-sample'), line_items: [deleted] })[0].Product_Code).toBe('wc-item-9');
		expect(buildProductRecord({ Product_Name: 'Gift wrap', Product_Code: '' })).toEqual({
			Product_Name: 'Gift wrap',
			Product_Active: true,
		});
	});

	function base(): WooLineItem {
		return { id: 9, name: 'x', product_id: 22, variation_id: 0, quantity: 1, subtotal: '1.00', subtotal_tax: '0.00', total: '1.00', total_tax: '0.00', sku: null, price: 1 };
	}
});

describe('buildProductRecords', () => {
	it('makes one record per product with the decoded name and the ex-tax unit price before discounts', () => {
		expect(buildProductRecords(loadOrder('main-sample'))).toEqual([
			{ Product_Name: 'Woo Single #1', Product_Code: 'wc-93', Unit_Price: 3, Product_Active: true },
			{
				Product_Name: 'Ship Your Idea – Color: Black, Size: M Test',
				Product_Code: 'Bar3',
				Unit_Price: 12,
				Product_Active: true,
			},
		]);
	});

	it('dedupes by product code: variations without SKU, a repeated variation, a deleted product', () => {
		expect(buildProductRecords(loadOrder('variations-no-sku'))).toEqual([
			{ Product_Name: 'T-Shirt - Blue, M', Product_Code: 'wc-51', Unit_Price: 20, Product_Active: true },
			{ Product_Name: 'T-Shirt - Red, L', Product_Code: 'wc-52', Unit_Price: 20, Product_Active: true },
			{ Product_Name: 'Sticker', Product_Code: 'wc-60', Unit_Price: 1.5, Product_Active: true },
			{ Product_Name: 'Discontinued Poster', Product_Code: 'wc-item-2095', Unit_Price: 7, Product_Active: true },
		]);
	});

	it('uses ex-tax prices when the shop enters prices including tax', () => {
		expect(buildProductRecords(loadOrder('prices-include-tax')).map((p) => p.Unit_Price)).toEqual([16.66, 3.75]);
	});
});

describe('buildSalesOrderRecord', () => {
	it('maps the main sample order to the exact Sales Order record', () => {
		const order = loadOrder('main-sample');
		const record = buildSalesOrderRecord(
			order,
			{
				Subject: 'WooCommerce Order #727',
				Status: 'Created',
				Contact_Id: '5725767000000419002',
				Account_Id: '5725767000000419001',
				Deal_Id: '5725767000000419003',
				Description: 'Paid by bank transfer',
				customFields: { Channel: 'Web', Empty: '' },
			},
			{ 'wc-93': '5725767000000500001', Bar3: '5725767000000500002' },
			'WooCommerce_Order_ID',
		);
		expect(record).toEqual({
			Subject: 'WooCommerce Order #727',
			Status: 'Created',
			Contact_Name: { id: '5725767000000419002' },
			Account_Name: { id: '5725767000000419001' },
			Deal_Name: { id: '5725767000000419003' },
			Description: 'Paid by bank transfer',
			Billing_Street: '969 Market, Suite 400',
			Billing_City: 'San Francisco',
			Billing_State: 'CA',
			Billing_Code: '94103',
			Billing_Country: 'US',
			Shipping_Street: '969 Market, Suite 400',
			Shipping_City: 'San Francisco',
			Shipping_State: 'CA',
			Shipping_Code: '94103',
			Shipping_Country: 'US',
			Ordered_Items: [
				{
					Product_Name: { id: '5725767000000500001' },
					Quantity: 2,
					List_Price: 3,
					Discount: 0,
					Description: 'Woo Single #1',
				},
				{
					Product_Name: { id: '5725767000000500002' },
					Quantity: 1,
					List_Price: 12,
					Discount: 0,
					Description: 'Ship Your Idea – Color: Black, Size: M Test',
				},
			],
			// default Taxes = Add to Adjustment: shipping 10 + the lines' tax 0.45 + 0.90
			Adjustment: 11.35,
			Channel: 'Web',
			WooCommerce_Order_ID: '727',
		});
	});

	it('puts each coupon share into its line Discount (percent and fixed-cart coupons)', () => {
		const record = salesOrderFor(loadOrder('coupons'));
		expect(rows(record).map(({ Quantity, List_Price, Discount }) => ({ Quantity, List_Price, Discount }))).toEqual([
			{ Quantity: 2, List_Price: 25, Discount: 8.13 },
			{ Quantity: 1, List_Price: 30, Discount: 4.87 },
		]);
		// shipping 5 + line tax 4.19 + 2.51
		expect(record.Adjustment).toBe(11.7);
	});

	it('uses ex-tax line amounts when prices include tax (REST v3 subtotal/total exclude tax)', () => {
		const record = salesOrderFor(loadOrder('prices-include-tax'));
		expect(rows(record).map(({ Quantity, List_Price, Discount }) => ({ Quantity, List_Price, Discount }))).toEqual([
			{ Quantity: 2, List_Price: 16.66, Discount: 0 },
			{ Quantity: 3, List_Price: 3.75, Discount: 0 },
		]);
		// shipping 3.95 + line tax 6.66 + 2.25
		expect(record.Adjustment).toBe(12.86);
	});

	it('rounds List_Price up to the cent and keeps the line exact through Discount (25.18 / 3)', () => {
		const record = salesOrderFor(loadOrder('eur-multicurrency'));
		expect(rows(record)[0]).toMatchObject({ Quantity: 3, List_Price: 8.4, Discount: 0.02 });
		expect(record.Adjustment).toBe(10.62);
	});

	it('puts shipping and fees (positive and negative, with their tax) into Adjustment', () => {
		// 4.00 shipping + 0.40 tax + 3.00 gift wrap + 0.30 tax − 5.00 loyalty discount (+ 4.00 line tax by default)
		expect(salesOrderFor(loadOrder('fees'), 'orgTaxes').Adjustment).toBe(2.7);
		expect(salesOrderFor(loadOrder('fees')).Adjustment).toBe(6.7);
	});

	it('Taxes = Zoho Taxes by Name: each taxed line names the WooCommerce rate (label, rate_percent); tax stays out of Adjustment', () => {
		const record = salesOrderFor(loadOrder('main-sample'), 'orgTaxes');
		expect(rows(record).map((row) => row.Line_Tax)).toEqual([
			[{ name: 'State Tax', percentage: 7.5 }],
			[{ name: 'State Tax', percentage: 7.5 }],
		]);
		expect(rows(record).every((row) => !('Tax' in row))).toBe(true);
		expect(record.Adjustment).toBe(10);
		// an untaxed line gets an empty Line_Tax (clears a tax an older version of the row had)
		expect(rows(salesOrderFor(loadOrder('refunds'), 'orgTaxes')).map((row) => row.Line_Tax)).toEqual([[]]);
		// a rate that is not in tax_lines has no name to send
		const order = loadOrder('main-sample');
		expect(() => salesOrderFor({ ...order, tax_lines: [] }, 'orgTaxes')).toThrow('tax rate 75 is not in the order');
	});

	it('links every line to the Zoho product of its code, variations included', () => {
		const order = loadOrder('variations-no-sku');
		const ids = productIdsFor(order);
		expect(rows(salesOrderFor(order)).map((row) => row.Product_Name)).toEqual([
			{ id: ids['wc-51'] },
			{ id: ids['wc-52'] },
			{ id: ids['wc-51'] },
			{ id: ids['wc-60'] },
			{ id: ids['wc-item-2095'] },
		]);
	});

	it('leaves out empty addresses (virtual goods) and defaults the Subject', () => {
		const record = salesOrderFor(loadOrder('no-names'));
		expect(record.Subject).toBe('WooCommerce Order #1003');
		expect(Object.keys(record).filter((key) => key.startsWith('Shipping_'))).toEqual([]);
		expect(record.Billing_Country).toBe('US');
		expect(record).not.toHaveProperty('Billing_Street');
	});

	it('sends only whole cents to Zoho', () => {
		for (const name of CONSISTENT_FIXTURES) {
			const record = salesOrderFor(loadOrder(name));
			const amounts = [record.Adjustment, ...rows(record).flatMap((row) => [row.List_Price, row.Discount])];
			for (const amount of amounts) {
				expect(typeof amount).toBe('number');
				expect(Math.round((amount as number) * 100) / 100).toBe(amount);
			}
		}
	});

	it('throws when a product id is missing or the order has no line items', () => {
		const order = loadOrder('main-sample');
		expect(() => buildSalesOrderRecord(order, {}, { 'wc-93': '1' }, 'WooCommerce_Order_ID')).toThrow(
			'no Zoho product id for product code "Bar3"',
		);
		expect(() => buildSalesOrderRecord({ ...order, line_items: [] }, {}, {}, 'WooCommerce_Order_ID')).toThrow(
			'has no line items',
		);
	});

	it('keeps the order id field over custom fields', () => {
		const order = loadOrder('main-sample');
		const record = buildSalesOrderRecord(
			order,
			{ customFields: { WooCommerce_Order_ID: 'other' } },
			productIdsFor(order),
			'WooCommerce_Order_ID',
		);
		expect(record.WooCommerce_Order_ID).toBe('727');
	});
});

describe('salesOrderGrandTotal', () => {
	it('applies Zoho\'s formula: line tax from Line_Tax percentages on the line after discount; a plain Tax amount is ignored', () => {
		// (10 × 3 − 1) = 29 + 10 % = 2.9 → 31.9; (2.5 × 2) = 5, its Tax amount is not Zoho's → 5; − 0.5 discount − 2 adjustment
		expect(
			salesOrderGrandTotal({
				Ordered_Items: [
					{ List_Price: 10, Quantity: 3, Discount: 1, Line_Tax: [{ name: 'T', percentage: 10 }] },
					{ List_Price: 2.5, Quantity: 2, Tax: 0.5 },
					{ id: '1', _delete: null },
				],
				Discount: 0.5,
				Adjustment: -2,
			}),
		).toBe(34.4);
		expect(salesOrderGrandTotal({})).toBe(0);
	});
});

describe('reconcileOrderedItems (Zoho appends rows sent without an id)', () => {
	const existing = [
		{ id: 'r1', Product_Name: { id: 'p1', name: 'A' }, Quantity: 2 },
		{ id: 'r2', Product_Name: { id: 'p2', name: 'B' }, Quantity: 1 },
		{ id: 'r3', Product_Name: { id: 'p1', name: 'A' }, Quantity: 1 },
	];

	it('gives each current line the id of an old row of its product, and deletes old rows left over', () => {
		const rows = [
			{ Product_Name: { id: 'p1' }, Quantity: 3 },
			{ Product_Name: { id: 'p3' }, Quantity: 1 },
		];
		expect(reconcileOrderedItems(rows, existing)).toEqual([
			{ id: 'r1', Product_Name: { id: 'p1' }, Quantity: 3, Line_Tax: [] },
			{ Product_Name: { id: 'p3' }, Quantity: 1 },
			{ id: 'r2', _delete: null },
			{ id: 'r3', _delete: null },
		]);
	});

	it('a first write sends the rows as they are', () => {
		const rows = [{ Product_Name: { id: 'p1' }, Quantity: 1, Line_Tax: [{ name: 'T', percentage: 5 }] }];
		expect(reconcileOrderedItems(rows, [])).toEqual(rows);
	});
});

describe('checkWrittenSalesOrder (after the write, on what Zoho stored)', () => {
	const order = loadOrder('main-sample');
	const stored = (Grand_Total: number, rowCount = 2): IDataObject => ({ id: '42', Grand_Total, Ordered_Items: Array.from({ length: rowCount }, (_, index) => ({ id: String(index) })) });

	it('passes when Zoho\'s Grand_Total is the order total and every line is one row', () => {
		expect(checkWrittenSalesOrder(order, stored(29.35))).toEqual({ ok: true });
	});

	it('names both totals, and the row count when rows piled up', () => {
		const result = checkWrittenSalesOrder(order, stored(58.7, 4));
		expect(result).toMatchObject({ ok: false, orderTotal: 29.35, zohoTotal: 58.7 });
		if (result.ok) throw new Error('expected a mismatch');
		expect(result.message).toContain('totals 29.35 USD');
		expect(result.message).toContain('Grand_Total of 58.70 USD for the Sales Order 42');
		expect(result.message).toContain('4 line item row(s) for the order\'s 2 line item(s)');
		expect(checkWrittenSalesOrder(order, stored(29.35, 3)).ok).toBe(false);
		expect(checkWrittenSalesOrder(order, { id: '42' })).toMatchObject({ ok: false, zohoTotal: null });
	});
});

describe('checkSalesOrderTotal', () => {
	it.each(CONSISTENT_FIXTURES)('%s: the Zoho Sales Order total equals the order total to the cent', (name) => {
		const order = loadOrder(name);
		const record = salesOrderFor(order);
		expect(salesOrderGrandTotal(record)).toBe(toAmount(order.total));
		expect(checkSalesOrderTotal(order, record)).toEqual({ ok: true });
	});

	it('does not subtract refunds: the Sales Order is the order as placed', () => {
		const order = loadOrder('refunds');
		expect(salesOrderGrandTotal(salesOrderFor(order))).toBe(30);
	});

	it('Taxes = Zoho Taxes by Name: Zoho rounds each line\'s tax, so an order WooCommerce rounded differently is reported before the write', () => {
		expect(checkSalesOrderTotal(loadOrder('main-sample'), salesOrderFor(loadOrder('main-sample'), 'orgTaxes'))).toEqual({ ok: true });
		// 25.18 × 19 % = 4.7842 → Zoho 4.78, WooCommerce 4.79
		expect(checkSalesOrderTotal(loadOrder('eur-multicurrency'), salesOrderFor(loadOrder('eur-multicurrency'), 'orgTaxes'))).toMatchObject({
			ok: false,
			orderTotal: 35.8,
			zohoTotal: 35.79,
		});
	});

	it('reports a real mismatch (tax rounded at subtotal level) with both totals', () => {
		const order = loadOrder('tax-rounding-mismatch');
		const result = checkSalesOrderTotal(order, salesOrderFor(order));
		expect(result).toEqual({ ok: false, orderTotal: 20.79, zohoTotal: 20.8, message: expect.any(String) });
		if (result.ok) throw new Error('expected a mismatch');
		expect(result.message).toContain('WooCommerce order #1012 totals 20.79 USD');
		expect(result.message).toContain('Zoho Sales Order would total 20.80 USD');
		expect(result.message).toContain('difference 0.01 USD');
	});

	it('does not hide a one-cent difference in Adjustment', () => {
		const order = loadOrder('fees');
		const record = salesOrderFor(order);
		order.total = '46.71'; // e.g. a plugin filtered the total
		const result = checkSalesOrderTotal(order, record);
		expect(result.ok).toBe(false);
		expect(record.Adjustment).toBe(6.7);
		expect(result).toMatchObject({ orderTotal: 46.71, zohoTotal: 46.7 });
	});
});
