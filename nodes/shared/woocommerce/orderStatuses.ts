/* WooCommerce order statuses, for both order triggers. */

/**
 * Draft statuses: `order.created` no longer fires for them since WooCommerce PR #47422, but `order.updated` still
 * does for block-checkout drafts (#66995), and older stores fire `order.created` for `checkout-draft` (#37958).
 */
export const DEFAULT_SKIP_STATUSES = ['checkout-draft', 'draft', 'auto-draft'];

/** Accepts a list or a comma-separated string; trims and lower-cases, drops a leading `wc-`. */
export function normaliseStatusList(value: unknown): string[] {
	const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
	return items
		.map((item) => String(item).trim().toLowerCase().replace(/^wc-/, ''))
		.filter((item) => item !== '');
}

/** WooCommerce order statuses as the admin names them (the REST API drops the wc- prefix). */
export const ORDER_STATUS_LABELS: Record<string, string> = {
	'auto-draft': 'Auto-Draft',
	cancelled: 'Cancelled',
	'checkout-draft': 'Checkout Draft (Block Checkout)',
	completed: 'Completed',
	draft: 'Draft',
	failed: 'Failed',
	'on-hold': 'On Hold',
	pending: 'Pending Payment',
	processing: 'Processing',
	refunded: 'Refunded',
	trash: 'Trash',
};

/** Options for a status picker, by label, without the `excluded` statuses. */
export function orderStatusOptions(excluded: string[] = []): Array<{ name: string; value: string }> {
	return Object.entries(ORDER_STATUS_LABELS)
		.filter(([value]) => !excluded.includes(value))
		.map(([value, name]) => ({ name, value }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
