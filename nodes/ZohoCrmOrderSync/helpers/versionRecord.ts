import { sleep, type ICheckProcessedOptions, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { storeKey } from '../../shared/woocommerce/client';
import type { ItemOperation } from '../transport';
import type { ItemOutcome } from '../types';
import { withKeyedLocks } from './keyedLock';
import { withZohoResult } from './outcomes';

/**
 * The record of which order versions (store + order id + date_modified_gmt) reached Zoho, kept in n8n's database
 * through n8n's deduplication helpers (table `processed_data`, one row per workflow), so it holds across restarts
 * and queue-mode workers.
 *
 * The helpers can only ask "was this key recorded?" by recording it. A probe for a version that was never written
 * therefore leaves a wrong "written" mark until it is removed again, and a crash between the two database writes
 * would keep it. Every probe thus records a `check|` marker in the same database write as the `done|` key it asks
 * about, and removes both in one write afterwards: a `done|` mark that a crash left behind always has its `check|`
 * marker next to it, and a version with a `check|` marker counts as not written (it is written again, and Zoho's
 * upserts make that harmless). `done|` keys are recorded only after Zoho confirmed the write.
 *
 * The row is rewritten whole on each call (read, change, write), so the calls of one n8n process are serialised
 * per workflow; across queue-mode workers a lost update can only drop marks, which costs a repeated write, never an
 * order.
 */
const OPTIONS: ICheckProcessedOptions = { mode: 'entries', maxEntries: 20_000 };

/** `YYYY-MM-DDTHH:MM:SSZ`, whatever form the date came in (WooCommerce *_gmt fields have no offset). */
function normaliseGmt(value: string): string | undefined {
	const text = value.trim().replace(' ', 'T');
	const time = Date.parse(/([Zz]|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`);
	return Number.isNaN(time) ? undefined : `${new Date(time).toISOString().slice(0, 19)}Z`;
}

/** `<store>|<order id>|<date_modified_gmt>` for a WooCommerce order item, or undefined for anything else. */
export function orderVersionKey(json: IDataObject): string | undefined {
	const id = json.id;
	const modified = json.date_modified_gmt;
	if ((typeof id !== 'number' && typeof id !== 'string') || String(id).trim() === '') return undefined;
	if (typeof modified !== 'string') return undefined;
	const version = normaliseGmt(modified);
	if (version === undefined) return undefined;
	const provenance = json._woocommerce as IDataObject | undefined;
	return `${storeKey(provenance?.source)}|${String(id).trim()}|${version}`;
}

const lockKey = (ctx: IExecuteFunctions) => `order-versions:${ctx.getWorkflow().id ?? ''}`;

/** Which of `keys` are recorded as written to Zoho. Any doubt (no database, a crashed probe) answers "not written". */
export async function writtenVersions(this: IExecuteFunctions, keys: string[]): Promise<Set<string>> {
	const unique = [...new Set(keys)];
	if (!unique.length || !this.getWorkflow().id) return new Set();
	return await withKeyedLocks([lockKey(this)], async () => {
		try {
			// `done|` before `check|`: when the row is trimmed to maxEntries the oldest go first, so a
			// leftover `done|` can never outlive its `check|` marker.
			const probe = unique.flatMap((key) => [`done|${key}`, `check|${key}`]);
			const answer = await this.helpers.checkProcessedAndRecord(probe, 'workflow', OPTIONS);
			const seen = new Set(answer.processed.map(String));
			const written = new Set(unique.filter((key) => seen.has(`done|${key}`) && !seen.has(`check|${key}`)));
			const undo = unique.flatMap((key) => (written.has(key) ? [`check|${key}`] : [`done|${key}`, `check|${key}`]));
			await this.helpers.removeProcessed(undo, 'workflow', OPTIONS);
			return written;
		} catch (error) {
			this.logger.warn(`Zoho CRM Order Sync: the order-version record could not be read: ${(error as Error).message}`);
			return new Set<string>();
		}
	});
}

/** Records `keys` as written. Called only after Zoho confirmed the write, so a failure is retried, never skipped. */
export async function recordWrittenVersions(this: IExecuteFunctions, keys: string[]): Promise<void> {
	const unique = [...new Set(keys)];
	if (!unique.length || !this.getWorkflow().id) return;
	await withKeyedLocks([lockKey(this)], async () => {
		try {
			await this.helpers.checkProcessedAndRecord(
				unique.map((key) => `done|${key}`),
				'workflow',
				OPTIONS,
			);
		} catch (error) {
			// Not recorded only means the next delivery of this version is written again.
			this.logger.warn(`Zoho CRM Order Sync: the order-version record could not be saved: ${(error as Error).message}`);
		}
	});
}

/**
 * Order versions an execution of this n8n process is writing right now, so that a second delivery of the same
 * version (WooCommerce firing twice, a reconciliation poll meeting a webhook) waits for the first and then finds
 * it written, instead of making the same Zoho writes again. Process memory is only this shortcut: the database
 * record above decides what was written, and a claim whose execution never releases it lapses.
 */
const CLAIM_MS = 60_000;
const claims = new Map<string, { owner: string; until: number }>();

const claimKey = (ctx: IExecuteFunctions, key: string) => `${ctx.getWorkflow().id ?? ''}|${key}`;
const ownerOf = (ctx: IExecuteFunctions) => `${ctx.getWorkflow().id ?? ''}:${ctx.getExecutionId()}`;

/**
 * Claims `keys` for this execution, first waiting (at most a minute) while another execution holds one of them.
 * Taking the claims happens without a pause after the check, so of many simultaneous deliveries exactly one goes
 * first and the others wait for its outcome.
 */
export async function claimVersions(this: IExecuteFunctions, keys: string[]): Promise<void> {
	const owner = ownerOf(this);
	const deadline = Date.now() + CLAIM_MS;
	for (;;) {
		const now = Date.now();
		const busy = keys.some((key) => {
			const claim = claims.get(claimKey(this, key));
			return claim !== undefined && claim.owner !== owner && claim.until > now;
		});
		if (!busy || now >= deadline) break;
		await sleep(100);
	}
	const until = Date.now() + CLAIM_MS;
	for (const key of keys) claims.set(claimKey(this, key), { owner, until });
}

/**
 * The keys among `keys` this execution claims already: an earlier Zoho node of it found them not written (claims of
 * written versions end at once) and did its part without failing (a failure ends the claim). Asking the database
 * again before the completing write would cost a probe per run to learn what this execution just learnt.
 */
function claimedByThisExecution(this: IExecuteFunctions, keys: string[]): Set<string> {
	const owner = ownerOf(this);
	const now = Date.now();
	return new Set(
		keys.filter((key) => {
			const claim = claims.get(claimKey(this, key));
			return claim !== undefined && claim.owner === owner && claim.until > now;
		}),
	);
}

/** Ends this execution's claims on `keys` (written, failed, or skipped). */
export function releaseVersions(this: IExecuteFunctions, keys: string[]): void {
	const owner = ownerOf(this);
	for (const key of keys) {
		const id = claimKey(this, key);
		if (claims.get(id)?.owner === owner) claims.delete(id);
	}
	if (claims.size > 10_000) {
		const now = Date.now();
		for (const [id, claim] of claims) if (claim.until <= now) claims.delete(id);
	}
}

/** The write that completes an order; its success is what the order-version record stores. */
const ORDER_COMPLETING = new Set(['deal.create', 'salesOrder.create', 'order.syncInOneCall']);

/**
 * `execute` behind the order-version gate (option "Skip Written Order Versions", on by default): items whose
 * version this workflow already wrote pass through with `zoho.skipped` and no Zoho call; after the completing
 * write (Deal or Sales Order) the versions Zoho confirmed are recorded.
 */
export function withVersionGate(operationName: string, execute: ItemOperation): ItemOperation {
	return async function (this: IExecuteFunctions, indices: number[]): Promise<Map<number, ItemOutcome>> {
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		if (options.skipWrittenVersions === false) return await execute.call(this, indices);
		const items = this.getInputData();
		const completing = ORDER_COMPLETING.has(operationName);
		const keys = new Map<number, string>();
		for (const index of indices) {
			const key = orderVersionKey(items[index].json);
			if (key) keys.set(index, key);
		}
		if (!keys.size) return await execute.call(this, indices);

		const versions = [...new Set(keys.values())];
		const checkedEarlier = claimedByThisExecution.call(this, versions);
		// A claim lives from the first Zoho node to the order's completing write: only worth taking when one follows.
		if (completing || completedDownstream(this)) await claimVersions.call(this, versions);
		const written = await writtenVersionsOf.call(this, keys, checkedEarlier);
		releaseVersions.call(this, [...written]);

		const outcomes = new Map<number, ItemOutcome>();
		for (const [index, key] of keys) {
			if (!written.has(key)) continue;
			outcomes.set(index, {
				ok: true,
				json: withZohoResult(items[index], {
					skipped: { reason: 'This order version was already written to Zoho', version: key },
				}),
			});
		}
		const rest = indices.filter((index) => !outcomes.has(index));
		let fresh = new Map<number, ItemOutcome>();
		try {
			if (rest.length) fresh = await execute.call(this, rest);
		} finally {
			// The claim ends with the completing write, or early with a failure (a thrown call included).
			const ended = completing ? rest : rest.filter((index) => !fresh.get(index)?.ok);
			if (completing) {
				// Only after Zoho confirmed the write: a failed or crashed write is tried again, never skipped.
				const done = rest.filter((index) => fresh.get(index)?.ok && keys.has(index));
				await recordWrittenVersions.call(this, done.map((index) => keys.get(index)!));
			}
			releaseVersions.call(this, ended.flatMap((index) => keys.get(index) ?? []));
		}
		for (const [index, outcome] of fresh) outcomes.set(index, outcome);
		return outcomes;
	};
}

/** Whether a Zoho CRM Order Sync node after this one writes the Deal or Sales Order that completes the order. */
function completedDownstream(ctx: IExecuteFunctions): boolean {
	try {
		return ctx.getChildNodes(ctx.getNode().name, { includeNodeParameters: true }).some((child) => {
			const parameters = (child.parameters ?? {}) as IDataObject;
			return (
				child.type.endsWith('.zohoCrmOrderSync') &&
				!child.disabled &&
				ORDER_COMPLETING.has(`${String(parameters.resource)}.${String(parameters.operation)}`)
			);
		});
	} catch {
		return false;
	}
}

/**
 * The order versions among `keys` already written. An earlier Zoho node of this execution is taken at its word: an
 * item it skipped for the same version is written, a version it found unwritten and still claims (`checkedEarlier`)
 * is not; the rest are looked up in one call.
 */
async function writtenVersionsOf(
	this: IExecuteFunctions,
	keys: Map<number, string>,
	checkedEarlier: Set<string>,
): Promise<Set<string>> {
	const items = this.getInputData();
	const written = new Set<string>();
	const unknown: string[] = [];
	for (const [index, key] of keys) {
		const skipped = ((items[index].json.zoho as IDataObject | undefined)?.skipped as IDataObject | undefined)?.version;
		if (skipped === key) written.add(key);
		else if (!checkedEarlier.has(key)) unknown.push(key);
	}
	for (const key of await writtenVersions.call(this, unknown)) written.add(key);
	return written;
}
