/**
 * The only place that talks HTTP to Zoho CRM. Operations call these functions and never handle HTTP errors.
 */
export type {
	ZohoCallLimits,
	ZohoContext,
	ZohoCredentialType,
	ZohoField,
	ZohoHttpAnswer,
	ZohoRequest,
	ZohoResponse,
} from './types';
export {
	isZohoApiError,
	toSyncError,
	ZohoApiError,
	zohoErrorDescription,
	zohoErrorMessage,
	zohoScopeForPath,
} from './errors';
export { DEFAULT_MAX_RETRY_WAIT_MS, isRacedUpsert, zohoErrorCategory } from './retryPolicy';
export {
	DEFAULT_MAX_CONCURRENCY,
	resetZohoRequestState,
	zohoApiBaseUrl,
	zohoApiRequest,
	zohoCallsInFlight,
	zohoCredentialKey,
	zohoCredentialType,
	zohoTopLevelError,
} from './request';
export {
	FIELDS_TTL_MS,
	resetZohoFieldsCache,
	ZOHO_API_VERSION_PATH,
	zohoFieldsDueSoon,
	zohoForgetFields,
	zohoRememberFields,
	ZOHO_MAX_RECORDS_PER_CALL,
	recordAction,
	zohoCoql,
	zohoGetFields,
	zohoGetRecord,
	zohoWriteRecords,
	type ZohoWriteArgs,
} from './records';
export {
	isRetryOnFailRun,
	isTransient,
	orderForRetryOnFail,
	retryWaitBudgetMs,
	TRANSIENT_CATEGORIES,
} from './retryPolicy';
export { runWithLedger, type ItemOperation } from './runLedger';
export {
	COMPOSITE_CONCURRENCY_SLOTS,
	ZOHO_COMPOSITE_PATH,
	zohoCompositeRequest,
	type ZohoCompositeOutcome,
	type ZohoSubRequest,
	type ZohoSubResult,
} from './composite';
