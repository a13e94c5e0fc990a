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
 * Zoho computes (and the project's Zoho emulator computes exactly this):
 *   line total  = List_Price × Quantity − Discount + Tax
 *   Sub_Total   = Σ (List_Price × Quantity − Discount)
 *   Grand_Total = Sub_Total + Σ line Tax + order-level Tax − order-level Discount + Adjustment
 *
 * WooCommerce REST v3 line items carry subtotal (before coupons) and total (after coupons), both EXCLUDING
 * tax even when the shop enters prices including tax: WC_Cart_Totals::calculate_item_subtotals() subtracts
 * the (unrounded) taxes from inclusive prices before storing line_subtotal/line_total, and the REST
 * controller only formats them to dp decimals (reference woocommerce-webhooks.md §6). So no special case is
 * needed for prices_include_tax; tax always comes from total_tax.
 *
 *   List_Price = subtotal / quantity, rounded UP to the cent
 *   Discount   = List_Price × Quantity − total   (the coupon share of the line, plus the sub-cent rounding
 *                of List_Price when subtotal is not divisible by quantity, e.g. 25.18 / 3 → 8.40, Discount 0.02)
 *   Tax        = total_tax
 *   Adjustment = shipping_total + shipping_tax + Σ fee (total + total_tax)   (fees may be negative)
 * and no order-level Tax or Discount (coupons already sit in the lines).
 *
 * Each line's List_Price × Quantity − Discount is therefore exactly WooCommerce's line total. Nothing else
 * goes into Adjustment: when WooCommerce's own total differs from the sum of its rounded parts (tax rounded
 * at subtotal level, plugins filtering the total), checkSalesOrderTotal reports it instead of hiding it.
 */

/** Line-item description limit (Zoho Multi Line). */
const LINE_DESCRIPTION_MAX_LENGTH = 2000;

function lineName(line: WooLineItem): string {
	return cleanText(line.name) ?? cleanText(line.parent_name) ?? productCodeFor(line);
}

interface LinePricing {
	quantity: number;
	listPriceCents: number;
	discountCents: number;
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
}

function setAddress(record: IDataObject, prefix: 'Billing' | 'Shipping', address: WooOrder['billing']): void {
	if (!address) return;
	setIfPresent(record, `${prefix}_Street`, cleanText(contactStreet(address)));
	setIfPresent(record, `${prefix}_City`, cleanText(address.city));
	setIfPresent(record, `${prefix}_State`, cleanText(address.state));
	setIfPresent(record, `${prefix}_Code`, cleanText(address.postcode));
	setIfPresent(record, `${prefix}_Country`, cleanText(address.country));
}

/** shipping + shipping tax + every fee with its tax, in cents. */
function adjustmentCents(order: WooOrder): number {
	let cents =
		forField('shipping_total', () => toCents(order.shipping_total)) +
		forField('shipping_tax', () => toCents(order.shipping_tax));
	for (const fee of order.fee_lines ?? []) {
		cents += forField(`Fee ${String(fee.id)} total`, () => toCents(fee.total));
		cents += forField(`Fee ${String(fee.id)} total_tax`, () => toCents(fee.total_tax));
	}
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
			Tax: fromCents(pricing.taxCents),
		};
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
	record.Adjustment = fromCents(adjustmentCents(order));

	mergeCustomFields(record, values.customFields);
	const idField = orderIdField.trim();
	if (idField !== '') record[idField] = String(orderId);
	return record;
}

function centsOf(record: IDataObject, key: string): number {
	return forField(key, () => toCents(record[key]));
}

/** The Grand_Total Zoho will compute for a Sales Order record (formula at the top of this file). */
export function salesOrderGrandTotal(record: IDataObject): number {
	const items = Array.isArray(record.Ordered_Items) ? (record.Ordered_Items as IDataObject[]) : [];
	let subTotalCents = 0;
	let lineTaxCents = 0;
	items.forEach((item, index) => {
		const label = `Ordered_Items[${index}]`;
		const listPrice = forField(`${label}.List_Price`, () => toAmount(item.List_Price)) ?? 0;
		const quantity = forField(`${label}.Quantity`, () => toAmount(item.Quantity)) ?? 0;
		subTotalCents += toCents(listPrice * quantity) - forField(label, () => centsOf(item, 'Discount'));
		lineTaxCents += forField(label, () => centsOf(item, 'Tax'));
	});
	const grandTotalCents =
		subTotalCents +
		lineTaxCents +
		centsOf(record, 'Tax') -
		centsOf(record, 'Discount') +
		centsOf(record, 'Adjustment');
	return fromCents(grandTotalCents);
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
