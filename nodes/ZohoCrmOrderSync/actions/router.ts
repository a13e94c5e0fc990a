import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { ZohoSyncError } from '../helpers/interfaces';
import { buildOutput } from '../helpers/outcomes';
import { RunLedger, retryRuns, type ItemOutcome } from '../helpers/runLedger';
import * as account from './account/Account.resource';
import * as contact from './contact/Contact.resource';
import * as deal from './deal/Deal.resource';
import * as setUpOrderIdField from './orderIdField/setUp.operation';
import * as product from './product/Product.resource';
import * as salesOrder from './salesOrder/SalesOrder.resource';

type ItemOperation = (this: IExecuteFunctions, indices: number[]) => Promise<Map<number, ItemOutcome>>;

const itemOperations: Record<string, Record<string, ItemOperation>> = {
	account: { upsert: account.upsert.execute },
	contact: { upsert: contact.upsert.execute },
	deal: { create: deal.create.execute },
	product: { upsert: product.upsert.execute },
	salesOrder: { create: salesOrder.create.execute },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;

	if (operation === 'setUpOrderIdField') return [await setUpOrderIdField.executeOnce.call(this)];

	const execute = itemOperations[resource]?.[operation];
	if (!execute) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}

	const ledger = RunLedger.forRun(this, items);
	const outcomes = new Map<number, ItemOutcome>();
	const pending: number[] = [];
	items.forEach((_, index) => {
		const earlier = ledger.reusable(index);
		if (earlier) outcomes.set(index, earlier);
		else pending.push(index);
	});

	if (pending.length) {
		if (ledger.isRetryOf(pending)) retryRuns.add(this);
		let fresh: Map<number, ItemOutcome>;
		try {
			fresh = await execute.call(this, pending);
		} catch (error) {
			// A call every item depends on (e.g. field metadata) failed after the transport's retries.
			const syncError = (error as { syncError?: ZohoSyncError }).syncError;
			if (!syncError) throw error;
			fresh = new Map(pending.map((index) => [index, { ok: false, error: { ...syncError } }]));
		}
		for (const index of pending) {
			const outcome: ItemOutcome = fresh.get(index) ?? {
				ok: false,
				error: {
					category: 'validation',
					httpCode: null,
					zohoCode: null,
					message: 'The item was not processed',
					details: {},
					attempts: 0,
					request: { method: '', path: '', body: null },
					operation: `${resource}.${operation}`,
					failedAt: new Date().toISOString(),
				},
			};
			if (!outcome.ok) {
				outcome.error = {
					...outcome.error,
					attempts: outcome.error.attempts + ledger.previousAttempts(index),
					node: this.getNode().name,
				};
			}
			ledger.record(index, outcome);
			outcomes.set(index, outcome);
		}
	}
	return [buildOutput(this, items.length, outcomes)];
}
