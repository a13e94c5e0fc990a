import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, INode, JsonObject } from 'n8n-workflow';

import type { ErrorCategory, ZohoRequestSummary, ZohoSyncError } from '../types';
import type { ZohoHttpAnswer } from './types';

/** Builds the flat ZohoSyncError object; also for local checks in operations (e.g. totals_mismatch). */
export function toSyncError(args: {
	category: ErrorCategory;
	message: string;
	operation: string;
	request?: Partial<ZohoRequestSummary> | null;
	httpCode?: number | null;
	zohoCode?: string | null;
	details?: IDataObject | null;
	attempts?: number;
	failedAt?: string;
}): ZohoSyncError {
	return {
		category: args.category,
		httpCode: args.httpCode ?? null,
		zohoCode: args.zohoCode ?? null,
		message: args.message,
		details: args.details ?? {},
		attempts: args.attempts ?? 0,
		request: {
			method: args.request?.method ?? '',
			path: args.request?.path ?? '',
			body: args.request?.body ?? null,
		},
		operation: args.operation,
		failedAt: args.failedAt ?? new Date().toISOString(),
	};
}

/** Zoho module API name → the module part of its OAuth scope. */
const MODULE_SCOPES: Record<string, string> = {
	Contacts: 'contacts',
	Accounts: 'accounts',
	Deals: 'deals',
	Sales_Orders: 'salesorders',
	Products: 'products',
	Leads: 'leads',
	Quotes: 'quotes',
	Invoices: 'invoices',
};

/** The scope a request path needs, as far as it can be told from the path (for OAUTH_SCOPE_MISMATCH). */
export function zohoScopeForPath(path: string): string | null {
	const [route] = path.split('?');
	if (/\/crm\/v\d+(\.\d+)?\/coql$/i.test(route)) return 'ZohoCRM.coql.READ (and READ on the queried module)';
	if (/\/settings\/fields/i.test(route)) return 'ZohoCRM.settings.fields.READ';
	if (/\/settings\/layouts/i.test(route)) return 'ZohoCRM.settings.layouts.READ';
	const module = /\/crm\/v\d+(?:\.\d+)?\/([A-Za-z0-9_]+)/.exec(route)?.[1];
	if (!module || module === 'settings' || module === 'org' || module === 'users') return null;
	const scopeModule = MODULE_SCOPES[module] ?? module.toLowerCase().replace(/_/g, '');
	if (/\/search$/i.test(route)) return `ZohoCRM.modules.${scopeModule}.READ and ZohoSearch.securesearch.READ`;
	return `ZohoCRM.modules.${scopeModule}.ALL`;
}

function fieldHint(details: IDataObject): string {
	const parts: string[] = [];
	if (typeof details.api_name === 'string' && details.api_name) parts.push(`field ${details.api_name}`);
	if (typeof details.expected_data_type === 'string' && details.expected_data_type) {
		parts.push(`expected ${details.expected_data_type}`);
	}
	if (typeof details.json_path === 'string' && details.json_path && parts.length === 0) {
		parts.push(`at ${details.json_path}`);
	}
	return parts.length ? ` (${parts.join(', ')})` : '';
}

const tries = (attempts: number) => `${attempts} attempt${attempts === 1 ? '' : 's'}`;

/** One readable line for the n8n UI. Avoids raw socket codes: n8n would replace the whole message for those. */
export function zohoErrorMessage(error: ZohoSyncError): string {
	const code = error.zohoCode ? `${error.zohoCode} — ` : '';
	switch (error.category) {
		case 'rate_limit':
			return `Zoho CRM is limiting requests: ${code}${error.message} (gave up after ${tries(error.attempts)})`;
		case 'server':
			return `Zoho CRM failed to process the request${
				error.httpCode ? ` (HTTP ${error.httpCode})` : ''
			}: ${code}${error.message} (after ${tries(error.attempts)})`;
		case 'network':
			return `Zoho CRM could not be reached: ${error.message} (after ${tries(error.attempts)})`;
		case 'scope': {
			const needed = typeof error.details.requiredScope === 'string' ? error.details.requiredScope : null;
			return `Zoho CRM rejected the request: ${code}${error.message}${
				needed ? ` — the credential needs the scope ${needed}; add it and reconnect` : ''
			}`;
		}
		default:
			return `Zoho CRM rejected the request: ${code}${error.message}${fieldHint(error.details)}`;
	}
}

const CATEGORY_HINTS: Record<ErrorCategory, string> = {
	validation: 'Fix the data or the field mapping; sending the same request again gives the same answer.',
	auth: 'Check or reconnect the Zoho credential (data center, client, refresh token, user permissions).',
	scope: 'Add the missing scope to the credential and reconnect it.',
	rate_limit: 'Zoho limits API credits per 24 hours and concurrent calls per user; retry later or lower concurrency.',
	server: 'A temporary Zoho problem is likely; retry later.',
	network: 'Zoho could not be reached; retry later.',
	totals_mismatch: 'The order totals do not add up; check the mapping of taxes, shipping and discounts.',
};

export function zohoErrorDescription(error: ZohoSyncError): string {
	const lines = [
		CATEGORY_HINTS[error.category],
		`Operation: ${error.operation}; request: ${error.request.method} ${error.request.path}; attempts: ${error.attempts}.`,
	];
	if (Object.keys(error.details).length) lines.push(`Details: ${JSON.stringify(error.details)}`);
	return lines.join('\n');
}

/** Thrown for whole-call failures after retries. `syncError` is what goes to the error output / dead letter. */
export class ZohoApiError extends NodeApiError {
	readonly syncError: ZohoSyncError;

	/** Zoho's last answer, when there was one (e.g. a 400 carrying per-record results). */
	readonly answer: ZohoHttpAnswer | null;

	constructor(
		node: INode,
		syncError: ZohoSyncError,
		options: { answer?: ZohoHttpAnswer | null; itemIndex?: number; description?: string } = {},
	) {
		super(node, syncError as unknown as JsonObject, {
			message: zohoErrorMessage(syncError),
			description: options.description ?? zohoErrorDescription(syncError),
			httpCode: syncError.httpCode === null ? undefined : String(syncError.httpCode),
			itemIndex: options.itemIndex,
		});
		this.syncError = syncError;
		this.answer = options.answer ?? null;
	}
}

export function isZohoApiError(error: unknown): error is ZohoApiError {
	return error instanceof ZohoApiError;
}
