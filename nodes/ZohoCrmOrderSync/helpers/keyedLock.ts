/**
 * In-process locks by key (e.g. one customer email in one Zoho org).
 *
 * WooCommerce can deliver the same order twice at the same moment, and Zoho's upsert by a
 * non-unique duplicate-check field (Contacts → Email) is not atomic: two concurrent upserts can both
 * insert. Executions of one n8n process serialise on these keys, so the second upsert finds the first.
 */
const tails = new Map<string, Promise<void>>();

async function acquire(key: string): Promise<() => void> {
	const previous = tails.get(key) ?? Promise.resolve();
	let release!: () => void;
	const current = new Promise<void>((resolve) => (release = resolve));
	const tail = previous.then(async () => await current);
	tails.set(key, tail);
	await previous;
	return () => {
		release();
		if (tails.get(key) === tail) tails.delete(key);
	};
}

/** Runs `task` while holding every key; keys are taken in sorted order so two runs cannot deadlock. */
export async function withKeyedLocks<T>(keys: string[], task: () => Promise<T>): Promise<T> {
	const releases: Array<() => void> = [];
	try {
		for (const key of [...new Set(keys)].sort()) releases.push(await acquire(key));
		return await task();
	} finally {
		for (const release of releases.reverse()) release();
	}
}
