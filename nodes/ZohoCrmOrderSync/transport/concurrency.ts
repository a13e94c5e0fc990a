/**
 * A counting semaphore per key (one Zoho org = one credential), so a burst of items or parallel executions in
 * this process never has more than `limit` calls in flight: Zoho answers 429 beyond its per-user concurrency
 * limit (Free 5 … Ultimate 25; 10 for "complex" calls such as upserts of > 10 records and COQL).
 * https://help.zoho.com/portal/en/community/topic/kaizen-35-api-concurrency
 */
export class KeyedSemaphore {
	private readonly slots = new Map<string, { active: number; waiting: Array<{ limit: number; start: () => void }> }>();

	async run<T>(key: string, limit: number, task: () => Promise<T>): Promise<T> {
		await this.acquire(key, Math.max(1, limit));
		try {
			return await task();
		} finally {
			this.release(key);
		}
	}

	/** Calls currently holding a slot for `key` (for diagnostics and tests). */
	inFlight(key: string): number {
		return this.slots.get(key)?.active ?? 0;
	}

	private async acquire(key: string, limit: number): Promise<void> {
		let slot = this.slots.get(key);
		if (!slot) {
			slot = { active: 0, waiting: [] };
			this.slots.set(key, slot);
		}
		if (slot.active < limit && slot.waiting.length === 0) {
			slot.active++;
			return;
		}
		const queued = slot;
		await new Promise<void>((resolve) => {
			queued.waiting.push({
				limit,
				start: () => {
					queued.active++;
					resolve();
				},
			});
		});
	}

	private release(key: string): void {
		const slot = this.slots.get(key);
		if (!slot) return;
		slot.active--;
		while (slot.waiting.length > 0 && slot.active < slot.waiting[0].limit) {
			slot.waiting.shift()?.start();
		}
		if (slot.active === 0 && slot.waiting.length === 0) this.slots.delete(key);
	}
}
