import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	ILoadOptionsFunctions,
} from 'n8n-workflow';

export type ZohoCredentialType = 'zohoCrmOAuth2Api' | 'zohoCrmRefreshTokenApi';

export type ZohoContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface ZohoCallLimits {
	/** Total time one call may spend waiting between retries (default 60000 ms). */
	maxRetryWaitMs?: number;
	/** Calls in flight at once per Zoho credential in this process (default 5): this worker's share of the org's cap. */
	maxConcurrency?: number;
}

export interface ZohoRequest {
	method: IHttpRequestMethods;
	/** Path below the API domain, e.g. '/crm/v8/Contacts/upsert'. */
	path: string;
	body?: IDataObject;
	qs?: IDataObject;
	/** Which operation this call serves, e.g. 'contact.upsert' (goes into errors and dead letters). */
	operation: string;
	limits?: ZohoCallLimits;
	/**
	 * false for calls that must not be repeated blindly (plain inserts): a 5xx, a timeout or a dropped
	 * connection may hide a record Zoho did create, so only answers that prove nothing was done
	 * (429, connection refused) are retried. Default true (upserts, reads, COQL).
	 */
	idempotent?: boolean;
	/** Concurrency slots the call occupies at Zoho (default 1; a composite call takes COMPOSITE_CONCURRENCY_SLOTS). */
	slots?: number;
}

export interface ZohoResponse {
	status: number;
	/** null for 204 and empty answers. */
	body: IDataObject | null;
	/** Header names in lower case. */
	headers: Record<string, string>;
	/** HTTP attempts this call made (1 = no retry). */
	attempts: number;
	/** X-API-CREDITS-REMAINING (Zoho sends it once half of the daily credits are used), else null. */
	creditsRemaining: number | null;
}

export interface ZohoField {
	api_name: string;
	display_label: string;
	data_type: string;
	system_mandatory?: boolean;
	unique?: unknown;
	custom_field?: boolean;
	read_only?: boolean;
	pick_list_values?: Array<{ display_value: string; actual_value: string }>;
	[k: string]: unknown;
}

/** Zoho's answer as the transport saw it, kept on the error so callers can read per-record envelopes. */
export interface ZohoHttpAnswer {
	status: number;
	body: IDataObject | null;
	headers: Record<string, string>;
}
