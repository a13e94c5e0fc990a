/**
 * The only place that talks HTTP to Zoho CRM. Operations call these functions and never handle HTTP errors.
 */
export type { ZohoCallLimits, ZohoContext, ZohoCredentialType, ZohoField, ZohoRequest, ZohoResponse } from './types';
export {
	isZohoApiError,
	toSyncError,
	ZohoApiError,
	zohoErrorCategory,
	zohoErrorDescription,
	zohoErrorMessage,
	zohoScopeForPath,
	type ZohoHttpAnswer,
} from './errors';
export {
	DEFAULT_MAX_CONCURRENCY,
	DEFAULT_MAX_RETRY_WAIT_MS,
	resetZohoRequestState,
	zohoApiBaseUrl,
	zohoApiRequest,
	zohoCallsInFlight,
	zohoCredentialKey,
	zohoCredentialType,
	zohoTopLevelError,
} from './request';
export {
	resetZohoFieldsCache,
	ZOHO_API_VERSION_PATH,
	ZOHO_MAX_RECORDS_PER_CALL,
	zohoCoql,
	zohoGetFields,
	zohoWriteRecords,
	type ZohoWriteArgs,
} from './records';
