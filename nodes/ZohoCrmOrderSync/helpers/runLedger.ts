import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { RETRYABLE_CATEGORIES, type ZohoSyncError } from './interfaces';

export type ItemOutcome = { ok: true; json: IDataObject } | { ok: false; error: ZohoSyncError };

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
 * only retries items whose last failure was transient (rate limit, server, network).
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
		if (!previous) return undefined;
		if (previous.ok || !RETRYABLE_CATEGORIES.includes(previous.error.category)) return previous;
		return undefined;
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

/**
 * Runs that are n8n retry-on-fail re-runs. Their calls get one attempt without backoff: the first run
 * already spent the item's wait budget, and n8n waits between tries itself.
 */
export const retryRuns = new WeakSet<object>();
