import type { IDataObject } from 'n8n-workflow';

/*
 * The shapes every layer of the Zoho node shares: what an item's sync produced (ItemOutcome), Zoho's answer
 * for one record (ZohoRecordResult) and the structured error (ZohoSyncError). Types only, no imports from
 * this node, so transport, helpers and actions can all import it without a cycle.
 */

/**
 * What went wrong, in words a dead-letter row and a no-code user can act on.
 * Which categories are retried is decided in transport/retryPolicy.ts.
 */
export type ErrorCategory =
	| 'validation'
	| 'auth'
	| 'scope'
	| 'rate_limit'
	| 'server'
	| 'network'
	| 'totals_mismatch';

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

/** What the node did for one input item: the item as it continues, or the error for the error output. */
export type ItemOutcome = { ok: true; json: IDataObject } | { ok: false; error: ZohoSyncError };
