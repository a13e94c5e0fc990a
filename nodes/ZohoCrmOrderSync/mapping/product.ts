import type { IDataObject } from 'n8n-workflow';

import { forField, mergeCustomFields, setIfPresent } from './common';
import { toAmount } from './money';
import { cleanText } from './text';

/** What a product code is made from: a WooCommerce order line item, or a WooCommerce product (`id` = product id). */
export interface ProductSource {
	id?: unknown;
	sku?: unknown;
	variation_id?: unknown;
	product_id?: unknown;
}

function positiveId(value: unknown): number | undefined {
	const id = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
	return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * The Zoho Product_Code for a line item or product — the one rule both the Product and the Sales Order
 * operation use: its SKU; else `wc-<variation_id>` for a variation; else `wc-<product_id>` (a product's own id
 * for a product). A line whose product was deleted (product_id 0, no SKU) gets `wc-item-<line id>` so
 * unrelated deleted products are not merged into one Zoho product. '' when there is nothing to make one from.
 */
export function productCodeFor(source: ProductSource): string {
	const sku = typeof source.sku === 'string' ? source.sku.trim() : '';
	if (sku !== '') return sku;
	const variationId = positiveId(source.variation_id);
	if (variationId !== undefined) return `wc-${variationId}`;
	const productId = positiveId(source.product_id);
	if (productId !== undefined) return `wc-${productId}`;
	const id = positiveId(source.id);
	if (id === undefined) return '';
	return source.product_id === undefined || source.product_id === null ? `wc-${id}` : `wc-item-${id}`;
}

/** Values of the Product mapping, as the node evaluated them for one item (API names of Zoho Products). */
export interface ProductFieldValues {
	Product_Name?: unknown;
	/** Empty: productCodeFor(source). */
	Product_Code?: unknown;
	Unit_Price?: unknown;
	Description?: unknown;
	/** Further Zoho fields by API name; merged last, empty values dropped. */
	customFields?: Record<string, unknown>;
}

/** Zoho Multi Line (textarea) limit. */
const DESCRIPTION_MAX_LENGTH = 32000;

/**
 * The Zoho Products record for one line item or product. Product_Active is always true: a product that
 * is sold again must be selectable in Zoho. Product_Name is mandatory in Zoho; a missing one is left for the
 * operation to report.
 */
export function buildProductRecord(values: ProductFieldValues, source: ProductSource = {}): IDataObject {
	const record: IDataObject = {};
	setIfPresent(record, 'Product_Name', forField('Product_Name', () => cleanText(values.Product_Name)));
	const code = forField('Product_Code', () => cleanText(values.Product_Code)) ?? productCodeFor(source);
	setIfPresent(record, 'Product_Code', code === '' ? undefined : code);
	setIfPresent(record, 'Unit_Price', forField('Unit_Price', () => toAmount(values.Unit_Price)));
	setIfPresent(
		record,
		'Description',
		forField('Description', () => cleanText(values.Description, DESCRIPTION_MAX_LENGTH)),
	);
	record.Product_Active = true;

	mergeCustomFields(record, values.customFields);
	return record;
}
