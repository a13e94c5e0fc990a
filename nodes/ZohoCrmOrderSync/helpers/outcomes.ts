import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';

import { isTransient, orderForRetryOnFail, toSyncError, zohoErrorDescription, zohoErrorMessage } from '../transport';
import type { ErrorCategory, ItemOutcome, ZohoRecordResult, ZohoSyncError } from '../types';

/** A failure found before or without asking Zoho (missing email, totals that do not add up …). */
export function localFailure(
	operation: string,
	category: ErrorCategory,
	message: string,
	details: IDataObject = {},
	request: ZohoSyncError['request'] = { method: '', path: '', body: null },
): ZohoSyncError {
	return toSyncError({ category, message, details, request, operation });
}

/** An item the node refuses before Zoho sees it: bad or missing data, category validation. */
export function validationFailure(operation: string, message: string, details: IDataObject = {}): ItemOutcome {
	return { ok: false, error: localFailure(operation, 'validation', message, details) };
}

/** The same failure for every item, e.g. when what all of them need (the order-id field) is missing. */
export function failEvery(indices: number[], error: ZohoSyncError): Map<number, ItemOutcome> {
	return new Map(indices.map((index) => [index, { ok: false, error }]));
}

/** The item as it continues: the order it came with, plus what Zoho answered under `zoho.<what>`. */
export function withZohoResult(item: INodeExecutionData, results: IDataObject): IDataObject {
	const previous = (item.json.zoho as IDataObject | undefined) ?? {};
	return { ...item.json, zoho: { ...previous, ...results } };
}

export function recordSummary(result: Extract<ZohoRecordResult, { ok: true }>): IDataObject {
	return { id: result.id, action: result.action };
}

/** Lowercased, trimmed key for grouping records that Zoho would treat as the same (email, name). */
export const groupKey = (value: unknown): string => String(value ?? '').trim().toLowerCase();

/**
 * Turns per-item outcomes into the node's output.
 *
 * Failed items become `{ json: { error, message } }`: n8n 2.40 moves exactly that shape to the error
 * output (when onError is continueErrorOutput) and merges the original input item into it, so the error
 * branch gets the order plus a structured `error`. Throwing instead would send the input down the success
 * output. Without a continue mode, the first failure is thrown as the node's error.
 *
 * The order of the items is the retry policy's (orderForRetryOnFail).
 */
export function buildOutput(
	ctx: IExecuteFunctions,
	count: number,
	outcomes: Map<number, ItemOutcome>,
): INodeExecutionData[] {
	const transient: INodeExecutionData[] = [];
	const succeeded: INodeExecutionData[] = [];
	const final: INodeExecutionData[] = [];
	for (let index = 0; index < count; index++) {
		const outcome = outcomes.get(index);
		if (!outcome) continue;
		if (outcome.ok) {
			succeeded.push({ json: outcome.json, pairedItem: { item: index } });
			continue;
		}
		if (!ctx.continueOnFail()) {
			throw new NodeApiError(ctx.getNode(), outcome.error as unknown as JsonObject, {
				message: readableMessage(outcome.error),
				description: [zohoCodeLine(outcome.error), zohoErrorDescription(outcome.error)].filter(Boolean).join('\n'),
				httpCode: outcome.error.httpCode ? String(outcome.error.httpCode) : undefined,
				itemIndex: index,
			});
		}
		const errorItem = {
			json: { error: outcome.error, message: readableMessage(outcome.error) },
			pairedItem: { item: index },
		};
		(isTransient(outcome.error.category) ? transient : final).push(errorItem);
	}
	return orderForRetryOnFail({ transient, succeeded, final });
}

/** Zoho's own words stay in `error.message`; this one says what failed, for the n8n UI and logs. */
function readableMessage(error: ZohoSyncError): string {
	// local checks (no Zoho answer) already speak for themselves
	return error.httpCode === null && error.zohoCode === null ? error.message : zohoErrorMessage(error);
}

function zohoCodeLine(error: ZohoSyncError): string {
	if (!error.zohoCode && !error.httpCode) return '';
	return `Zoho answered ${error.zohoCode ?? 'an error'}${error.httpCode ? ` (HTTP ${error.httpCode})` : ''}: ${error.message}`;
}
