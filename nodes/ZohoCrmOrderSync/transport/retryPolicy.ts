import type { ErrorCategory, ItemOutcome, ZohoRecordResult } from '../types';
import * as clock from './clock';

/*
 * How the Zoho node retries, in one place:
 *   1. categories: what a Zoho answer or a failed call is (zohoErrorCategory), and which categories are transient;
 *   2. what one call retries (retryDecision): 429 always, 5xx and network errors when the call is safe to repeat;
 *      a 401 with an expired token gets one refresh (isExpiredTokenAnswer);
 *   3. how long it waits: exponential back-off, or Zoho's Retry-After when that is longer (never below the
 *      back-off floor, so `Retry-After: 0` or a past date cannot make a tight loop), at most MAX_ATTEMPTS_PER_CALL
 *      attempts, within a wall-clock budget per call that counts request time as well as waits;
 *   4. DUPLICATE_DATA on an upsert's duplicate-check field is a lost race, sent once more (isRacedUpsert);
 *   5. n8n's retry-on-fail: the node puts a transient failure first so n8n re-runs it, and a re-run repeats only
 *      items whose last failure was transient, with one attempt per call (runLedger.ts keeps what was done).
 */

// 1. Categories ------------------------------------------------------------------------------------------------

/** Failures that may pass on their own. The rest are final for this order until someone fixes data or set-up. */
export const TRANSIENT_CATEGORIES: readonly ErrorCategory[] = ['rate_limit', 'server', 'network'];

export function isTransient(category: ErrorCategory): boolean {
	return TRANSIENT_CATEGORIES.includes(category);
}

const AUTH_CODES = new Set([
	'INVALID_TOKEN',
	'INVALID_OAUTHTOKEN',
	'AUTHENTICATION_FAILURE',
	'NO_PERMISSION',
	'AUTHORIZATION_FAILED',
	'OAUTH_SCOPE_MISMATCH',
]);

/** The error category for a Zoho answer (whole call or one record). */
export function zohoErrorCategory(httpCode: number | null, zohoCode: string | null): ErrorCategory {
	if (zohoCode === 'OAUTH_SCOPE_MISMATCH') return 'scope';
	if (zohoCode === 'TOO_MANY_REQUESTS' || httpCode === 429) return 'rate_limit';
	if (zohoCode !== null && AUTH_CODES.has(zohoCode)) return 'auth';
	if (zohoCode === 'INTERNAL_ERROR' || (httpCode !== null && httpCode >= 500)) return 'server';
	if (httpCode === 401 || httpCode === 403) return 'auth';
	return 'validation';
}

/** Errors where the request may have reached Zoho (so a plain insert may have been done). */
const AMBIGUOUS_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'TIMEOUT']);
/** Errors that prove the request never reached Zoho. */
const UNSENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether a socket error code is one the policy knows (and so a network failure rather than a bug). */
export function isNetworkErrorCode(code: string): boolean {
	return AMBIGUOUS_NETWORK_CODES.has(code) || UNSENT_NETWORK_CODES.has(code);
}

// 2. What one call retries -------------------------------------------------------------------------------------

/** A failed attempt as the policy needs to see it. */
export type FailedAttempt =
	| { kind: 'answer'; status: number; retryAfterHeader?: string }
	| { kind: 'network'; code: string }
	| { kind: 'other' };

/**
 * Whether a failed attempt may be sent again, and how long Zoho asked us to wait (null: not said).
 * idempotent = false for plain inserts: a 5xx, a timeout or a dropped connection may hide a record Zoho did
 * create, so only answers that prove nothing was done (429, connection refused) are retried.
 */
export function retryDecision(attempt: FailedAttempt, idempotent: boolean): { retry: boolean; retryAfterMs: number | null } {
	if (attempt.kind === 'answer') {
		// a 429 means Zoho did nothing, so even an insert may be sent again
		if (attempt.status === 429) return { retry: true, retryAfterMs: retryAfterMs(attempt.retryAfterHeader) };
		if (attempt.status >= 500 && idempotent) return { retry: true, retryAfterMs: retryAfterMs(attempt.retryAfterHeader) };
		return { retry: false, retryAfterMs: null };
	}
	if (attempt.kind === 'network') {
		return { retry: idempotent || UNSENT_NETWORK_CODES.has(attempt.code), retryAfterMs: null };
	}
	return { retry: false, retryAfterMs: null };
}

/** 401 codes that mean "this access token is no good", answered by one refresh. */
const EXPIRED_TOKEN_CODES = new Set(['INVALID_TOKEN', 'INVALID_OAUTHTOKEN', 'AUTHENTICATION_FAILURE']);

/** Whether a 401 asks for one token refresh. Scope mismatches are 401 too, but a new token would not help. */
export function isExpiredTokenAnswer(status: number, zohoCode: string | null): boolean {
	return status === 401 && (zohoCode === null || EXPIRED_TOKEN_CODES.has(zohoCode));
}

/** Zoho blocks token creation for the rest of a 10-minute window once 10 tokens were made from one refresh token. */
export const TOKEN_THROTTLE_COOLDOWN_MS = 10 * 60_000;

// 3. How long it waits -----------------------------------------------------------------------------------------

/** Default of the node option "Max Retry Wait": the wall-clock time one call may spend, requests and waits. */
export const DEFAULT_MAX_RETRY_WAIT_MS = 60_000;

/** Attempts of one call, whatever the budget: a storm of quick 429s ends too. */
export const MAX_ATTEMPTS_PER_CALL = 6;

/** Back-off without Retry-After: 1 s, 5 s, 25 s, 125 s … each ×(0.8–1.2). Zoho documents no Retry-After. */
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_FACTOR = 5;

export function backoffMs(retryIndex: number): number {
	const jitter = 0.8 + 0.4 * clock.random();
	return Math.round(BACKOFF_BASE_MS * BACKOFF_FACTOR ** retryIndex * jitter);
}

/** Retry-After as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined): number | null {
	if (!value) return null;
	const seconds = Number(value.trim());
	if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
	const date = Date.parse(value);
	if (!Number.isNaN(date)) return Math.max(0, date - clock.now());
	return null;
}

/** The wait before retry number `retryIndex` (0-based): Zoho's Retry-After, but never below the back-off floor. */
export function retryDelayMs(retryIndex: number, retryAfter: number | null): number {
	return Math.max(retryAfter ?? 0, backoffMs(retryIndex));
}

/**
 * Whether one more attempt fits: fewer than MAX_ATTEMPTS_PER_CALL so far, and the time spent since the call
 * began (requests included) plus the wait still inside the budget.
 */
export function mayRetry(attempts: number, elapsedMs: number, delayMs: number, budgetMs: number): boolean {
	return attempts < MAX_ATTEMPTS_PER_CALL && elapsedMs + delayMs <= budgetMs;
}

/**
 * The wait budget of one call from the node option (seconds). A retry-on-fail re-run gets 0 (one attempt,
 * no back-off): the first run already spent the item's budget, and n8n waits between tries itself.
 */
export function retryWaitBudgetMs(maxRetryWaitSeconds: unknown, isRetryOnFailRun: boolean): number {
	if (isRetryOnFailRun) return 0;
	return Math.max(0, Number(maxRetryWaitSeconds ?? DEFAULT_MAX_RETRY_WAIT_MS / 1000)) * 1000;
}

// 4. Lost upsert races -----------------------------------------------------------------------------------------

/**
 * DUPLICATE_DATA on an upsert, on one of its duplicate-check fields, means another upsert inserted the same key
 * between Zoho's lookup and its write. Sent once more, the record finds the new one and updates it.
 */
export function isRacedUpsert(result: ZohoRecordResult, duplicateCheckFields: ReadonlySet<string>): boolean {
	return (
		!result.ok &&
		result.error.zohoCode === 'DUPLICATE_DATA' &&
		typeof result.error.details.api_name === 'string' &&
		duplicateCheckFields.has(result.error.details.api_name)
	);
}

// 5. n8n's retry-on-fail ---------------------------------------------------------------------------------------

/**
 * Runs that are n8n retry-on-fail re-runs (see retryWaitBudgetMs). Keyed by the execute context object,
 * which n8n creates anew for every run of a node.
 */
const retryOnFailRuns = new WeakSet<object>();

export function markRetryOnFailRun(context: object): void {
	retryOnFailRuns.add(context);
}

export function isRetryOnFailRun(context: object): boolean {
	return retryOnFailRuns.has(context);
}

/**
 * Whether a re-run reuses an item's earlier outcome instead of sending it again: successes and final failures
 * are reused (sending a refused 400 again gives the same answer, repeating an upsert does nothing useful);
 * transient failures are tried again.
 */
export function reuseOnRerun(previous: ItemOutcome): boolean {
	return previous.ok || !isTransient(previous.error.category);
}

/**
 * Output order for n8n's retry-on-fail, which re-runs the node only when the FIRST returned item has
 * `json.error`: a transient failure goes first (a re-run may help), else successes (a re-run would not).
 */
export function orderForRetryOnFail<T>(groups: { transient: T[]; succeeded: T[]; final: T[] }): T[] {
	return [...groups.transient, ...groups.succeeded, ...groups.final];
}
