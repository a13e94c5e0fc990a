/**
 * The dead-letter Data Table schema: one row per (order, failed node), created by the workflows with exactly
 * these columns. Data Table columns are string | number | boolean | date and their names must match
 * /^[a-zA-Z][a-zA-Z0-9_]*$/ with at most 63 characters (n8n @n8n/api-types DATA_TABLE_COLUMN_REGEX and
 * DATA_TABLE_COLUMN_MAX_LENGTH); nested objects are stored as JSON strings. Every column except
 * httpCode, zohoAttempts and orderId (null when unknown) always holds a value of its type.
 * The table adds its own id, createdAt and updatedAt system columns.
 */
export type DeadLetterColumnType = 'string' | 'number' | 'boolean' | 'date';

export const DEAD_LETTER_COLUMNS: Array<{ name: string; type: DeadLetterColumnType }> = [
	/** `${orderId}:${failedNode}`; the upsert/update key. */
	{ name: 'key', type: 'string' },
	{ name: 'orderId', type: 'number' },
	{ name: 'orderNumber', type: 'string' },
	{ name: 'customerEmail', type: 'string' },
	{ name: 'failedNode', type: 'string' },
	/** The Zoho operation that failed, e.g. "contact.upsert". */
	{ name: 'operation', type: 'string' },
	{ name: 'workflowId', type: 'string' },
	{ name: 'workflowName', type: 'string' },
	{ name: 'executionId', type: 'string' },
	/** validation | auth | scope | rate_limit | server | network | totals_mismatch, or '' when unknown. */
	{ name: 'category', type: 'string' },
	{ name: 'httpCode', type: 'number' },
	{ name: 'zohoCode', type: 'string' },
	{ name: 'message', type: 'string' },
	/** JSON: Zoho's details (api_name, json_path, expected_data_type …). */
	{ name: 'details', type: 'string' },
	/** How many times this failure has been stored (1, then +1 on each repeat). */
	{ name: 'attempts', type: 'number' },
	/** HTTP attempts the Zoho node made for the last failure. */
	{ name: 'zohoAttempts', type: 'number' },
	/** ISO 8601 UTC times, kept as strings so rows round-trip unchanged. */
	{ name: 'firstFailedAt', type: 'string' },
	{ name: 'lastFailedAt', type: 'string' },
	/** JSON: the original WooCommerce order (with _woocommerce), as the trigger delivered it. */
	{ name: 'order', type: 'string' },
	/** JSON: the body of the refused Zoho request. */
	{ name: 'zohoPayload', type: 'string' },
	/** "METHOD /path" of the refused Zoho request. */
	{ name: 'zohoRequest', type: 'string' },
	/** open | resolved */
	{ name: 'status', type: 'string' },
	{ name: 'resolvedAt', type: 'string' },
	{ name: 'resolvedExecutionId', type: 'string' },
	/** JSON: the Zoho records the successful replay wrote (zoho.contact, zoho.deal …). */
	{ name: 'zohoRecordIds', type: 'string' },
];
