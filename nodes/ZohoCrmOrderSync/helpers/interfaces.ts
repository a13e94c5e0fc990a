import type { IDataObject } from 'n8n-workflow';

/**
 * What went wrong, in words a dead-letter row and a no-code user can act on.
 * Retryable: rate_limit, server, network. The rest are final for this order until someone fixes data or set-up.
 */
export type ErrorCategory =
	| 'validation'
	| 'auth'
	| 'scope'
	| 'rate_limit'
	| 'server'
	| 'network'
	| 'totals_mismatch';

export const RETRYABLE_CATEGORIES: readonly ErrorCategory[] = ['rate_limit', 'server', 'network'];

/**
 * The structured `error` object on items sent to the error output. Flat JSON only (no class instances),
 * so n8n stores it with the execution and the Dead Letter node can build a row without parsing strings.
 */
export interface ZohoSyncError extends IDataObject {
	category: ErrorCategory;
	/** HTTP status of Zoho's last answer; null for network errors and local checks. */
	httpCode: number | null;
	/** Zoho's own code, e.g. INVALID_DATA, MANDATORY_NOT_FOUND, TOO_MANY_REQUESTS, INVALID_TOKEN. */
	zohoCode: string | null;
	/** Zoho's own message, or ours for local checks (e.g. totals mismatch). */
	message: string;
	/** Zoho's `details` (api_name, json_path, expected_data_type …), as sent. */
	details: IDataObject;
	/** How many HTTP attempts were made for this record (1 = no retry). */
	attempts: number;
	/** The Zoho request that was refused: method, path and the JSON body (this record only for batches). */
	request: ZohoRequestSummary;
	/** Which operation failed, e.g. "contact.upsert", "deal.create". */
	operation: string;
	/** ISO time of the failure. */
	failedAt: string;
	/** Name of the n8n node that failed (set by the node, not the transport). */
	node?: string;
}

export interface ZohoRequestSummary extends IDataObject {
	method: string;
	path: string;
	body: IDataObject | null;
}

/** One Zoho record result from a write (insert/upsert) call, mapped back to the record sent. */
export type ZohoRecordResult =
	| { ok: true; id: string; action: 'insert' | 'update'; duplicateField: string | null; details: IDataObject }
	| { ok: false; error: ZohoSyncError };

/** A WooCommerce order as delivered by the REST API v3 / webhooks (only what mapping reads is typed). */
export interface WooAddress {
	first_name?: string;
	last_name?: string;
	company?: string;
	address_1?: string;
	address_2?: string;
	city?: string;
	state?: string;
	postcode?: string;
	country?: string;
	email?: string | null;
	phone?: string;
}

export interface WooLineItem {
	id: number;
	name: string;
	product_id: number;
	variation_id: number;
	quantity: number;
	subtotal: string;
	subtotal_tax: string;
	total: string;
	total_tax: string;
	sku: string | null;
	price: number;
	meta_data?: Array<{ key: string; value: unknown; display_key?: string; display_value?: unknown }>;
	parent_name?: string | null;
}

export interface WooOrder extends IDataObject {
	id: number;
	number: string;
	status: string;
	currency: string;
	date_created: string;
	date_created_gmt?: string;
	date_modified_gmt?: string;
	discount_total: string;
	discount_tax: string;
	shipping_total: string;
	shipping_tax: string;
	cart_tax: string;
	total: string;
	total_tax: string;
	prices_include_tax: boolean;
	customer_id: number;
	customer_note?: string;
	billing: WooAddress & IDataObject;
	shipping: WooAddress & IDataObject;
	payment_method?: string;
	payment_method_title?: string;
	line_items: WooLineItem[] & IDataObject[];
	shipping_lines?: IDataObject[];
	fee_lines?: IDataObject[];
	coupon_lines?: IDataObject[];
	tax_lines?: IDataObject[];
	refunds?: IDataObject[];
}
