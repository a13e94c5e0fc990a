import type { IDataObject } from 'n8n-workflow';

import { contactStreet } from './contact';
import { forField, lookupId, mergeCustomFields, setIfPresent, type ModuleField } from './common';
import { formatAmount, fromCents, toAmount, toCents } from './money';
import { buildProductRecord, productCodeFor } from './product';
import { cleanMultilineText, cleanText } from './text';
import type { WooLineItem, WooOrder } from './wooOrder';

/*
 * How a WooCommerce order becomes a Zoho Sales Order whose Grand_Total equals order.total to the cent.
 *
 * Zoho computes (Zoho CRM inventory line items; the project's emulator computes exactly this):
 *   line Total                = List_Price × Quantity
 *   line Total_After_Discount = Total − Discount
 *   line Tax                  = Total_After_Discount × Σ Line_Tax percentages / 100   (org taxes, by name)
 *   line Net_Total            = Total_After_Discount + Tax
 *   Sub_Total                 = Σ Net_Total
 *   Grand_Total               = Sub_Total − Discount + Tax (order-level taxes; we send none) + Adjustment
 * A plain Tax amount on a line is not documented to be kept, so we never rely on it.
 *
 * WooCommerce REST v3 line items carry subtotal (before coupons) and total (after coupons), both EXCLUDING
 * tax even when the shop enters prices including tax: WC_Cart_Totals::calculate_item_subtotals() subtracts
 * the (unrounded) taxes from inclusive prices before storing line_subtotal/line_total, and the REST
 * controller only formats them to dp decimals (reference woocommerce-webhooks.md §6).
 *
 *   List_Price = subtotal / quantity, rounded UP to the cent
 *   Discount   = List_Price × Quantity − total   (the coupon share of the line, plus the sub-cent rounding
 *                of List_Price when subtotal is not divisible by quantity, e.g. 25.18 / 3 → 8.40, Discount 0.02)
 *   Adjustment = shipping_total + shipping_tax + Σ fee (total + total_tax)   (fees may be negative)
 *
 * Taxes reach Zoho one of two ways (the node's "Taxes" option):
 *   'adjustment' (default) — every line's total_tax is added to Adjustment; lines carry no tax. Exact to the cent in
 *                any org, but Zoho's tax fields stay 0.
 *   'orgTaxes'             — each line gets Line_Tax [{name, percentage}] from the order's tax_lines (label and
 *                rate_percent); the org must define taxes with those names. Zoho then computes each line's tax
 *                itself, which can differ by a cent from WooCommerce's (rounding per line vs per order): the
 *                checks before and after the write report that instead of hiding it.
 * Each line's List_Price × Quantity − Discount is exactly WooCommerce's line total. Nothing else goes into
 * Adjustment: when WooCommerce's own total differs from the sum of its rounded parts, checkSalesOrderTotal says so.
 */

export type SalesOrderTaxMode = 'adjustment' | 'orgTaxes';

/** Line-item description limit (Zoho Multi Line). */
const LINE_DESCRIPTION_MAX_LENGTH = 2000;

function lineName(line: WooLineItem): string {
	return cleanText(line.name) ?? cleanText(line.parent_name) ?? productCodeFor(line);
}

interface LinePricing {
	quantity: number;
	listPriceCents: number;
	discountCents: number;
	/** WooCommerce's total_tax of the line. */
	taxCents: number;
}

function lineLabel(line: WooLineItem): string {
	return `Line item ${line.id} (${lineName(line)})`;
}

function priceLine(line: WooLineItem): LinePricing {
	const quantity = Number(line.quantity);
	if (!Number.isFinite(quantity) || quantity <= 0) {
		throw new Error(`${lineLabel(line)}: quantity must be above 0, got ${String(line.quantity)}`);
	}
	const subtotalCents = forField(`${lineLabel(line)} subtotal`, () => toCents(line.subtotal));
	const totalCents = forField(`${lineLabel(line)} total`, () => toCents(line.total));
	const taxCents = forField(`${lineLabel(line)} total_tax`, () => toCents(line.total_tax));
	const listPriceCents = Math.ceil(subtotalCents / quantity);
	// Zoho multiplies List_Price by Quantity; with a whole quantity this is exact in cents.
	const grossCents = Math.round(listPriceCents * quantity);
	return { quantity, listPriceCents, discountCents: grossCents - totalCents, taxCents };
}

/**
 * One Zoho Products record per distinct product code, in order of first appearance, to upsert before the
 * Sales Order (Ordered_Items needs Product_Name: { id }). Unit_Price is the ex-tax unit price before
 * discounts (line subtotal / quantity, as List_Price).
 */
export function buildProductRecords(order: WooOrder): IDataObject[] {
	const products = new Map<string, IDataObject>();
	for (const line of order.line_items ?? []) {
		const code = productCodeFor(line);
		if (products.has(code)) continue;
		products.set(
			code,
			buildProductRecord({
				Product_Name: lineName(line),
				Product_Code: code,
				Unit_Price: fromCents(priceLine(line).listPriceCents),
			}),
		);
	}
	return [...products.values()];
}

/** Values of the Sales Order mapping, as the node evaluated them for one order (API names of Sales_Orders). */
export interface SalesOrderFieldValues {
	Subject?: unknown;
	Status?: unknown;
	/** Id of the Contact upserted for this order → Contact_Name lookup. */
	Contact_Id?: unknown;
	/** Id of the Account upserted for this order → Account_Name lookup. */
	Account_Id?: unknown;
	/** Id of a Deal for this order, if one was created → Deal_Name lookup. */
	Deal_Id?: unknown;
	Description?: unknown;
	/** ISO code, only sent when multi-currency is on in the org (Enterprise and up); left out when empty. */
	Currency?: unknown;
	/** Further Zoho fields by API name; merged last, empty values dropped. */
	customFields?: Record<string, unknown>;
	/** How taxes reach Zoho (see the top of this file); default 'adjustment'. */
	taxMode?: SalesOrderTaxMode;
}

/**
 * Line_Tax for a line in 'orgTaxes' mode: one entry per WooCommerce tax rate that taxed the line, named by the order's
 * tax_lines label with its rate_percent. A line taxed by a rate missing from tax_lines cannot be mapped: it throws.
 */
function lineTaxes(order: WooOrder, line: WooLineItem): IDataObject[] {
	const taxes: IDataObject[] = [];
	for (const tax of line.taxes ?? []) {
		if (toCents(tax.total) === 0 && toCents(tax.subtotal ?? '0') === 0) continue;
		const rate = (order.tax_lines ?? []).find((candidate) => Number(candidate.rate_id) === Number(tax.id));
		const name = rate ? cleanText(rate.label) : undefined;
		const percentage = rate ? toAmount(rate.rate_percent) : undefined;
		if (!name || percentage === undefined) {
			throw new Error(`${lineLabel(line)}: tax rate ${String(tax.id)} is not in the order's tax_lines, so its Zoho tax name is unknown`);
		}
		taxes.push({ name, percentage });
	}
	return taxes;
}

function setAddress(record: IDataObject, prefix: 'Billing' | 'Shipping', address: WooOrder['billing']): void {
	if (!address) return;
	setIfPresent(record, `${prefix}_Street`, cleanText(contactStreet(address)));
	setIfPresent(record, `${prefix}_City`, cleanText(address.city));
	setIfPresent(record, `${prefix}_State`, cleanText(address.state));
	setIfPresent(record, `${prefix}_Code`, cleanText(address.postcode));
	setIfPresent(record, `${prefix}_Country`, cleanText(address.country));
}

/** shipping + shipping tax + every fee with its tax (+ every line's tax in 'adjustment' mode), in cents. */
function adjustmentCents(order: WooOrder, taxMode: SalesOrderTaxMode): number {
	let cents =
		forField('shipping_total', () => toCents(order.shipping_total)) +
		forField('shipping_tax', () => toCents(order.shipping_tax));
	for (const fee of order.fee_lines ?? []) {
		cents += forField(`Fee ${String(fee.id)} total`, () => toCents(fee.total));
		cents += forField(`Fee ${String(fee.id)} total_tax`, () => toCents(fee.total_tax));
	}
	if (taxMode === 'adjustment') for (const line of order.line_items ?? []) cents += priceLine(line).taxCents;
	return cents;
}

/**
 * The Zoho Sales_Orders record for one order (see the formula at the top of this file).
 * productIds maps each productCodeFor() code to the Zoho Product id from the Products upsert; a missing
 * id throws, as does an order without line items (Ordered_Items is mandatory).
 * orderIdField (e.g. WooCommerce_Order_ID) gets the order id (the node's Order ID parameter, else order.id) and is
 * set after the custom fields, as for deals. salesOrderFields is the org's Sales_Orders field metadata:
 * Currency is only sent when it has that field (without it, a multi-currency org would record a EUR order in
 * its home currency; without multi-currency Zoho refuses the field). Without it, values are sent as given.
 */
export function buildSalesOrderRecord(
	order: WooOrder,
	values: SalesOrderFieldValues,
	productIds: Record<string, string>,
	orderIdField: string,
	orderId: string | number = order.id,
	salesOrderFields?: readonly ModuleField[],
): IDataObject {
	const currency =
		salesOrderFields && !salesOrderFields.some((field) => field.api_name === 'Currency') ? undefined : values.Currency;
	const orderLabel = `WooCommerce Order #${cleanText(order.number) ?? order.id}`;
	const taxMode = values.taxMode ?? 'adjustment';
	const lines = order.line_items ?? [];
	if (lines.length === 0) {
		throw new Error(`${orderLabel} has no line items; a Zoho Sales Order needs at least one (Ordered_Items)`);
	}

	const orderedItems: IDataObject[] = lines.map((line) => {
		const code = productCodeFor(line);
		const productId = productIds[code];
		if (typeof productId !== 'string' || productId.trim() === '') {
			throw new Error(`${lineLabel(line)}: no Zoho product id for product code "${code}"`);
		}
		const pricing = priceLine(line);
		const row: IDataObject = {
			Product_Name: { id: productId.trim() },
			Quantity: pricing.quantity,
			List_Price: fromCents(pricing.listPriceCents),
			Discount: fromCents(pricing.discountCents),
		};
		if (taxMode === 'orgTaxes') row.Line_Tax = lineTaxes(order, line);
		setIfPresent(row, 'Description', cleanText(line.name, LINE_DESCRIPTION_MAX_LENGTH));
		return row;
	});

	const record: IDataObject = {
		Subject: forField('Subject', () => cleanText(values.Subject)) ?? orderLabel,
	};
	setIfPresent(record, 'Status', forField('Status', () => cleanText(values.Status)));
	setIfPresent(record, 'Contact_Name', lookupId('Contact_Name', values.Contact_Id));
	setIfPresent(record, 'Account_Name', lookupId('Account_Name', values.Account_Id));
	setIfPresent(record, 'Deal_Name', lookupId('Deal_Name', values.Deal_Id));
	setIfPresent(record, 'Description', forField('Description', () => cleanMultilineText(values.Description)));
	setIfPresent(record, 'Currency', forField('Currency', () => cleanText(currency)?.toUpperCase()));
	setAddress(record, 'Billing', order.billing);
	setAddress(record, 'Shipping', order.shipping);
	record.Ordered_Items = orderedItems;
	record.Adjustment = fromCents(adjustmentCents(order, taxMode));

	mergeCustomFields(record, values.customFields);
	const idField = orderIdField.trim();
	if (idField !== '') record[idField] = String(orderId);
	return record;
}

function centsOf(record: IDataObject, key: string): number {
	return forField(key, () => toCents(record[key]));
}

const percentSum = (taxes: unknown): number =>
	(Array.isArray(taxes) ? (taxes as IDataObject[]) : []).reduce((sum, tax) => sum + (toAmount(tax.percentage) ?? 0), 0);

/** Zoho's rounding of a computed amount to the cent (half away from zero). */
const roundToCent = (amount: number): number => Math.sign(amount) * Math.round(Math.abs(amount) * 100 + 1e-9);

/** The Grand_Total Zoho will compute for a Sales Order record (formula at the top of this file), from the rows given. */
export function salesOrderGrandTotal(record: IDataObject): number {
	const items = Array.isArray(record.Ordered_Items) ? (record.Ordered_Items as IDataObject[]) : [];
	let subTotalCents = 0;
	items.forEach((item, index) => {
		if ('_delete' in item) return;
		const label = `Ordered_Items[${index}]`;
		const listPrice = forField(`${label}.List_Price`, () => toAmount(item.List_Price)) ?? 0;
		const quantity = forField(`${label}.Quantity`, () => toAmount(item.Quantity)) ?? 0;
		const afterDiscountCents = roundToCent(listPrice * quantity) - forField(label, () => centsOf(item, 'Discount'));
		const taxCents = roundToCent((afterDiscountCents * percentSum(item.Line_Tax)) / 100 / 100);
		subTotalCents += afterDiscountCents + taxCents;
	});
	return fromCents(subTotalCents - centsOf(record, 'Discount') + centsOf(record, 'Adjustment'));
}

/**
 * The existing Ordered_Items rows of a Zoho Sales Order (as read back) and the rows to send so that the order ends
 * with exactly `rows`: Zoho ADDS rows sent without an id, updates a row sent with its id and removes `{id, _delete:
 * null}` (Zoho "Subform data" page). Rows are matched by product in order; unmatched old rows are deleted.
 */
export function reconcileOrderedItems(rows: IDataObject[], existing: IDataObject[]): IDataObject[] {
	const unused = existing.filter((row) => typeof row.id === 'string' && row.id !== '');
	const productOf = (row: IDataObject) => String((row.Product_Name as IDataObject | undefined)?.id ?? '');
	const result = rows.map((row) => {
		const position = unused.findIndex((candidate) => productOf(candidate) === productOf(row));
		if (position < 0) return row;
		const [match] = unused.splice(position, 1);
		// Line_Tax is sent as [] to clear taxes the row had, when this row has none
		return { id: match.id, ...row, Line_Tax: row.Line_Tax ?? [] };
	});
	return [...result, ...unused.map((row) => ({ id: row.id, _delete: null }))];
}

/**
 * Checks, to the cent, that Zoho will compute the order's total for this record. On a mismatch the message
 * names both totals so the user can find the difference; the node sends that item to the error output.
 */
export function checkSalesOrderTotal(
	order: WooOrder,
	record: IDataObject,
): { ok: true } | { ok: false; orderTotal: number; zohoTotal: number; message: string } {
	const orderTotal = forField('total', () => toAmount(order.total)) ?? 0;
	const zohoTotal = salesOrderGrandTotal(record);
	if (Math.round(orderTotal * 100) === Math.round(zohoTotal * 100)) return { ok: true };

	const currency = cleanText(order.currency);
	const money = (amount: number) => `${formatAmount(amount)}${currency ? ` ${currency}` : ''}`;
	const difference = fromCents(Math.round(zohoTotal * 100) - Math.round(orderTotal * 100));
	return {
		ok: false,
		orderTotal,
		zohoTotal,
		message:
			`Totals do not match: WooCommerce order #${cleanText(order.number) ?? order.id} totals ${money(orderTotal)}, ` +
			`but the Zoho Sales Order would total ${money(zohoTotal)} (difference ${money(difference)}). ` +
			'WooCommerce may round tax at subtotal level or a plugin may change the total; check the order by hand.',
	};
}

/**
 * After the write: the Sales Order as Zoho stored it (one read) must total the WooCommerce order to the cent and hold
 * exactly one row per line item. Otherwise the message names both totals (and the row counts when they differ).
 */
export function checkWrittenSalesOrder(
	order: WooOrder,
	stored: IDataObject,
): { ok: true } | { ok: false; orderTotal: number; zohoTotal: number | null; message: string } {
	const orderTotal = forField('total', () => toAmount(order.total)) ?? 0;
	const zohoTotal = typeof stored.Grand_Total === 'number' ? stored.Grand_Total : (toAmount(stored.Grand_Total) ?? null);
	const rows = Array.isArray(stored.Ordered_Items) ? stored.Ordered_Items.length : 0;
	const lines = (order.line_items ?? []).length;
	const totalsMatch = zohoTotal !== null && Math.round(orderTotal * 100) === Math.round(zohoTotal * 100);
	if (totalsMatch && rows === lines) return { ok: true };
	const currency = cleanText(order.currency);
	const money = (amount: number | null) => (amount === null ? 'nothing' : `${formatAmount(amount)}${currency ? ` ${currency}` : ''}`);
	const rowNote = rows === lines ? '' : ` It holds ${rows} line item row(s) for the order's ${lines} line item(s).`;
	return {
		ok: false,
		orderTotal,
		zohoTotal,
		message:
			`Totals do not match after the write: WooCommerce order #${cleanText(order.number) ?? order.id} totals ${money(orderTotal)}, ` +
			`but Zoho computed a Grand_Total of ${money(zohoTotal)} for the Sales Order ${String(stored.id ?? '')}.${rowNote} ` +
			'Zoho may compute a tax differently (check the taxes defined in Zoho and the node’s Taxes option) or the order was changed in Zoho.',
	};
}
