/**
 * Reading Zoho's answer to `POST {accounts}/oauth/v2/token` (refresh-token grant).
 *
 * Zoho answers token errors with an `error` key, often with HTTP 200 (Kaizen #43; token-validity pages), so the
 * body decides, never the status. https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token-expiry.html
 */

export interface ZohoTokenAnswer {
	accessToken: string;
	/** `api_domain`: the API base of the org's data center, e.g. https://www.zohoapis.eu. */
	apiDomain: string | null;
	/** Lifetime in milliseconds, or null when Zoho gave none. */
	expiresInMs: number | null;
}

/** Why a token request failed: 'auth' (fix the credential) or 'rate_limit' (Zoho's token throttle, wait). */
export type ZohoTokenErrorKind = 'auth' | 'rate_limit';

/** Thrown by the credential's preAuthentication; the transport recognises it through n8n's error wrapping. */
export class ZohoTokenError extends Error {
	readonly isZohoTokenError = true;

	constructor(
		message: string,
		/** Zoho's `error` value as sent (invalid_client, invalid_code, Access Denied …), or a short tag of ours. */
		readonly zohoError: string,
		readonly kind: ZohoTokenErrorKind,
		readonly httpStatus: number | null,
	) {
		super(message);
		this.name = 'ZohoTokenError';
	}
}

export function isZohoTokenError(error: unknown): error is ZohoTokenError {
	return (
		typeof error === 'object' &&
		error !== null &&
		(error as { isZohoTokenError?: unknown }).isZohoTokenError === true
	);
}

export const ZOHO_TOKEN_THROTTLE_MESSAGE =
	'Zoho is refusing new access tokens for this refresh token (Access Denied: too many requests). ' +
	'Zoho allows at most 10 access tokens per refresh token in 10 minutes and then blocks the rest of that window. ' +
	'Wait up to 10 minutes, and make sure no other workflow or system refreshes the same token in a loop.';

function asObject(raw: unknown): Record<string, unknown> | null {
	if (typeof raw === 'string') {
		try {
			raw = JSON.parse(raw);
		} catch {
			return null;
		}
	}
	return typeof raw === 'object' && raw !== null && !Array.isArray(raw)
		? (raw as Record<string, unknown>)
		: null;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

/** Maps Zoho's token `error` values to messages a user can act on. */
export function zohoTokenError(body: Record<string, unknown>, httpStatus: number | null): ZohoTokenError {
	const error = text(body.error);
	const description = text(body.error_description);
	const lower = `${error} ${description}`.toLowerCase();
	if (lower.includes('access denied') || lower.includes('too many requests') || lower.includes('throttle')) {
		return new ZohoTokenError(ZOHO_TOKEN_THROTTLE_MESSAGE, error || 'Access Denied', 'rate_limit', httpStatus);
	}
	if (error === 'invalid_code') {
		return new ZohoTokenError(
			'Zoho rejected the refresh token (invalid_code): it was revoked or belongs to another data center. ' +
				'Generate a new refresh token (Self Client) or reconnect the credential, and check the Data Center.',
			error,
			'auth',
			httpStatus,
		);
	}
	if (error === 'invalid_client') {
		return new ZohoTokenError(
			'Zoho does not know this client (invalid_client): check the Client ID and Client Secret, and that the ' +
				'Data Center is the one where the client was created (a wrong data center gives this same error).',
			error,
			'auth',
			httpStatus,
		);
	}
	return new ZohoTokenError(
		`Zoho's token endpoint refused the request${error ? ` (${error})` : ''}${
			description ? `: ${description}` : ''
		}. Check the credential and reconnect it if needed.`,
		error || 'token_error',
		'auth',
		httpStatus,
	);
}

/**
 * Parses a refresh-token answer. Throws ZohoTokenError on an `error` key or when no access token came back;
 * never a TypeError, whatever the body.
 */
export function parseZohoTokenAnswer(raw: unknown, httpStatus: number | null = null): ZohoTokenAnswer {
	const body = asObject(raw);
	if (body === null) {
		throw new ZohoTokenError(
			`Zoho's token endpoint gave an unreadable answer${httpStatus ? ` (HTTP ${httpStatus})` : ''}. ` +
				'Check the Data Center / Accounts Server URL.',
			'unreadable_answer',
			'auth',
			httpStatus,
		);
	}
	if (body.error !== undefined && body.error !== null && body.error !== '') {
		throw zohoTokenError(body, httpStatus);
	}
	const accessToken = text(body.access_token);
	if (!accessToken) {
		throw new ZohoTokenError(
			`Zoho's token endpoint gave no access token${httpStatus ? ` (HTTP ${httpStatus})` : ''}. ` +
				'Check the Data Center and reconnect the credential.',
			'no_access_token',
			'auth',
			httpStatus,
		);
	}
	const apiDomain = text(body.api_domain).trim();
	return { accessToken, apiDomain: apiDomain || null, expiresInMs: zohoTokenLifetimeMs(body) };
}

/**
 * `expires_in` is in seconds; a legacy variant sends `expires_in_sec` (seconds) and `expires_in` in milliseconds.
 * The official SDK reads it the same way (oauth_token.js#getTokenExpiryTime).
 */
export function zohoTokenLifetimeMs(body: Record<string, unknown>): number | null {
	const seconds = Number(body.expires_in_sec);
	if (body.expires_in_sec !== undefined && Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
	const expiresIn = Number(body.expires_in);
	if (body.expires_in !== undefined && Number.isFinite(expiresIn) && expiresIn > 0) return expiresIn * 1000;
	return null;
}
