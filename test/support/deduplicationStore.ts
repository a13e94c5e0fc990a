/**
 * n8n's deduplication store (table `processed_data`) for tests, plugged into n8n-core's DataDeduplicationService so
 * a node's `this.helpers.checkProcessedAndRecord` / `removeProcessed` reach it through n8n-core as in n8n.
 *
 * n8n's own store (DeduplicationHelper in the `n8n` CLI package, deduplication/deduplication-helper.ts of n8n 2.40)
 * needs n8n's database; this one has its semantics in mode "entries": one list per workflow (and per node for scope
 * "node"); checkProcessedAndRecord answers which items were in it and appends the others; every call rewrites the
 * whole list, trimmed to the newest `maxEntries`; removeProcessed drops the items given. n8n keeps md5 hashes of the
 * items; this keeps the items themselves so a test can read them.
 */
import type {
	DeduplicationItemTypes,
	DeduplicationScope,
	ICheckProcessedContextData,
	ICheckProcessedOptions,
	IDataDeduplicator,
	IDeduplicationOutput,
} from 'n8n-workflow';
import { DataDeduplicationService } from 'n8n-core';

export class DeduplicationStore implements IDataDeduplicator {
	/** Every call as `record <n>` / `remove <n>` (n items), in order: each is one database write in n8n. */
	readonly calls: string[] = [];
	private readonly lists = new Map<string, string[]>();
	private failingRemoves = 0;

	private listKey(scope: DeduplicationScope, contextData: ICheckProcessedContextData): string {
		return `${contextData.workflow.id}|${scope === 'node' ? `n:${contextData.node?.id ?? ''}` : ''}`;
	}

	/** What the store holds for workflow `workflowId` (scope "workflow"), oldest first. */
	entries(workflowId: string): string[] {
		return [...(this.lists.get(`${workflowId}|`) ?? [])];
	}

	/** Sets what the store holds for workflow `workflowId`, as an earlier version of the node left it. */
	seed(workflowId: string, entries: string[]): void {
		this.lists.set(`${workflowId}|`, [...entries]);
	}

	/** The next `count` removeProcessed calls fail: the process died between a probe's two database writes. */
	failNextRemoves(count: number): void {
		this.failingRemoves = count;
	}

	reset(): void {
		this.lists.clear();
		this.calls.length = 0;
		this.failingRemoves = 0;
	}

	async checkProcessedAndRecord(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<IDeduplicationOutput> {
		this.calls.push(`record ${items.length}`);
		const list = this.lists.get(this.listKey(scope, contextData)) ?? [];
		const known = new Set(list);
		const answer: IDeduplicationOutput = { new: [], processed: [] };
		for (const item of items) {
			if (known.has(String(item))) answer.processed.push(item);
			else {
				answer.new.push(item);
				list.push(String(item));
			}
		}
		if (options.maxEntries) list.splice(0, list.length - options.maxEntries);
		this.lists.set(this.listKey(scope, contextData), list);
		return answer;
	}

	async removeProcessed(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
	): Promise<void> {
		this.calls.push(`remove ${items.length}`);
		if (this.failingRemoves > 0) {
			this.failingRemoves--;
			throw new Error('process killed');
		}
		const list = this.lists.get(this.listKey(scope, contextData)) ?? [];
		for (const item of items) {
			const index = list.indexOf(String(item));
			if (index !== -1) list.splice(index, 1);
		}
		this.lists.set(this.listKey(scope, contextData), list);
	}

	async clearAllProcessedItems(scope: DeduplicationScope, contextData: ICheckProcessedContextData): Promise<void> {
		this.lists.delete(this.listKey(scope, contextData));
	}

	async getProcessedDataCount(scope: DeduplicationScope, contextData: ICheckProcessedContextData): Promise<number> {
		return this.lists.get(this.listKey(scope, contextData))?.length ?? 0;
	}
}

let installed: DeduplicationStore | undefined;

/**
 * The store n8n-core's DataDeduplicationService uses in this test file (n8n initialises that service once per
 * process, and jest loads n8n-core once per test file).
 */
export async function deduplicationStore(): Promise<DeduplicationStore> {
	if (!installed) {
		installed = new DeduplicationStore();
		await DataDeduplicationService.init(installed);
	}
	return installed;
}
