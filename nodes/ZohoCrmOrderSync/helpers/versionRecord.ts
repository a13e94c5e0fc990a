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
 * It says which completing write is done: one `done…|<version>` key per operation (writeMark). Create Deal keeps the
 * form `done|<version>` that every record stored so far has, so those keep meaning "deal written"; Create Sales Order
 * and Sync in One Call have their own. A node skips an order version only when every completing write it leads to
 * (its own, and those of the Zoho nodes after it) is recorded, as the record stood when this execution first asked:
 * what an execution records never makes a later node of the same execution skip.
 *
 * The helpers can only ask "was this key recorded?" by recording it. A probe for a version that was never written
 * therefore leaves a wrong "written" mark until it is removed again, and a crash between the two database writes
 * would keep it. Every probe thus records a `check…|` marker (the same name, `check` for `done`) in the same database
 * write as the `done…|` key it asks about, and removes both in one write afterwards: a `done…|` mark that a crash
 * left behind always has its `check…|` marker next to it, and a version with a `check…|` marker counts as not
 * written (it is written again, and Zoho's upserts make that harmless). `done…|` keys are recorded only after Zoho
 * confirmed the write.
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

/** The writes that complete an order; their success is what the order-version record stores. */
const COMPLETING_OPERATIONS = ['deal.create', 'salesOrder.create', 'order.syncInOneCall'] as const;
export type CompletingOperation = (typeof COMPLETING_OPERATIONS)[number];

const isCompleting = (operation: string): operation is CompletingOperation =>
	(COMPLETING_OPERATIONS as readonly string[]).includes(operation);

/**
 * The record key saying that `operation` wrote `version`: `done|<version>` for Create Deal (the key every record
 * stored before the operations were told apart has), `done:<operation>|<version>` for the others.
 */
export function writeMark(operation: CompletingOperation, version: string): string {
	return `done${operation === 'deal.create' ? '' : `:${operation}`}|${version}`;
}

/** The probe marker that goes with a `done…|` mark: `check…|`, the rest unchanged. */
const checkMarkOf = (mark: string) => `check${mark.slice('done'.length)}`;

/** Which of `marks` (writeMark) are recorded. Any doubt (no database, a crashed probe) answers "not recorded". */
export async function recordedWrites(this: IExecuteFunctions, marks: string[]): Promise<Set<string>> {
	const unique = [...new Set(marks)];
	if (!unique.length || !this.getWorkflow().id) return new Set();
	return await withKeyedLocks([lockKey(this)], async () => {
		try {
			// `done…|` before `check…|`: when the row is trimmed to maxEntries the oldest go first, so a
			// leftover `done…|` can never outlive its `check…|` marker.
			const probe = unique.flatMap((mark) => [mark, checkMarkOf(mark)]);
			const answer = await this.helpers.checkProcessedAndRecord(probe, 'workflow', OPTIONS);
			const seen = new Set(answer.processed.map(String));
			const recorded = new Set(unique.filter((mark) => seen.has(mark) && !seen.has(checkMarkOf(mark))));
			const undo = unique.flatMap((mark) => (recorded.has(mark) ? [checkMarkOf(mark)] : [mark, checkMarkOf(mark)]));
			await this.helpers.removeProcessed(undo, 'workflow', OPTIONS);
			return recorded;
		} catch (error) {
			this.logger.warn(`Zoho CRM Order Sync: the order-version record could not be read: ${(error as Error).message}`);
			return new Set<string>();
		}
	});
}

/** Records `marks` (writeMark). Called only after Zoho confirmed the write, so a failure is retried, never skipped. */
export async function recordWrites(this: IExecuteFunctions, marks: string[]): Promise<void> {
	const unique = [...new Set(marks)];
	if (!unique.length || !this.getWorkflow().id) return;
	await withKeyedLocks([lockKey(this)], async () => {
		try {
			await this.helpers.checkProcessedAndRecord(unique, 'workflow', OPTIONS);
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

/**
 * `execute` behind the order-version gate (option "Skip Written Order Versions", on by default): items whose
 * version this workflow already wrote, with every completing write this node leads to, pass through with
 * `zoho.skipped` and no Zoho call; after a completing write the versions Zoho confirmed are recorded for it.
 */
export function withVersionGate(operationName: string, execute: ItemOperation): ItemOperation {
	return async function (this: IExecuteFunctions, indices: number[]): Promise<Map<number, ItemOutcome>> {
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		if (options.skipWrittenVersions === false) return await execute.call(this, indices);
		const downstream = completingDownstream(this);
		const completing = isCompleting(operationName);
		const covered = completing ? new Set([operationName, ...downstream]) : downstream;
		// Neither this node nor any after it makes a completing write: no record speaks for its write, it never skips.
		if (!covered.size) return await execute.call(this, indices);
		const items = this.getInputData();
		const keys = new Map<number, string>();
		for (const index of indices) {
			const key = orderVersionKey(items[index].json);
			if (key) keys.set(index, key);
		}
		if (!keys.size) return await execute.call(this, indices);

		const versions = [...new Set(keys.values())];
		// A claim lives from the first Zoho node to the order's last completing write.
		await claimVersions.call(this, versions);
		const written = await writtenVersionsOf.call(this, versions, [...covered]);
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
			// The claim ends with the last completing write, or early with a failure (a thrown call included).
			const ended = completing && !downstream.size ? rest : rest.filter((index) => !fresh.get(index)?.ok);
			if (completing) {
				// Only after Zoho confirmed the write: a failed or crashed write is tried again, never skipped.
				const done = rest.filter((index) => fresh.get(index)?.ok && keys.has(index));
				await recordWrites.call(this, done.map((index) => writeMark(operationName, keys.get(index)!)));
			}
			releaseVersions.call(this, ended.flatMap((index) => keys.get(index) ?? []));
		}
		for (const [index, outcome] of fresh) outcomes.set(index, outcome);
		return outcomes;
	};
}

/** The completing writes (Deal, Sales Order, One Call) of the Zoho CRM Order Sync nodes after this one. */
function completingDownstream(ctx: IExecuteFunctions): Set<CompletingOperation> {
	const operations = new Set<CompletingOperation>();
	try {
		for (const child of ctx.getChildNodes(ctx.getNode().name, { includeNodeParameters: true })) {
			const parameters = (child.parameters ?? {}) as IDataObject;
			const operation = `${String(parameters.resource)}.${String(parameters.operation)}`;
			if (child.type.endsWith('.zohoCrmOrderSync') && !child.disabled && isCompleting(operation)) operations.add(operation);
		}
	} catch {
		// no workflow graph to read: only this node's own write counts
	}
	return operations;
}

/** Per order version and completing write: whether the record held it when this execution first asked. */
type FirstAnswers = Record<string, Partial<Record<CompletingOperation, boolean>>>;

/**
 * This execution's first answers, kept in its flow context (n8n keeps that with the execution, across a Wait node
 * too), so that a later node of the execution asks the database only about writes no earlier node asked about, and
 * never takes a version this execution recorded itself for one an earlier execution wrote.
 */
function firstAnswers(ctx: IExecuteFunctions): FirstAnswers {
	try {
		const flow = ctx.getContext('flow');
		flow.zohoCrmOrderVersions ??= {};
		return flow.zohoCrmOrderVersions as FirstAnswers;
	} catch {
		// no execution data to keep it in: this node asks for itself
		return {};
	}
}

/**
 * The versions among `versions` whose `covered` writes are all recorded, as the record stood when this execution
 * first asked about each; what no earlier node of it asked is looked up in one call.
 */
async function writtenVersionsOf(
	this: IExecuteFunctions,
	versions: string[],
	covered: CompletingOperation[],
): Promise<Set<string>> {
	const answers = firstAnswers(this);
	const unknown = versions.flatMap((version) =>
		covered.filter((operation) => answers[version]?.[operation] === undefined).map((operation) => ({ version, operation })),
	);
	const recorded = await recordedWrites.call(
		this,
		unknown.map(({ version, operation }) => writeMark(operation, version)),
	);
	for (const { version, operation } of unknown) {
		answers[version] = { ...answers[version], [operation]: recorded.has(writeMark(operation, version)) };
	}
	return new Set(versions.filter((version) => covered.every((operation) => answers[version]?.[operation] === true)));
}
