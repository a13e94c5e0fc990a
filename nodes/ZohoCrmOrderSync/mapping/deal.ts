import type { IDataObject } from 'n8n-workflow';

import { forField, lookupId, mergeCustomFields, setIfPresent, type ModuleField } from './common';
import { formatAmount, toAmount, toCents, zohoDate } from './money';
import { cleanMultilineText, cleanText, cutTo } from './text';
import type { WooOrder } from './wooOrder';

/** Values of the Deal mapping, as the node evaluated them for one order (API names of Zoho Deals). */
export interface DealFieldValues {
	/** Empty: defaultDealName(order). */
	Deal_Name?: unknown;
	Stage?: unknown;
	/** Empty: the org's first pipeline. Only sent when the org uses pipelines. */
	Pipeline?: unknown;
	Closing_Date?: unknown;
	Amount?: unknown;
	/** Only sent when multi-currency is on in the org (Deals has a Currency field). */
	Currency?: unknown;
	/** Id of the Contact upserted for this order → Contact_Name lookup. */
	Contact_Id?: unknown;
	/** Id of the Account upserted for this order → Account_Name lookup. */
	Account_Id?: unknown;
	Type?: unknown;
	Lead_Source?: unknown;
	/** Empty: describeOrder(order). */
	Description?: unknown;
	/** Further Zoho fields by API name; merged last, empty values dropped. */
	customFields?: Record<string, unknown>;
}

/** Zoho Multi Line (textarea) limit. */
const DESCRIPTION_MAX_LENGTH = 32000;

/**
 * The Zoho Deals record for one order.
 *
 * orderIdField is the unique custom field the node upserts on (e.g. WooCommerce_Order_ID, Zoho reference
 * §6.4); it always holds String(orderId) and is set after the custom fields so a custom mapping cannot
 * break idempotency. An empty orderIdField means the node does not use one.
 * dealFields is the org's Deals field metadata: Zoho requires Pipeline when the org uses pipelines and rejects
 * it otherwise, and Currency exists only with multi-currency on. Without it, values are sent as given.
 * Amount is the order total as placed. Refunds are not subtracted here (describeOrder lists them): the
 * Deal records what was sold, and a later refund is a separate event the CRM user sees in the description.
 * Stage (and Pipeline, when pipelines are on) are mandatory, but no value is valid in every org, so a
 * missing Stage is left for Zoho to report as MANDATORY_NOT_FOUND rather than guessed.
 */
export function buildDealRecord(
	order: WooOrder,
	values: DealFieldValues,
	orderIdField: string,
	orderId: string | number = order.id,
	dealFields?: readonly ModuleField[],
): IDataObject {
	const orgField = (apiName: string) => dealFields?.find((field) => field.api_name === apiName);
	const pipelineField = orgField('Pipeline');
	let pipeline = forField('Pipeline', () => cleanText(values.Pipeline));
	if (dealFields) pipeline = pipelineField ? (pipeline ?? cleanText(pipelineField.pick_list_values?.[0]?.actual_value)) : undefined;
	const currency = dealFields && !orgField('Currency') ? undefined : values.Currency;

	const record: IDataObject = {
		Deal_Name: forField('Deal_Name', () => cleanText(values.Deal_Name)) ?? defaultDealName(order),
	};
	setIfPresent(record, 'Stage', forField('Stage', () => cleanText(values.Stage)));
	setIfPresent(record, 'Pipeline', pipeline);
	setIfPresent(record, 'Closing_Date', forField('Closing_Date', () => zohoDate(values.Closing_Date)));
	setIfPresent(record, 'Amount', forField('Amount', () => toAmount(values.Amount)));
	setIfPresent(record, 'Currency', forField('Currency', () => cleanText(currency)?.toUpperCase()));
	setIfPresent(record, 'Contact_Name', lookupId('Contact_Name', values.Contact_Id));
	setIfPresent(record, 'Account_Name', lookupId('Account_Name', values.Account_Id));
	setIfPresent(record, 'Type', forField('Type', () => cleanText(values.Type)));
	setIfPresent(record, 'Lead_Source', forField('Lead_Source', () => cleanText(values.Lead_Source)));
	setIfPresent(
		record,
		'Description',
		forField(
			'Description',
			() =>
				cleanMultilineText(values.Description, DESCRIPTION_MAX_LENGTH) ??
				cleanMultilineText(describeOrder(order), DESCRIPTION_MAX_LENGTH),
		),
	);

	mergeCustomFields(record, values.customFields);
	const idField = orderIdField.trim();
	if (idField !== '') record[idField] = String(orderId);
	return record;
}

function personName(order: WooOrder): string | undefined {
	const billing = order.billing ?? {};
	const parts = [cleanText(billing.first_name), cleanText(billing.last_name)].filter(
		(part): part is string => part !== undefined,
	);
	if (parts.length > 0) return parts.join(' ');
	return cleanText(billing.email)?.toLowerCase();
}

function orderNumber(order: WooOrder): string {
	return cleanText(order.number) ?? String(order.id);
}

/**
 * The deal name when the mapping gives none: "WooCommerce Order #727 (John Doe)"; the email when the order
 * has no names; the order number alone when it has neither.
 */
export function defaultDealName(order: WooOrder): string {
	const who = personName(order);
	const name = `WooCommerce Order #${orderNumber(order)}${who ? ` (${who})` : ''}`;
	return cleanText(name) ?? name;
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' || typeof value === 'number' ? cleanText(value) : undefined;
}

function signed(cents: number): string {
	return formatAmount(cents / 100);
}

/**
 * A plain-text summary of the order for the Deal's Description (the Deal has no line items):
 *
 *   2 × Woo Single #1 — 6.00
 *   1 × Ship Your Idea – Color: Black, Size: M Test (Bar3) — 12.00
 *   Shipping (Flat Rate): 10.00
 *   Tax: 1.35
 *   Total: 29.35 USD
 *   Payment: Direct Bank Transfer
 *
 * Item amounts are line subtotals (ex tax, before coupons), so items − discount + shipping + fees + tax
 * = total, as on WooCommerce's own order screen. Refunds are listed, not netted. At most 32000 characters.
 */
export function describeOrder(order: WooOrder): string {
	const lines: string[] = [];
	const currency = cleanText(order.currency) ?? '';

	for (const item of order.line_items ?? []) {
		const name = text(item.name) ?? `Product ${item.product_id}`;
		const sku = text(item.sku);
		lines.push(`${item.quantity} × ${name}${sku ? ` (${sku})` : ''} — ${signed(toCents(item.subtotal))}`);
	}

	const shippingLines = order.shipping_lines ?? [];
	for (const shipping of shippingLines) {
		const title = text(shipping.method_title);
		lines.push(`Shipping${title ? ` (${title})` : ''}: ${signed(toCents(shipping.total))}`);
	}
	if (shippingLines.length === 0 && toCents(order.shipping_total) !== 0) {
		lines.push(`Shipping: ${signed(toCents(order.shipping_total))}`);
	}

	for (const fee of order.fee_lines ?? []) {
		const name = text(fee.name);
		lines.push(`Fee${name ? ` (${name})` : ''}: ${signed(toCents(fee.total))}`);
	}

	const coupons = (order.coupon_lines ?? [])
		.map((coupon) => text(coupon.code))
		.filter((code): code is string => code !== undefined);
	const discountCents = toCents(order.discount_total);
	if (discountCents !== 0) {
		lines.push(`Discount: ${signed(-discountCents)}${coupons.length ? ` (coupons: ${coupons.join(', ')})` : ''}`);
	} else if (coupons.length) {
		lines.push(`Coupons: ${coupons.join(', ')}`);
	}

	const taxCents = toCents(order.total_tax);
	if (taxCents !== 0) {
		lines.push(`Tax: ${signed(taxCents)}${order.prices_include_tax ? ' (prices include tax)' : ''}`);
	}
	lines.push(`Total: ${signed(toCents(order.total))}${currency ? ` ${currency}` : ''}`);

	const payment = text(order.payment_method_title) ?? text(order.payment_method);
	if (payment) lines.push(`Payment: ${payment}`);

	for (const refund of order.refunds ?? []) {
		const reason = text(refund.reason);
		lines.push(`Refund #${refund.id}: ${signed(toCents(refund.total))}${reason ? ` (${reason})` : ''}`);
	}

	const note = text(order.customer_note);
	if (note) lines.push(`Customer note: ${note}`);

	return cutTo(lines.join('\n'), DESCRIPTION_MAX_LENGTH);
}
