import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { WriteSettings } from '../helpers/groupedWrites';
import { isRetryOnFailRun, retryWaitBudgetMs } from '../transport';

/* Run-time readers of the parameters described in common.descriptions.ts. */

/**
 * This process's share of the deployment-wide cap: n8n gives nodes no counter shared by queue-mode workers (and no
 * environment), so each of the N workers the user names keeps floor(cap / N) slots, at least 1.
 */
export function perWorkerConcurrency(maxConcurrency: unknown, workers: unknown): number {
	const cap = Math.max(1, Math.floor(Number(maxConcurrency ?? 5)) || 5);
	const sharing = Math.max(1, Math.floor(Number(workers ?? 1)) || 1);
	return Math.max(1, Math.floor(cap / sharing));
}

/** The "Options" collection: the wait budget (retryPolicy.retryWaitBudgetMs), the concurrency cap and automation. */
export function readCallOptions(this: IExecuteFunctions, itemIndex = 0): WriteSettings {
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return {
		limits: {
			maxRetryWaitMs: retryWaitBudgetMs(options.maxRetryWaitSeconds, isRetryOnFailRun(this)),
			maxConcurrency: perWorkerConcurrency(options.maxConcurrency, options.workersSharingLimit),
		},
		trigger: options.runAutomation === false ? [] : undefined,
	};
}

export function readCustomFields(this: IExecuteFunctions, itemIndex: number): Record<string, unknown> {
	const collection = this.getNodeParameter('customFields', itemIndex, {}) as {
		field?: Array<{ name: string; value: unknown }>;
	};
	const fields: Record<string, unknown> = {};
	for (const { name, value } of collection.field ?? []) {
		if (name) fields[name] = value;
	}
	return fields;
}

/** The Order ID parameter of one item, trimmed ('' when missing). */
export function readOrderId(this: IExecuteFunctions, itemIndex: number): string {
	return String(this.getNodeParameter('orderId', itemIndex, '') ?? '').trim();
}

/** The Order ID Field parameter (one Zoho field for the whole run), trimmed. */
export function readOrderIdField(this: IExecuteFunctions): string {
	return (this.getNodeParameter('orderIdField', 0) as string).trim();
}
