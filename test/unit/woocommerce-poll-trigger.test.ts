import {
	NodeApiError,
	type IDataObject,
	type INode,
	type INodeParameters,
	type IPollFunctions,
	type IRun,
} from 'n8n-workflow';

import { WooCommerceStoreApi } from '../../credentials/WooCommerceStoreApi.credentials';
import { CATCH_UP_MAX_BATCHES } from '../../nodes/WooCommerceOrderPollTrigger/catchUp';
import { WooCommerceOrderPollTrigger } from '../../nodes/WooCommerceOrderPollTrigger/WooCommerceOrderPollTrigger.node';
import {
	advanceCursor,
	alreadyEmitted,
	parseWooGmt,
	windowStart,
} from '../../nodes/WooCommerceOrderPollTrigger/pollCursor';
import { WooCommerceEmulator } from '../emulators/woocommerce';
import {
	pollContext as corePollContext,
	TestCredentialsHelper,
	workflowFor,
} from '../support/n8nCoreContext';

const node: INode = {
	id: 'node-1',
	name: 'WooCommerce Order Poll Trigger',
	type: 'n8n-nodes-woocommerce-zohocrm.wooCommerceOrderPollTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const trigger = new WooCommerceOrderPollTrigger();
const credentialType = new WooCommerceStoreApi();

interface PollSetup {
	credentials: IDataObject;
	params?: IDataObject;
	staticData: IDataObject;
	mode?: 'manual' | 'trigger';
	engine?: Engine;
	/** Another n8n process (after a restart): the trigger class loaded afresh, without this process's memory. */
	trigger?: WooCommerceOrderPollTrigger;
}

/** n8n-core's own PollContext: the credential signs each request (OAuth 1.0a over http://) and n8n-core sends it to the emulator. */
function pollContext(setup: PollSetup): IPollFunctions {
	const pollNode: INode = {
		...node,
		parameters: (setup.params ?? {}) as INodeParameters,
		credentials: { wooCommerceStoreApi: { id: 'woo-1', name: 'Store' } },
	};
	const workflow = workflowFor(pollNode, trigger, { staticData: setup.staticData });
	const credentialsHelper = new TestCredentialsHelper(credentialType, { stored: setup.credentials, tokenRequests: 0 });
	return corePollContext({ workflow, node: pollNode, credentialsHelper }, setup.mode ?? 'trigger', {
		emit: setup.engine?.emit,
		emitError: setup.engine?.emitError,
	});
}

function wooGmt(time: number): string {
	return new Date(time).toISOString().slice(0, 19);
}

async function poll(setup: PollSetup): Promise<IDataObject[] | null> {
	const result = await (setup.trigger ?? trigger).poll.call(pollContext(setup));
	return result === null ? null : result[0].map((item) => item.json);
}

type RunOutcome = IRun['status'] | 'hold';

/**
 * Stands in for what n8n's CLI does with `__emit(data, undefined, donePromise)`: records the batch, and settles
 * the done promise the way n8n does when the execution ends (`{ status }`), asynchronously. `outcome(batch)`
 * decides each run's end; 'hold' keeps the run going until the test settles it (or never: n8n was killed).
 */
class Engine {
	batches: IDataObject[][] = [];
	errors: Error[] = [];
	held: Array<{ resolve: (run: IRun | undefined) => void }> = [];
	private inFlight = 0;
	maxInFlight = 0;

	constructor(private readonly outcome: (batch: number) => RunOutcome = () => 'success') {}

	emit: IPollFunctions['__emit'] = (data, _response, done) => {
		const batch = this.batches.push(data[0].map((item) => item.json));
		this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
		const settle = (run: IRun | undefined) => {
			this.inFlight--;
			done?.resolve(run);
		};
		const outcome = this.outcome(batch);
		if (outcome === 'hold') this.held.push({ resolve: settle });
		else void Promise.resolve().then(() => settle({ status: outcome } as IRun));
	};

	emitError: IPollFunctions['__emitError'] = (error) => {
		this.errors.push(error);
	};

	ids(batch: number): number[] {
		return this.batches[batch - 1].map((order) => order.id as number);
	}
}

/** Waits (bounded) until `check` holds: the catch-up runs on after poll() returned. */
async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('timed out waiting for the catch-up');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

const unconfirmedIds = (staticData: IDataObject) => Object.keys((staticData.unconfirmed as IDataObject) ?? {}).map(Number);

describe('WooCommerce Order Poll Trigger', () => {
	let woo: WooCommerceEmulator;
	let credentials: IDataObject;

	beforeEach(async () => {
		woo = await WooCommerceEmulator.start();
		credentials = { url: `${woo.url}/`, consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret };
	});

	afterEach(async () => {
		await woo.stop();
	});

	const orderCalls = () => woo.calls.filter((call) => call.method === 'GET' && call.path === '/wp-json/wc/v3/orders');

	it('describes a polling trigger on the existing WooCommerce credential', () => {
		const description = trigger.description;
		expect(description.name).toBe('wooCommerceOrderPollTrigger');
		expect(description.polling).toBe(true);
		expect(description.group).toEqual(['trigger']);
		expect(description.inputs).toEqual([]);
		expect(description.credentials).toEqual([{ name: 'wooCommerceStoreApi', required: true }]);
		const statuses = description.properties.find((property) => property.name === 'statuses');
		expect(statuses?.default).toEqual(['pending', 'processing', 'on-hold', 'completed']);
		const offered = (statuses?.options ?? []).map((option) => (option as { value: string }).value);
		expect(offered).not.toEqual(expect.arrayContaining(['checkout-draft']));
		expect(offered.some((value) => /draft/.test(value))).toBe(false);
	});

	it('backfills every matching order from Start From across pages, oldest change first, then emits nothing', async () => {
		const startFrom = Date.now() - 60_000;
		const added = Array.from({ length: 230 }, () => woo.addOrder({ status: 'processing' }));
		// Not requested: a draft and a status outside the list.
		woo.addOrder({ status: 'checkout-draft' });
		woo.addOrder({ status: 'cancelled' });
		// Modified before Start From: not part of the backfill.
		woo.addOrder({ status: 'completed', date_modified_gmt: wooGmt(startFrom - 3_600_000) });

		const staticData: IDataObject = {};
		const params = { startFrom: new Date(startFrom).toISOString().slice(0, 19) };
		const first = await poll({ credentials, params, staticData });

		expect(first).not.toBeNull();
		expect(first!.map((order) => order.id)).toEqual(added.map((order) => order.id));
		expect(first![0]._woocommerce).toEqual({
			topic: 'order.poll',
			source: `${woo.url}/`,
			receivedAt: expect.any(String),
			reemitted: false,
		});
		// 230 orders at per_page 100 → three keyset pages (each from the last order seen), signed and accepted.
		const calls = orderCalls();
		expect(calls).toHaveLength(3);
		const froms = calls.map((call) => parseWooGmt(call.query.modified_after)!);
		expect(froms[1]).toBeGreaterThan(froms[0]);
		expect(froms[2]).toBeGreaterThan(froms[1]);
		expect(calls.every((call) => call.status === 200)).toBe(true);
		expect(calls[0].query).toMatchObject({
			modified_after: wooGmt(startFrom),
			dates_are_gmt: 'true',
			orderby: 'modified',
			order: 'asc',
			per_page: '100',
			status: 'pending,processing,on-hold,completed',
		});
		expect(staticData.lastModifiedGmt).toBe(`${added[added.length - 1].date_modified_gmt}Z`);

		// The next poll emits them once more (its run may have died); their versions make that cheap in Zoho.
		const again = await poll({ credentials, params, staticData });
		expect(again!.map((order) => order.id)).toEqual(added.map((order) => order.id));
		expect(again!.every((order) => (order._woocommerce as IDataObject).reemitted === true)).toBe(true);
		woo.calls = [];
		expect(await poll({ credentials, params, staticData })).toBeNull();
		// The third poll re-read the overlap window before the cursor (and found only emitted changes).
		const windowFrom = parseWooGmt(orderCalls()[0].query.modified_after)!;
		expect(windowFrom).toBe(parseWooGmt(staticData.lastModifiedGmt as string)! - 10 * 60_000);
	});

	it('emits an order again once after it is modified, and a new order once', async () => {
		const startFrom = Date.now() - 60_000;
		const old = woo.addOrder({ status: 'pending' });
		woo.addOrder({ status: 'processing' });
		const staticData: IDataObject = {};
		const params = { startFrom: wooGmt(startFrom) };
		expect((await poll({ credentials, params, staticData }))!.map((order) => order.id)).toHaveLength(2);

		// The first order is paid: WooCommerce bumps date_modified(_gmt).
		const stored = woo.orders.find((order) => order.id === old.id)!;
		const newest = woo.addOrder({ status: 'pending' });
		stored.status = 'processing';
		stored.date_modified_gmt = wooGmt(parseWooGmt(newest.date_modified_gmt)! + 5_000);

		const second = await poll({ credentials, params, staticData });
		const fresh = second!.filter((order) => !(order._woocommerce as IDataObject).reemitted);
		expect(fresh.map((order) => [order.id, order.status])).toEqual([
			[newest.id, 'pending'],
			[old.id, 'processing'],
		]);
		expect(second).toHaveLength(3);
		expect((await poll({ credentials, params, staticData }))!.map((order) => order.id)).toEqual([newest.id, old.id]);
		expect(await poll({ credentials, params, staticData })).toBeNull();
	});

	it('emits a change that shows up late with a timestamp inside the overlap window, once', async () => {
		const staticData: IDataObject = {};
		const params = { startFrom: wooGmt(Date.now() - 60_000) };
		const first = woo.addOrder({ status: 'processing' });
		await poll({ credentials, params, staticData });
		// Committed late (or written by a store whose clock lags): modified 2 minutes before the cursor.
		const late = woo.addOrder({ status: 'on-hold', date_modified_gmt: wooGmt(parseWooGmt(first.date_modified_gmt)! - 120_000) });
		expect((await poll({ credentials, params, staticData }))!.map((order) => order.id)).toEqual([first.id, late.id]);
		expect((await poll({ credentials, params, staticData }))!.map((order) => order.id)).toEqual([late.id]);
		expect(await poll({ credentials, params, staticData })).toBeNull();
		// Outside the window (overlap 1 minute): not seen.
		woo.addOrder({ status: 'on-hold', date_modified_gmt: wooGmt(parseWooGmt(first.date_modified_gmt)! - 120_000) });
		expect(await poll({ credentials, params: { ...params, options: { overlapMinutes: 1 } }, staticData })).toBeNull();
	});

	it('never requests draft statuses, even when they are passed as parameters', async () => {
		const staticData: IDataObject = {};
		woo.addOrder({ status: 'checkout-draft' });
		const paid = woo.addOrder({ status: 'processing' });
		const params = { startFrom: wooGmt(Date.now() - 60_000), statuses: ['processing', 'checkout-draft', 'auto-draft'] };
		const emitted = await poll({ credentials, params, staticData });
		expect(emitted!.map((order) => order.id)).toEqual([paid.id]);
		expect(orderCalls()[0].query.status).toBe('processing');
		await expect(poll({ credentials, params: { statuses: ['draft'] }, staticData: {} })).rejects.toThrow(
			'Select at least one order status',
		);
	});

	it('without Start From, the first poll emits nothing and sets the cursor to now; later changes follow', async () => {
		const before = woo.addOrder({ status: 'processing', date_modified_gmt: wooGmt(Date.now() - 30 * 60_000) });
		const staticData: IDataObject = {};
		const startedAt = Date.now();
		expect(await poll({ credentials, staticData })).toBeNull();
		expect(orderCalls()).toHaveLength(0);
		const cursor = parseWooGmt(staticData.lastModifiedGmt as string)!;
		expect(Math.abs(cursor - startedAt)).toBeLessThan(2_000);

		const after = woo.addOrder({ status: 'processing' });
		const emitted = await poll({ credentials, staticData });
		expect(emitted!.map((order) => order.id)).toEqual([after.id]);
		expect(emitted!.map((order) => order.id)).not.toContain(before.id);
	});

	it('pages by key: 1,000 orders, 50 of them modified while the poll pages, all emitted in one poll', async () => {
		const base = Date.now() - 3_600_000;
		const added = Array.from({ length: 1000 }, (_, index) =>
			woo.addOrder({ status: 'processing', date_modified_gmt: wooGmt(base + index * 1000) }),
		);
		const staticData: IDataObject = {};
		const params = { startFrom: wooGmt(base - 1000), options: { maxOrdersPerPoll: 5000 } };
		let requests = 0;
		const afterRequest = () => {
			// after the first and the fifth page, 25 orders already read move to the end (paid, re-saved)
			if (++requests !== 1 && requests !== 5) return;
			for (const order of woo.orders.filter((candidate) => candidate.id <= added[(requests === 1 ? 0 : 300) + 60].id).slice(-25)) {
				order.date_modified_gmt = wooGmt(Date.now() + requests * 1000);
			}
		};
		woo.afterRequest = (call) => {
			if (call.path.endsWith('/orders')) afterRequest();
		};
		const emitted = (await poll({ credentials, params, staticData }))!;
		const ids = new Set(emitted.map((order) => order.id));
		expect(added.filter((order) => !ids.has(order.id))).toEqual([]);
		// each order once, as it is now: the 50 moved ones with their new modification date
		expect(emitted).toHaveLength(1000);
		const current = new Map(woo.orders.map((order) => [order.id, order.date_modified_gmt]));
		expect(emitted.filter((order) => order.date_modified_gmt !== current.get(order.id as number))).toEqual([]);
	});

	describe('catch-up: more orders than Max Orders per Poll', () => {
		// every catch-up ends with its test, so the next test's trigger (same workflow and node ids) is not left waiting
		let heldByThisTest: Engine | undefined;
		afterEach(() => {
			heldByThisTest?.held.forEach((run) => run.resolve(undefined));
			heldByThisTest = undefined;
		});
		/** An engine that holds the runs of the batches `hold` picks (they never end unless the test ends them). */
		const holdingEngine = (hold: (batch: number) => boolean) => {
			heldByThisTest = new Engine((batch) => (hold(batch) ? 'hold' : 'success'));
			return heldByThisTest;
		};
		const params = (startFrom: number, maxOrdersPerPoll: number) => ({ startFrom: wooGmt(startFrom), options: { maxOrdersPerPoll } });

		it('emits batch after batch, each once the previous run finished, oldest first, with progress, then nothing', async () => {
			const startFrom = Date.now() - 60_000;
			const added = Array.from({ length: 230 }, () => woo.addOrder({ status: 'completed' }));
			const staticData: IDataObject = {};
			const engine = new Engine();
			expect(await poll({ credentials, params: params(startFrom, 100), staticData, engine })).toBeNull();
			await until(() => engine.batches.length === 3 && unconfirmedIds(staticData).length === 0);

			expect(engine.batches.map((batch) => batch.length)).toEqual([100, 100, 30]);
			expect(engine.batches.flat().map((order) => order.id)).toEqual(added.map((order) => order.id));
			// one run at a time: n8n holds one batch
			expect(engine.maxInFlight).toBe(1);
			expect(engine.batches.map((batch) => (batch[0]._woocommerce as IDataObject).catchUp)).toEqual([
				{ batch: 1, maxBatches: CATCH_UP_MAX_BATCHES, ordersDone: 0, ordersInBatch: 100, ordersTotal: 230 },
				{ batch: 2, maxBatches: CATCH_UP_MAX_BATCHES, ordersDone: 100, ordersInBatch: 100, ordersTotal: 230 },
				{ batch: 3, maxBatches: CATCH_UP_MAX_BATCHES, ordersDone: 200, ordersInBatch: 30, ordersTotal: 230 },
			]);
			expect(engine.batches.flat().every((order) => (order._woocommerce as IDataObject).reemitted === false)).toBe(true);
			// the batches after the first read on from the last order of the one before, not from the overlap window
			const froms = orderCalls().map((call) => call.query.modified_after);
			expect(froms).toContain(wooGmt(parseWooGmt(added[99].date_modified_gmt)! - 1000));
			expect(froms).toContain(wooGmt(parseWooGmt(added[199].date_modified_gmt)! - 1000));
			expect(staticData.lastModifiedGmt).toBe(`${added[229].date_modified_gmt}Z`);

			// every run finished: the next poll has nothing to emit again
			expect(await poll({ credentials, params: params(startFrom, 100), staticData, engine })).toBeNull();
			expect(engine.batches).toHaveLength(3);
			expect(engine.errors).toEqual([]);
		});

		it('a run that does not end in success stops it; the next poll emits that batch once more and the rest', async () => {
			const startFrom = Date.now() - 60_000;
			const added = Array.from({ length: 230 }, () => woo.addOrder({ status: 'processing' }));
			const staticData: IDataObject = {};
			const engine = new Engine((batch) => (batch === 2 ? 'error' : 'success'));
			expect(await poll({ credentials, params: params(startFrom, 100), staticData, engine })).toBeNull();
			await until(() => engine.batches.length === 2 && unconfirmedIds(staticData).length === 100);
			// no third batch follows a failed run
			await new Promise((resolve) => setTimeout(resolve, 200));
			expect(engine.batches).toHaveLength(2);
			expect(unconfirmedIds(staticData)).toEqual(engine.ids(2));

			const next = (await poll({ credentials, params: params(startFrom, 100), staticData, engine }))!;
			expect(next.filter((order) => (order._woocommerce as IDataObject).reemitted).map((order) => order.id)).toEqual(engine.ids(2));
			expect(next.filter((order) => !(order._woocommerce as IDataObject).reemitted).map((order) => order.id)).toEqual(
				added.slice(200).map((order) => order.id),
			);
		});

		it('n8n killed in the middle and restarted: the unfinished batch is emitted once more, every order at least once, none twice fresh', async () => {
			const startFrom = Date.now() - 60_000;
			const added = Array.from({ length: 430 }, () => woo.addOrder({ status: 'processing' }));
			const staticData: IDataObject = {};
			// batch 3's run is under way when n8n dies: it never ends
			// the dead process's catch-up ends with the test (n8n's would have died with the process)
			const dying = holdingEngine((batch) => batch === 3);
			expect(await poll({ credentials, params: params(startFrom, 100), staticData, engine: dying })).toBeNull();
			await until(() => dying.batches.length === 3);
			// what n8n saved with batch 3's execution is all the restarted n8n has
			const saved = JSON.parse(JSON.stringify(staticData)) as IDataObject;
			expect(unconfirmedIds(saved)).toEqual(dying.ids(3));

			let Restarted: typeof WooCommerceOrderPollTrigger | undefined;
			jest.isolateModules(() => {
				Restarted = (
					require('../../nodes/WooCommerceOrderPollTrigger/WooCommerceOrderPollTrigger.node') as {
						WooCommerceOrderPollTrigger: typeof WooCommerceOrderPollTrigger;
					}
				).WooCommerceOrderPollTrigger;
			});
			const engine = new Engine();
			const restarted = { credentials, params: params(startFrom, 100), staticData: saved, engine, trigger: new Restarted!() };
			expect(await poll(restarted)).toBeNull();
			await until(() => engine.batches.length === 2 && unconfirmedIds(saved).length === 0);

			const [first] = engine.batches;
			expect(first.filter((order) => (order._woocommerce as IDataObject).reemitted).map((order) => order.id)).toEqual(dying.ids(3));
			const fresh = [...dying.batches, ...engine.batches]
				.flat()
				.filter((order) => !(order._woocommerce as IDataObject).reemitted)
				.map((order) => order.id);
			expect(fresh).toEqual(added.map((order) => order.id));
		});

		it('while it runs, another poll of the trigger leaves the orders to it', async () => {
			const startFrom = Date.now() - 60_000;
			Array.from({ length: 150 }, () => woo.addOrder({ status: 'processing' }));
			const staticData: IDataObject = {};
			const engine = holdingEngine((batch) => batch === 1);
			expect(await poll({ credentials, params: params(startFrom, 100), staticData, engine })).toBeNull();
			await until(() => engine.held.length === 1);
			const requests = orderCalls().length;
			expect(await poll({ credentials, params: params(startFrom, 100), staticData, engine })).toBeNull();
			expect(orderCalls()).toHaveLength(requests);
			expect(engine.batches).toHaveLength(1);

			engine.held[0].resolve({ status: 'success' } as IRun);
			await until(() => engine.batches.length === 2 && unconfirmedIds(staticData).length === 0);
			expect(engine.batches.flat()).toHaveLength(150);
		});

		it('a failed WooCommerce read ends it as a failed poll would (error execution); the next poll continues', async () => {
			const startFrom = Date.now() - 60_000;
			const added = Array.from({ length: 250 }, () => woo.addOrder({ status: 'processing' }));
			const staticData: IDataObject = {};
			const engine = holdingEngine((batch) => batch === 1);
			const store = { ...credentials };
			expect(await poll({ credentials: store, params: params(startFrom, 100), staticData, engine })).toBeNull();
			await until(() => engine.held.length === 1);
			// the store's key is revoked while batch 1 runs: the catch-up's next read is refused
			store.consumerSecret = 'revoked';
			engine.held[0].resolve({ status: 'success' } as IRun);
			await until(() => engine.errors.length === 1);
			expect(engine.errors[0]).toBeInstanceOf(NodeApiError);
			expect(engine.batches).toHaveLength(1);

			// batch 1 was confirmed; the next poll (key valid again) goes on after it
			await until(() => unconfirmedIds(staticData).length === 0);
			expect(await poll({ credentials, params: params(startFrom, 100), staticData, engine })).toBeNull();
			await until(() => engine.batches.length === 3 && unconfirmedIds(staticData).length === 0);
			expect(engine.batches.flat().map((order) => order.id)).toEqual(added.map((order) => order.id));
		});

		it(`stops after ${CATCH_UP_MAX_BATCHES} batches; the next poll continues`, async () => {
			const startFrom = Date.now() - 60_000;
			const added = Array.from({ length: CATCH_UP_MAX_BATCHES + 5 }, () => woo.addOrder({ status: 'processing' }));
			const staticData: IDataObject = {};
			const engine = new Engine();
			expect(await poll({ credentials, params: params(startFrom, 1), staticData, engine })).toBeNull();
			await until(() => engine.batches.length === CATCH_UP_MAX_BATCHES && unconfirmedIds(staticData).length === 0);
			await new Promise((resolve) => setTimeout(resolve, 200));
			expect(engine.batches).toHaveLength(CATCH_UP_MAX_BATCHES);

			expect(await poll({ credentials, params: params(startFrom, 1), staticData, engine })).toBeNull();
			await until(() => engine.batches.length === CATCH_UP_MAX_BATCHES + 5 && unconfirmedIds(staticData).length === 0);
			expect(engine.batches.flat().map((order) => order.id)).toEqual(added.map((order) => order.id));
		});
	});

	it('in manual mode returns the most recently changed order and leaves the cursor alone', async () => {
		woo.addOrder({ status: 'processing' });
		const latest = woo.addOrder({ status: 'completed' });
		woo.addOrder({ status: 'checkout-draft' });
		const staticData: IDataObject = {};
		const emitted = await poll({ credentials, staticData, mode: 'manual', params: { startFrom: wooGmt(0) } });
		expect(emitted!.map((order) => order.id)).toEqual([latest.id]);
		expect(orderCalls()[0].query).toMatchObject({ per_page: '1', orderby: 'modified', order: 'desc' });
		expect(staticData).toEqual({});

		const cursor = { lastModifiedGmt: '2030-01-01T00:00:00Z', emitted: { '1': '2030-01-01T00:00:00' } };
		const withCursor: IDataObject = JSON.parse(JSON.stringify(cursor));
		await poll({ credentials, staticData: withCursor, mode: 'manual' });
		expect(withCursor).toEqual(cursor);
	});

	it('turns WooCommerce errors into NodeApiError with its message', async () => {
		const staticData: IDataObject = {};
		const bad = { ...credentials, consumerSecret: 'wrong' };
		const failure = poll({ credentials: bad, staticData, params: { startFrom: wooGmt(0) } });
		await expect(failure).rejects.toBeInstanceOf(NodeApiError);
		await expect(failure).rejects.toThrow('Invalid signature - provided signature does not match.');
	});
});

describe('poll cursor', () => {
	it('reads WooCommerce *_gmt dates without an offset as UTC', () => {
		expect(parseWooGmt('2024-05-01T10:00:00')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0));
		expect(parseWooGmt('2024-05-01T10:00:00Z')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0));
		expect(parseWooGmt('')).toBeUndefined();
	});

	it('keeps only emitted changes inside the overlap window and never moves back', () => {
		const cursor = advanceCursor(
			{ lastModifiedGmt: '2024-05-01T10:00:00Z', emitted: { '7': '2024-05-01T09:00:00' } },
			[
				{ id: 8, modifiedGmt: '2024-05-01T10:05:00' },
				{ id: 9, modifiedGmt: '2024-05-01T10:20:00' },
				{ id: 10, modifiedGmt: '2024-05-01T10:20:00' },
			],
			10,
		);
		expect(cursor.lastModifiedGmt).toBe('2024-05-01T10:20:00Z');
		expect(cursor.emitted).toEqual({ '9': '2024-05-01T10:20:00', '10': '2024-05-01T10:20:00' });
		expect(windowStart(cursor, 10)).toBe('2024-05-01T10:10:00');
		expect(alreadyEmitted(cursor, 9, '2024-05-01T10:20:00')).toBe(true);
		expect(alreadyEmitted(cursor, 9, '2024-05-01T10:21:00')).toBe(false);
		expect(advanceCursor(cursor, [{ id: 11, modifiedGmt: '2024-05-01T10:15:00' }], 10).lastModifiedGmt).toBe(
			'2024-05-01T10:20:00Z',
		);
	});
});
