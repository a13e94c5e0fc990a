/**
 * A counting semaphore per key (one Zoho org = one credential), so a burst of items or parallel executions in
 * this process never has more than `limit` calls in flight: Zoho answers 429 beyond its per-user concurrency
 * limit (Free 5 … Ultimate 25; 10 for "complex" calls such as upserts of > 10 records and COQL).
 * https://help.zoho.com/portal/en/community/topic/kaizen-35-api-concurrency
 */
export class KeyedSemaphore {
	private readonly slots = new Map<
		string,
		{ active: number; waiting: Array<{ limit: number; weight: number; start: () => void }> }
	>();

	/** `weight`: slots the call occupies at Zoho (a composite call takes several), capped at `limit`. */
	async run<T>(key: string, limit: number, task: () => Promise<T>, weight = 1): Promise<T> {
		const cap = Math.max(1, limit);
		const taken = Math.min(cap, Math.max(1, Math.floor(weight)));
		await this.acquire(key, cap, taken);
		try {
			return await task();
		} finally {
			this.release(key, taken);
		}
	}

	/** Calls currently holding a slot for `key` (for diagnostics and tests). */
	inFlight(key: string): number {
		return this.slots.get(key)?.active ?? 0;
	}

	private async acquire(key: string, limit: number, weight: number): Promise<void> {
		let slot = this.slots.get(key);
		if (!slot) {
			slot = { active: 0, waiting: [] };
			this.slots.set(key, slot);
		}
		if (slot.active + weight <= limit && slot.waiting.length === 0) {
			slot.active += weight;
			return;
		}
		const queued = slot;
		await new Promise<void>((resolve) => {
			queued.waiting.push({
				limit,
				weight,
				start: () => {
					queued.active += weight;
					resolve();
				},
			});
		});
	}

	private release(key: string, weight: number): void {
		const slot = this.slots.get(key);
		if (!slot) return;
		slot.active -= weight;
		while (slot.waiting.length > 0 && slot.active + slot.waiting[0].weight <= slot.waiting[0].limit) {
			slot.waiting.shift()?.start();
		}
		if (slot.active === 0 && slot.waiting.length === 0) this.slots.delete(key);
	}
}
