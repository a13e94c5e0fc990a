import type { IDataObject } from 'n8n-workflow';

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
	/** Per tax rate: `id` is the rate id of an order `tax_lines` entry. */
	taxes?: Array<{ id: number; total: string; subtotal?: string }>;
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
