import { createHash } from 'crypto';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { ItemOutcome, ZohoSyncError } from '../types';
import { toSyncError } from './errors';
import { asNodeError } from '../../shared/nodeError';
import { markRetryOnFailRun, reuseOnRerun } from './retryPolicy';

interface LedgerEntry {
	outcomes: Map<number, ItemOutcome>;
	touchedAt: number;
}

const MAX_ENTRIES = 500;
const TTL_MS = 60 * 60 * 1000;
const ledgers = new Map<string, LedgerEntry>();

/**
 * What this node already did for these exact items in this execution.
 *
 * n8n's retry-on-fail re-runs the whole node when its first returned item has `json.error`, which is how
 * our error items look (that shape is what routes them to the error output). Without this ledger a
 * re-run would send a refused 400 to Zoho again and repeat every successful upsert. With it, a re-run
 * only repeats what retryPolicy.reuseOnRerun() says.
 */
export class RunLedger {
	private constructor(private readonly entry: LedgerEntry) {}

	static forRun(ctx: IExecuteFunctions, items: INodeExecutionData[]): RunLedger {
		const now = Date.now();
		for (const [key, value] of ledgers) {
			if (now - value.touchedAt > TTL_MS) ledgers.delete(key);
		}
		const fingerprint = createHash('sha256')
			.update(JSON.stringify(items.map((item) => item.json)))
			.digest('hex');
		const key = `${ctx.getExecutionId() ?? 'manual'}|${ctx.getNode().name}|${fingerprint}`;
		let entry = ledgers.get(key);
		if (!entry) {
			entry = { outcomes: new Map(), touchedAt: now };
			ledgers.set(key, entry);
			if (ledgers.size > MAX_ENTRIES) ledgers.delete(ledgers.keys().next().value as string);
		}
		entry.touchedAt = now;
		return new RunLedger(entry);
	}

	/** The earlier outcome to reuse, or undefined when the item must be (re)processed. */
	reusable(index: number): ItemOutcome | undefined {
		const previous = this.entry.outcomes.get(index);
		return previous && reuseOnRerun(previous) ? previous : undefined;
	}

	/** HTTP attempts already spent on this item by earlier runs (so dead letters count them all). */
	previousAttempts(index: number): number {
		const previous = this.entry.outcomes.get(index);
		return previous && !previous.ok ? previous.error.attempts : 0;
	}

	record(index: number, outcome: ItemOutcome): void {
		this.entry.outcomes.set(index, outcome);
	}

	/** Whether this run repeats items that already failed transiently in this execution (a retry-on-fail re-run). */
	isRetryOf(indices: number[]): boolean {
		return indices.some((index) => this.entry.outcomes.has(index));
	}
}

/** One operation over the items it is given (indices into the node's input), answering per item. */
export type ItemOperation = (this: IExecuteFunctions, indices: number[]) => Promise<Map<number, ItemOutcome>>;

/**
 * Runs an item operation under the ledger: items with a reusable earlier outcome are not sent again, the others
 * go to `execute`; every failure counts the attempts of earlier runs and names this node.
 */
export async function runWithLedger(
	this: IExecuteFunctions,
	operationName: string,
	execute: ItemOperation,
): Promise<Map<number, ItemOutcome>> {
	const items = this.getInputData();
	const ledger = RunLedger.forRun(this, items);
	const outcomes = new Map<number, ItemOutcome>();
	const pending: number[] = [];
	items.forEach((_, index) => {
		const earlier = ledger.reusable(index);
		if (earlier) outcomes.set(index, earlier);
		else pending.push(index);
	});
	if (!pending.length) return outcomes;

	if (ledger.isRetryOf(pending)) markRetryOnFailRun(this);
	let fresh: Map<number, ItemOutcome>;
	try {
		fresh = await execute.call(this, pending);
	} catch (error) {
		// A call every item depends on (e.g. field metadata) failed after the transport's retries.
		const syncError = (error as { syncError?: ZohoSyncError }).syncError;
		if (!syncError) throw asNodeError(this.getNode(), error);
		fresh = new Map(pending.map((index) => [index, { ok: false, error: { ...syncError } }]));
	}
	for (const index of pending) {
		const outcome: ItemOutcome = fresh.get(index) ?? {
			ok: false,
			error: toSyncError({ category: 'validation', message: 'The item was not processed', operation: operationName }),
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
	return outcomes;
}
