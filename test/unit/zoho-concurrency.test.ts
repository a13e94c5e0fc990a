/**
 * The per-org concurrency cap counts Zoho's slots: a composite call takes COMPOSITE_CONCURRENCY_SLOTS of them, so a
 * burst of composite calls never exceeds the org's limit (the emulator answers 429 beyond it).
 */
import { KeyedSemaphore } from '../../nodes/ZohoCrmOrderSync/transport/concurrency';
import { COMPOSITE_CONCURRENCY_SLOTS } from '../../nodes/ZohoCrmOrderSync/transport';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedSemaphore with weights', () => {
	it('runs weighted tasks only while their slots fit under the limit, in arrival order', async () => {
		const semaphore = new KeyedSemaphore();
		const releases: Array<() => void> = [];
		const started: string[] = [];
		const task = (name: string) => () =>
			new Promise<void>((resolve) => {
				started.push(name);
				releases.push(resolve);
			});
		const runs = [
			semaphore.run('org', 10, task('composite 1'), COMPOSITE_CONCURRENCY_SLOTS),
			semaphore.run('org', 10, task('composite 2'), COMPOSITE_CONCURRENCY_SLOTS),
			semaphore.run('org', 10, task('composite 3'), COMPOSITE_CONCURRENCY_SLOTS),
			semaphore.run('org', 10, task('plain')),
		];
		await tick();
		expect(started).toEqual(['composite 1', 'composite 2']);
		expect(semaphore.inFlight('org')).toBe(10);
		releases.shift()!();
		await tick();
		// the third composite takes the freed 5 slots; the plain call waits behind it (arrival order)
		expect(started).toEqual(['composite 1', 'composite 2', 'composite 3']);
		releases.shift()!();
		await tick();
		expect(started).toEqual(['composite 1', 'composite 2', 'composite 3', 'plain']);
		expect(semaphore.inFlight('org')).toBe(6);
		releases.splice(0).forEach((release) => release());
		await Promise.all(runs);
		expect(semaphore.inFlight('org')).toBe(0);
	});

	it('a weight above the limit is capped at the limit (a composite call still runs with Max Concurrent Requests 1)', async () => {
		const semaphore = new KeyedSemaphore();
		await expect(semaphore.run('org', 1, async () => 'done', COMPOSITE_CONCURRENCY_SLOTS)).resolves.toBe('done');
		expect(semaphore.inFlight('org')).toBe(0);
	});
});
