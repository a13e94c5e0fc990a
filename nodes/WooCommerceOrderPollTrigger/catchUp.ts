import { sleep, type IDataObject, type INodeExecutionData, type IPollFunctions, type IRun } from 'n8n-workflow';

import { advanceCursor, writeCursor, type PollCursor } from './pollCursor';
import { readOrderWindow, type ListedOrder, type OrderWindow } from './orderWindow';

/**
 * Catch-up: when a poll finds more orders than it may emit (Max Orders per Poll), the rest follow at once, one
 * batch (one execution) at a time, instead of at the next scheduled poll. The poll emits its batch itself with a
 * done promise and returns; the catch-up waits for that execution to finish, reads the next batch from where the
 * last one ended and emits it, and so on. Only one execution of the backfill is in flight, so n8n holds one batch
 * at a time, and the Zoho nodes' concurrency limit holds as for any run.
 *
 * Why after the poll returns, not inside it: n8n 2.40 awaits the first poll when it activates the workflow (its
 * publication outbox gives up after 84 s, 0.7 × its 2-minute lease), so a poll that waited for executions would
 * hold up the activation.
 *
 * Nothing lost: every batch moves the cursor (node static data, saved by n8n when the batch is emitted) and lists
 * its orders as `unconfirmed`; only a run that finished with status `success` confirms them. If n8n dies, the
 * next poll (at activation, after the restart) emits the unconfirmed batch once more and catches up from the
 * cursor; the Zoho nodes skip the versions already written, so nothing is doubled either.
 *
 * Bounds: at most CATCH_UP_MAX_BATCHES batches (the poll's own included: 40 × Max Orders per Poll, 20,000 orders
 * with the default 500) and CATCH_UP_MAX_MINUTES per catch-up; a run that does not finish with `success` (an
 * error, a cancel, n8n refusing the execution because the workflow was deactivated) or a failed WooCommerce read
 * ends it too. The rest waits for the next scheduled poll, which starts a new catch-up.
 */
export const CATCH_UP_MAX_BATCHES = 40;
export const CATCH_UP_MAX_MINUTES = 30;
/** Longer than one read may take (the poll budget), so a read under way at the deadline cannot overlap a new poll. */
const GUARD_GRACE_MS = 5 * 60_000;

/**
 * Catch-ups running in this n8n process, by workflow and node → until when. A poll of the same trigger that
 * starts meanwhile (the next scheduled one, or the workflow activated again) leaves the orders to it. This is
 * process memory on purpose: the catch-up lives in this process, and after a restart there is none, so the first
 * poll resumes from the cursor. An entry lapses at its deadline, so a lost catch-up cannot block polling.
 */
const running = new Map<string, number>();

export function catchUpRunning(key: string): boolean {
	const until = running.get(key);
	return until !== undefined && until > Date.now();
}

export interface BatchPlan {
	/** Workflow id + node id: one catch-up per trigger. */
	key: string;
	statusList: string;
	maxOrders: number;
	overlapMinutes: number;
	toItem: (order: IDataObject) => INodeExecutionData;
	/** What the n8n log calls this trigger. */
	label: string;
}

/** Progress of a catch-up, on every item of its batches under `_woocommerce.catchUp`. */
interface Progress extends IDataObject {
	batch: number;
	maxBatches: number;
	/** Orders of the earlier batches whose runs finished. */
	ordersDone: number;
	ordersInBatch: number;
	/** ordersDone + what WooCommerce counted from this batch on when it was read: the backfill's size, about. */
	ordersTotal: number;
}

/**
 * Moves the cursor past `read.fresh`, lists them as unconfirmed (the next batch or poll emits them once more
 * unless their run is confirmed), and returns the batch's items: the repeats first, then the fresh orders.
 */
export function stageBatch(
	this: IPollFunctions,
	plan: BatchPlan,
	cursor: PollCursor,
	read: OrderWindow,
	extra: IDataObject = {},
): { cursor: PollCursor; items: INodeExecutionData[] } {
	const next = advanceCursor(
		cursor,
		read.fresh.map((order) => ({ id: order.id, modifiedGmt: order.date_modified_gmt })),
		plan.overlapMinutes,
	);
	next.unconfirmed = Object.fromEntries(read.fresh.map((order) => [String(order.id), order.date_modified_gmt]));
	writeCursor(this.getWorkflowStaticData('node'), next);
	const label = (order: ListedOrder, reemitted: boolean) => {
		const item = plan.toItem(order);
		Object.assign(item.json._woocommerce as IDataObject, { reemitted }, extra);
		return item;
	};
	return {
		cursor: next,
		items: [...read.again.map((order) => label(order, true)), ...read.fresh.map((order) => label(order, false))],
	};
}

interface CatchUpState {
	cursor: PollCursor;
	batch: number;
	ordersDone: number;
	started: number;
	deadline: number;
}

const progressOf = (state: CatchUpState, read: OrderWindow): Progress => ({
	batch: state.batch,
	maxBatches: CATCH_UP_MAX_BATCHES,
	ordersDone: state.ordersDone,
	ordersInBatch: read.fresh.length,
	ordersTotal: state.ordersDone + Math.max(read.remaining ?? 0, read.fresh.length),
});

/** Stages `read` as the next batch, emits it with a done promise, and says so in the n8n log. */
function emitBatch(this: IPollFunctions, plan: BatchPlan, state: CatchUpState, read: OrderWindow, extra: IDataObject) {
	const progress = progressOf(state, read);
	const staged = stageBatch.call(this, plan, state.cursor, read, { ...extra, catchUp: progress });
	state.cursor = staged.cursor;
	const done = this.helpers.createDeferredPromise<IRun | undefined>();
	this.__emit([staged.items], undefined, done);
	this.logger.info(
		`${plan.label}: catch-up batch ${progress.batch} emitted — orders ${progress.ordersDone + 1}–${progress.ordersDone + progress.ordersInBatch} of about ${progress.ordersTotal}`,
	);
	return done.promise;
}

/**
 * Starts a catch-up with the poll's own batch (`first`, which stopped at Max Orders per Poll): emits it and
 * returns at once; the next batches follow in the background as described above.
 */
export function startCatchUp(
	this: IPollFunctions,
	plan: BatchPlan,
	cursor: PollCursor,
	first: OrderWindow,
	extra: IDataObject,
): void {
	const started = Date.now();
	const state: CatchUpState = {
		cursor,
		batch: 1,
		ordersDone: 0,
		started,
		deadline: started + CATCH_UP_MAX_MINUTES * 60_000,
	};
	const done = emitBatch.call(this, plan, state, first, extra);
	// the guard outlasts the deadline by more than a read can take: a read under way at the deadline may still emit
	const until = state.deadline + GUARD_GRACE_MS;
	running.set(plan.key, until);
	void continueCatchUp
		.call(this, plan, state, summaryOf(first), done)
		.catch((error: Error) => {
			this.logger.warn(`${plan.label}: catch-up stopped: ${error.message}; the next poll continues from the cursor`);
			this.__emitError(error);
		})
		.finally(() => {
			if (running.get(plan.key) === until) running.delete(plan.key);
		});
}

/** A read's orders as far as the catch-up needs them once they are emitted (it holds no order while a run works). */
const summaryOf = (read: OrderWindow) => ({ fresh: read.fresh.length, more: read.more, next: read.next });

/** The outcome of one batch's run, or 'timeout' when the catch-up's deadline came first. */
async function outcomeOf(done: Promise<IRun | undefined>, deadline: number): Promise<string> {
	const abort = new AbortController();
	const timeout = sleep(Math.max(0, deadline - Date.now()), abort.signal).then(
		() => 'timeout' as const,
		() => 'timeout' as const,
	);
	try {
		const run = await Promise.race([done, timeout]);
		if (run === 'timeout') return run;
		// undefined: n8n started no execution (e.g. a durable-scheduler lease that has passed)
		return run?.status ?? 'without an execution';
	} catch (error) {
		return `refused (${(error as Error).message})`;
	} finally {
		abort.abort();
	}
}

async function continueCatchUp(
	this: IPollFunctions,
	plan: BatchPlan,
	state: CatchUpState,
	first: ReturnType<typeof summaryOf>,
	firstDone: Promise<IRun | undefined>,
): Promise<void> {
	let read = first;
	let done: Promise<IRun | undefined> | undefined = firstDone;
	const summary = () =>
		`${state.ordersDone} orders in ${state.batch} batches, ${((Date.now() - state.started) / 60_000).toFixed(1)} min`;
	for (;;) {
		if (done !== undefined) {
			const outcome = await outcomeOf(done, state.deadline);
			if (outcome !== 'success') {
				this.logger.warn(
					`${plan.label}: catch-up stopped after batch ${state.batch}: its run ended ${outcome}; the next poll emits that batch once more and continues`,
				);
				return;
			}
			// The run finished: its orders are confirmed, no later batch or poll needs to emit them again.
			state.ordersDone += read.fresh;
			state.cursor = { ...state.cursor, unconfirmed: {} };
			writeCursor(this.getWorkflowStaticData('node'), state.cursor);
		}
		if (!read.more) {
			this.logger.info(`${plan.label}: catch-up finished — ${summary()}`);
			return;
		}
		if (state.batch >= CATCH_UP_MAX_BATCHES || Date.now() >= state.deadline) {
			this.logger.info(
				`${plan.label}: catch-up paused at its bound (${CATCH_UP_MAX_BATCHES} batches, ${CATCH_UP_MAX_MINUTES} min) — ${summary()}; the next poll continues`,
			);
			return;
		}
		const next = await readOrderWindow.call(this, state.cursor, read.next, plan.statusList, plan.maxOrders);
		read = summaryOf(next);
		done = undefined;
		// a read that met only changes emitted before (it stopped at its request bound) emits nothing and goes on
		if (next.fresh.length > 0) {
			state.batch++;
			done = emitBatch.call(this, plan, state, next, {});
		}
	}
}
