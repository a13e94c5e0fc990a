import { NodeOperationError } from 'n8n-workflow';
import type {
	IAdditionalCredentialOptions,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';

import { zohoApiBase, type ZohoDataCenterSettings } from '../../../credentials/zohoDataCenters';
import {
	isZohoTokenError,
	ZOHO_TOKEN_THROTTLE_MESSAGE,
	zohoTokenError,
	ZohoTokenError,
} from '../../../credentials/zohoToken';
import type { ZohoSyncError } from '../types';
import * as clock from './clock';
import { KeyedSemaphore } from './concurrency';
import { toSyncError, ZohoApiError, zohoScopeForPath } from './errors';
import {
	DEFAULT_MAX_RETRY_WAIT_MS,
	isExpiredTokenAnswer,
	isNetworkErrorCode,
	mayRetry,
	retryDecision,
	retryDelayMs,
	TOKEN_THROTTLE_COOLDOWN_MS,
	zohoErrorCategory,
	type FailedAttempt,
} from './retryPolicy';
import type { ZohoContext, ZohoCredentialType, ZohoHttpAnswer, ZohoRequest, ZohoResponse } from './types';

export const DEFAULT_MAX_CONCURRENCY = 5;
const REQUEST_TIMEOUT_MS = 60_000;
/** The shortest timeout an attempt gets when little budget is left (Zoho upserts of 100 records take seconds). */
const MIN_ATTEMPT_TIMEOUT_MS = 15_000;

const semaphore = new KeyedSemaphore();
const refreshesInFlight = new Map<string, Promise<Outcome>>();
const lastRefreshAt = new Map<string, number>();
const tokenBlockedUntil = new Map<string, number>();

/** For tests: forget token cool-downs and refreshes in flight. */
export function resetZohoRequestState(): void {
	refreshesInFlight.clear();
	lastRefreshAt.clear();
	tokenBlockedUntil.clear();
}

/** Calls in flight for a credential key (credential type + id), for tests and diagnostics. */
export function zohoCallsInFlight(key: string): number {
	return semaphore.inFlight(key);
}

/** Which credential the node uses: node parameter 'authentication' ('oAuth2' | 'refreshToken'). */
export function zohoCredentialType(this: ZohoContext): ZohoCredentialType {
	let value: unknown;
	try {
		value =
			typeof (this as IExecuteFunctions).getInputData === 'function'
				? (this as IExecuteFunctions).getNodeParameter('authentication', 0, 'oAuth2')
				: (this as ILoadOptionsFunctions).getNodeParameter('authentication', 'oAuth2');
	} catch {
		value = 'oAuth2';
	}
	return value === 'refreshToken' ? 'zohoCrmRefreshTokenApi' : 'zohoCrmOAuth2Api';
}

/** One key per Zoho org as far as this process can tell: the credential in use. */
export function zohoCredentialKey(this: ZohoContext, credentialType: ZohoCredentialType): string {
	const credential = this.getNode().credentials?.[credentialType];
	return `${credentialType}:${credential?.id ?? credential?.name ?? 'default'}`;
}

/**
 * API base: `api_domain` from Zoho's token answer (OAuth2: oauthTokenData.api_domain; refresh token: the stored
 * apiDomain), else www./sandbox./developer.zohoapis.<dc>, else the custom API domain.
 */
export async function zohoApiBaseUrl(this: ZohoContext): Promise<string> {
	return (await readZohoCredential.call(this)).baseUrl;
}

/** The API base and the access token stored in the credential now (n8n keeps it in its database). */
async function readZohoCredential(this: ZohoContext): Promise<{ baseUrl: string; accessToken: string | null }> {
	const credentialType = zohoCredentialType.call(this);
	const credentials = await this.getCredentials(credentialType);
	const tokenData = credentials.oauthTokenData as IDataObject | undefined;
	const tokenDomain = credentialType === 'zohoCrmOAuth2Api' ? tokenData?.api_domain : credentials.apiDomain;
	const accessToken = credentialType === 'zohoCrmOAuth2Api' ? tokenData?.access_token : credentials.accessToken;
	const base = zohoApiBase(
		credentials as unknown as ZohoDataCenterSettings,
		typeof tokenDomain === 'string' ? tokenDomain : undefined,
	);
	if (!/^https?:\/\/[^/\s]+/.test(base)) {
		throw new NodeOperationError(
			this.getNode(),
			'The Zoho credential has no usable API domain: with Data Center "Custom", fill in the API Domain',
		);
	}
	return { baseUrl: base, accessToken: typeof accessToken === 'string' && accessToken ? accessToken : null };
}

type Outcome =
	| { kind: 'answer'; answer: ZohoHttpAnswer }
	| { kind: 'network'; code: string; message: string }
	| { kind: 'token'; error: ZohoTokenError }
	| { kind: 'failure'; message: string; credentialProblem: boolean };

function normalizeHeaders(raw: unknown): Record<string, string> {
	const headers: Record<string, string> = {};
	if (typeof raw !== 'object' || raw === null) return headers;
	const source =
		typeof (raw as { toJSON?: unknown }).toJSON === 'function'
			? ((raw as { toJSON: () => unknown }).toJSON() as Record<string, unknown>)
			: (raw as Record<string, unknown>);
	for (const [name, value] of Object.entries(source ?? {})) {
		if (value === undefined || value === null || typeof value === 'function') continue;
		headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return headers;
}

function normalizeBody(raw: unknown): IDataObject | null {
	if (raw === undefined || raw === null || raw === '') return null;
	if (typeof raw === 'string') {
		const text = raw.trim();
		if (!text) return null;
		try {
			raw = JSON.parse(text);
		} catch {
			return { message: text.slice(0, 1000) };
		}
	}
	if (Array.isArray(raw)) return { data: raw as IDataObject[] };
	if (typeof raw === 'object' && raw !== null) return raw as IDataObject;
	return { message: String(raw) };
}

function answerFromFullResponse(raw: unknown): ZohoHttpAnswer {
	const response = (raw ?? {}) as { statusCode?: unknown; body?: unknown; headers?: unknown };
	return {
		status: typeof response.statusCode === 'number' ? response.statusCode : 200,
		body: normalizeBody(response.body),
		headers: normalizeHeaders(response.headers),
	};
}

/** The error and its causes (n8n wraps the axios error in NodeApiError.cause). */
function causeChain(error: unknown): Array<Record<string, unknown>> {
	const chain: Array<Record<string, unknown>> = [];
	let current: unknown = error;
	while (typeof current === 'object' && current !== null && chain.length < 8) {
		if (chain.includes(current as Record<string, unknown>)) break;
		chain.push(current as Record<string, unknown>);
		current = (current as { cause?: unknown }).cause;
	}
	return chain;
}

function networkCodeOf(entry: Record<string, unknown>): string | null {
	const code = typeof entry.code === 'string' ? entry.code.toUpperCase() : '';
	if (isNetworkErrorCode(code)) return code;
	const message = typeof entry.message === 'string' ? entry.message.toLowerCase() : '';
	if (message.includes('socket hang up')) return 'ECONNRESET';
	if (message.includes('timeout') || message.includes('timed out')) return 'TIMEOUT';
	return null;
}

/** Reads what happened from an error thrown by n8n's request helpers (see n8n-core request-helpers). */
function outcomeFromError(error: unknown): Outcome {
	const chain = causeChain(error);
	const tokenError = chain.find((entry) => isZohoTokenError(entry));
	if (tokenError) return { kind: 'token', error: tokenError as unknown as ZohoTokenError };
	for (const entry of chain) {
		const response = entry.response as { status?: unknown; data?: unknown; headers?: unknown } | undefined;
		if (response && typeof response === 'object' && typeof response.status === 'number') {
			return {
				kind: 'answer',
				answer: {
					status: response.status,
					body: normalizeBody(response.data),
					headers: normalizeHeaders(response.headers),
				},
			};
		}
	}
	// OAuth2 refresh errors from @n8n/client-oauth2 carry Zoho's token answer in `body`
	for (const entry of chain) {
		const body = normalizeBody(entry.body);
		if (body && typeof body.error === 'string' && body.error) {
			return {
				kind: 'token',
				error: zohoTokenError(body, typeof entry.status === 'number' ? entry.status : null),
			};
		}
	}
	for (const entry of chain) {
		const code = networkCodeOf(entry);
		if (code) {
			const message = typeof entry.message === 'string' ? entry.message : code;
			return { kind: 'network', code, message };
		}
	}
	const top = chain[0] ?? {};
	const httpCode = Number(top.httpCode);
	if (Number.isInteger(httpCode) && httpCode >= 100) {
		const context = top.context as { data?: unknown } | undefined;
		return { kind: 'answer', answer: { status: httpCode, body: normalizeBody(context?.data), headers: {} } };
	}
	const message =
		typeof top.message === 'string' && top.message ? top.message : 'Unknown error while calling Zoho CRM';
	return {
		kind: 'failure',
		message,
		credentialProblem: /credential|oauth|token|reconnect|not connected/i.test(message),
	};
}

/** Zoho's error object for a whole call: top-level {code, message, details} or the first data[] entry. */
export function zohoTopLevelError(
	body: IDataObject | null,
): { code: string | null; message: string | null; details: IDataObject } {
	if (!body) return { code: null, message: null, details: {} };
	const data = Array.isArray(body.data) ? (body.data as IDataObject[]) : null;
	const source =
		typeof body.code === 'string'
			? body
			: data && data[0] && typeof data[0] === 'object' && typeof data[0].code === 'string'
				? data[0]
				: body;
	const details =
		typeof source.details === 'object' && source.details !== null && !Array.isArray(source.details)
			? (source.details as IDataObject)
			: {};
	return {
		code: typeof source.code === 'string' ? source.code : null,
		message: typeof source.message === 'string' ? source.message : null,
		details,
	};
}

/** X-API-CREDITS-REMAINING as a number, else null (Zoho sends it once half of the daily credits are used). */
export function creditsRemaining(headers: Record<string, string>): number | null {
	const value = headers['x-api-credits-remaining'];
	if (value === undefined || value.trim() === '') return null;
	const credits = Number(value);
	return Number.isFinite(credits) ? credits : null;
}

/** A failed outcome as the retry policy sees it. */
function failedAttempt(outcome: Outcome): FailedAttempt {
	if (outcome.kind === 'answer') {
		return { kind: 'answer', status: outcome.answer.status, retryAfterHeader: outcome.answer.headers['retry-after'] };
	}
	if (outcome.kind === 'network') return { kind: 'network', code: outcome.code };
	return { kind: 'other' };
}

function needsTokenRefresh(outcome: Outcome): boolean {
	return (
		outcome.kind === 'answer' &&
		isExpiredTokenAnswer(outcome.answer.status, zohoTopLevelError(outcome.answer.body).code)
	);
}

function syncErrorFromOutcome(outcome: Outcome, request: ZohoRequest, attempts: number): ZohoSyncError {
	const summary = { method: request.method, path: request.path, body: request.body ?? null };
	const base = { operation: request.operation, request: summary, attempts };
	switch (outcome.kind) {
		case 'answer': {
			const { status, body } = outcome.answer;
			const zoho = zohoTopLevelError(body);
			const category = zohoErrorCategory(status, zoho.code);
			const details: IDataObject = { ...zoho.details };
			if (category === 'scope') {
				const scope = zohoScopeForPath(request.path);
				if (scope) details.requiredScope = scope;
			}
			return toSyncError({
				...base,
				category,
				httpCode: status,
				zohoCode: zoho.code,
				message: zoho.message ?? `HTTP ${status}`,
				details,
			});
		}
		case 'network':
			return toSyncError({
				...base,
				category: 'network',
				message: outcome.code === 'TIMEOUT' ? 'no answer in time' : outcome.message,
				details: { networkCode: outcome.code },
			});
		case 'token':
			return toSyncError({
				...base,
				category: outcome.error.kind,
				httpCode: outcome.error.httpStatus,
				zohoCode: outcome.error.zohoError,
				message: outcome.error.message,
			});
		default:
			return toSyncError({
				...base,
				category: outcome.credentialProblem ? 'auth' : 'network',
				message: outcome.message,
			});
	}
}

/**
 * The single place that sends HTTP to Zoho CRM: base URL and auth from the credential, per-org concurrency cap,
 * one token refresh on 401, retries as retryPolicy.ts decides, Zoho errors turned into
 * ZohoApiError carrying a ZohoSyncError. Returns every 2xx answer (204 → body null).
 */
export async function zohoApiRequest(this: ZohoContext, request: ZohoRequest): Promise<ZohoResponse> {
	const credentialType = zohoCredentialType.call(this);
	const key = zohoCredentialKey.call(this, credentialType);
	const { baseUrl, accessToken: tokenAtStart } = await readZohoCredential.call(this);
	const budgetMs = Math.max(0, request.limits?.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS);
	const maxConcurrency = Math.max(1, Math.floor(request.limits?.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY));
	const idempotent = request.idempotent !== false;

	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}${request.path.startsWith('/') ? '' : '/'}${request.path}`,
		json: true,
		returnFullResponse: true,
		timeout: REQUEST_TIMEOUT_MS,
	};
	if (request.body !== undefined) options.body = request.body;
	if (request.qs !== undefined) options.qs = request.qs;

	// n8n 2.x signs OAuth2 requests as "Bearer <token>" (ClientOAuth2Token.sign); any other tokenType moves the
	// token into the query string. Zoho accepts "Bearer" as well as "Zoho-oauthtoken" in the header
	// (https://www.zoho.com/accounts/protocol/oauth/use-access-token.html).
	const credentialOptions: IAdditionalCredentialOptions | undefined =
		credentialType === 'zohoCrmOAuth2Api' ? { oauth2: { tokenType: 'Bearer' } } : undefined;

	/**
	 * throwing = false: every status comes back as an answer (ignoreHttpStatusErrors), so n8n does not refresh.
	 * throwing = true: n8n's own mechanism refreshes on 401 and retries once (OAuth2: requestOAuth2;
	 * refresh-token credential: preAuthentication with credentialsExpired); we read the outcome from the error.
	 */
	const sendOnce = async (throwing: boolean): Promise<Outcome> =>
		await semaphore.run(
			key,
			maxConcurrency,
			async () => {
				try {
					const response: unknown = await this.helpers.httpRequestWithAuthentication.call(
						this,
						credentialType,
						{ ...options, timeout: attemptTimeoutMs(), ignoreHttpStatusErrors: !throwing },
						credentialOptions,
					);
					return { kind: 'answer', answer: answerFromFullResponse(response) } as Outcome;
				} catch (error) {
					return outcomeFromError(error);
				}
			},
			request.slots ?? 1,
		);

	let attempts = 0;
	const startedAt = clock.now();
	let retryIndex = 0;
	// n8n aborts this signal when the execution is cancelled (stop button, EXECUTIONS_TIMEOUT): a back-off wait
	// then ends at once instead of outliving the execution.
	const cancelled = (this as Partial<IExecuteFunctions>).getExecutionCancelSignal?.();
	// The budget is wall-clock: an attempt may not run past it (but gets at least MIN_ATTEMPT_TIMEOUT_MS).
	const attemptTimeoutMs = () =>
		Math.max(MIN_ATTEMPT_TIMEOUT_MS, Math.min(REQUEST_TIMEOUT_MS, budgetMs - (clock.now() - startedAt)));
	let refreshed = false;
	for (;;) {
		attempts++;
		const sentAt = clock.now();
		let outcome = await sendOnce(false);
		if (!refreshed && needsTokenRefresh(outcome)) {
			refreshed = true;
			attempts++;
			outcome = await refreshAndResend(key, sentAt, sendOnce, async () => {
				// another queue-mode worker (its own process memory) may have refreshed and stored a new token
				const stored = await readZohoCredential.call(this).catch(() => null);
				return stored !== null && stored.accessToken !== null && stored.accessToken !== tokenAtStart;
			});
		}
		if (outcome.kind === 'answer' && outcome.answer.status < 300) {
			return {
				status: outcome.answer.status,
				body: outcome.answer.body,
				headers: outcome.answer.headers,
				attempts,
				creditsRemaining: creditsRemaining(outcome.answer.headers),
			};
		}
		const decision = retryDecision(failedAttempt(outcome), idempotent);
		if (decision.retry && !cancelled?.aborted) {
			const delayMs = retryDelayMs(retryIndex, decision.retryAfterMs);
			retryIndex++;
			if (mayRetry(attempts, clock.now() - startedAt, delayMs, budgetMs)) {
				await clock.wait(delayMs, cancelled);
				continue;
			}
		}
		const syncError = syncErrorFromOutcome(outcome, request, attempts);
		if (refreshed && credentialType === 'zohoCrmOAuth2Api' && syncError.httpCode === 401) {
			await explainFailedOAuth2Refresh.call(this, syncError);
		}
		throw new ZohoApiError(this.getNode(), syncError, {
			answer: outcome.kind === 'answer' ? outcome.answer : null,
		});
	}
}

/**
 * n8n merges Zoho's refresh answer over the stored token data even when Zoho answered HTTP 200 with
 * `{"error": "invalid_code"}`, then retries with the old token. The stored `error` key tells why the 401 stayed.
 */
async function explainFailedOAuth2Refresh(this: ZohoContext, syncError: ZohoSyncError): Promise<void> {
	try {
		const credentials = await this.getCredentials('zohoCrmOAuth2Api');
		const tokenData = credentials.oauthTokenData as IDataObject | undefined;
		if (typeof tokenData?.error !== 'string' || !tokenData.error) return;
		const tokenError = zohoTokenError(tokenData, null);
		syncError.category = tokenError.kind;
		syncError.message = tokenError.message;
		syncError.details = { ...syncError.details, tokenError: tokenData.error };
	} catch {
		// keep Zoho's 401 as it is
	}
}

/**
 * One refresh per credential at a time: calls that hit 401 while another call refreshes wait for it and then
 * resend normally. n8n serialises OAuth2 refreshes itself, but not preAuthentication, and Zoho allows only
 * 10 tokens per refresh token in 10 minutes; after "Access Denied" we stop asking for 10 minutes.
 * Across queue-mode workers the credential in n8n's database is what is shared: when the stored token is no longer
 * the one this call started with, another worker has refreshed, and the call is resent with that token first.
 */
async function refreshAndResend(
	key: string,
	sentAt: number,
	sendOnce: (throwing: boolean) => Promise<Outcome>,
	tokenChangedElsewhere: () => Promise<boolean>,
): Promise<Outcome> {
	const blockedUntil = tokenBlockedUntil.get(key);
	if (blockedUntil !== undefined && blockedUntil > clock.now()) {
		return {
			kind: 'token',
			error: new ZohoTokenError(ZOHO_TOKEN_THROTTLE_MESSAGE, 'Access Denied', 'rate_limit', null),
		};
	}
	/** A refresh by another call of this process (running, or done after this call was sent) makes ours needless. */
	const refreshedInProcess = async (): Promise<Outcome | undefined> => {
		const running = refreshesInFlight.get(key);
		if (running) {
			const ownerOutcome = await running;
			return ownerOutcome.kind === 'token' ? ownerOutcome : await sendOnce(false);
		}
		if ((lastRefreshAt.get(key) ?? -Infinity) > sentAt) return await sendOnce(false);
		return undefined;
	};
	const joined = await refreshedInProcess();
	if (joined) return joined;
	if (await tokenChangedElsewhere()) {
		const resent = await sendOnce(false);
		if (!needsTokenRefresh(resent)) return resent;
	}
	// while the stored token was read, a call of this process may have started (or finished) the refresh
	const joinedMeanwhile = await refreshedInProcess();
	if (joinedMeanwhile) return joinedMeanwhile;
	const refresh = sendOnce(true).then((outcome) => {
		if (outcome.kind === 'token' && outcome.error.kind === 'rate_limit') {
			tokenBlockedUntil.set(key, clock.now() + TOKEN_THROTTLE_COOLDOWN_MS);
		} else {
			lastRefreshAt.set(key, clock.now());
		}
		return outcome;
	});
	refreshesInFlight.set(key, refresh);
	try {
		return await refresh;
	} finally {
		refreshesInFlight.delete(key);
	}
}
