import { createHash } from 'crypto';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

export { DEAD_LETTER_COLUMNS } from './deadLetterColumns';
export type { DeadLetterColumnType } from './deadLetterColumns';

/** One dead-letter Data Table row (see deadLetterColumns.ts): flat, JSON strings for anything nested. */
export interface DeadLetterRecord extends IDataObject {
	key: string;
	orderId: number | null;
	orderNumber: string;
	customerEmail: string;
	failedNode: string;
	operation: string;
	workflowId: string;
	workflowName: string;
	executionId: string;
	category: string;
	httpCode: number | null;
	zohoCode: string;
	message: string;
	details: string;
	attempts: number;
	zohoAttempts: number | null;
	firstFailedAt: string;
	lastFailedAt: string;
	order: string;
	zohoPayload: string;
	zohoRequest: string;
	status: 'open' | 'resolved';
	resolvedAt: string;
	resolvedExecutionId: string;
	/** JSON of the Zoho records a successful replay wrote; '' while open. */
	zohoRecordIds: string;
}

/** Where and when the failure is being recorded; read by the node from the workflow and its parameters. */
export interface DeadLetterContext {
	workflowId: string;
	workflowName: string;
	executionId: string;
	/** Used when the error does not name the failed node (n8n's generic errors). */
	failedNodeFallback: string;
	/** ISO time used when the error carries no failure time. */
	now: string;
	/** The write that completes an order in this workflow (deal.create, salesOrder.create), when there is one. */
	completesWith?: string;
}

/** What a replayed order carries so that its next failure or its success updates the same row. */
export interface DeadLetterMarker extends IDataObject {
	key: string;
	rowId: number | string | null;
	attempts: number;
	failedNode: string;
	category: string;
	/** The operation a replay sends the order through (see replayOperation). */
	replayAs: string;
	/** Whether the replay sends the order as the store has it now (option "Refresh Orders From Store"). */
	storeRefresh?: StoreRefresh;
}

/**
 * What "Refresh Orders From Store" did with a replayed order: `current` — the store's order now replaces the stored
 * one; `notInStore` — the store no longer lists it (deleted, or in the trash), the stored order is replayed;
 * `otherStore` — the row came from a store other than the credential's (or names none), the stored order is replayed.
 */
export interface StoreRefresh extends IDataObject {
	outcome: 'current' | 'notInStore' | 'otherStore';
	/** date_modified_gmt of the stored order and, for `current`, of the store's order now. */
	storedVersion: string;
	currentVersion?: string;
	message: string;
}

/** The columns a Data Table update/upsert by `key` changes when a replay succeeded. */
export interface DeadLetterResolution extends IDataObject {
	key: string;
	status: 'resolved';
	resolvedAt: string;
	resolvedExecutionId: string;
	zohoRecordIds: string;
	/**
	 * Resolving an order's rows after its write: the failure time of the row that was read, unchanged. The update
	 * matches it too, so a row that failed again since it was read (and was reopened) stays open.
	 */
	lastFailedAt?: string;
}

export type UnpackResult =
	| { outcome: 'replay'; order: IDataObject }
	| { outcome: 'skipped'; reason: string }
	| { outcome: 'invalid'; message: string };

/** Keys that the Zoho nodes and this node add to an order; everything else is the order as delivered. */
const ADDED_KEYS = ['error', 'message', 'zoho', '_deadLetter', '_replayAs'];

/** Operations a dead letter can be replayed through, each a branch of the replay workflow. */
export const REPLAY_OPERATIONS = ['deal.create', 'salesOrder.create', 'product.upsert'] as const;

/**
 * What a replay runs for a row: the operation that failed when it is one of the replayable writes; for a contact
 * or account that failed, the write that completes the order in the workflow it failed in (so a sales-order
 * workflow's contact failure is replayed as contact + sales order, never as a deal); deal.create for rows from
 * before this was recorded.
 */
export function replayOperation(failedOperation: string, completesWith: string): string {
	if ((REPLAY_OPERATIONS as readonly string[]).includes(failedOperation)) return failedOperation;
	return (REPLAY_OPERATIONS as readonly string[]).includes(completesWith) ? completesWith : 'deal.create';
}

const isObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const asText = (value: unknown): string =>
	typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';

/** Numbers, or numeric strings (NodeApiError keeps httpCode as a string); anything else is unknown. */
function asNumber(value: unknown): number | null {
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = Number(value);
		return Number.isFinite(parsed) ? parsed : null;
	}
	return null;
}

function toJson(value: unknown): string {
	try {
		return JSON.stringify(value) ?? '';
	} catch {
		// circular error objects (class instances from other nodes) cannot be stored; keep the row anyway
		return '';
	}
}

function isoTime(value: unknown, fallback: string): string {
	if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
	// NodeApiError.timestamp is epoch milliseconds
	if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
	if (typeof value === 'string' && value !== '') {
		const time = Date.parse(value);
		if (!Number.isNaN(time)) return new Date(time).toISOString();
	}
	return fallback;
}

/** The order as it entered the Zoho nodes: the item json without what the Zoho and Dead Letter nodes added. */
export function originalOrder(json: IDataObject): IDataObject {
	const order: IDataObject = {};
	for (const [name, value] of Object.entries(json)) {
		if (!ADDED_KEYS.includes(name)) order[name] = value;
	}
	return order;
}

/** Only sure mappings; anything else stays '' rather than guessing. */
function categoryFromHttpCode(httpCode: number | null): string {
	if (httpCode === 429) return 'rate_limit';
	if (httpCode !== null && httpCode >= 500 && httpCode <= 599) return 'server';
	return '';
}

interface FailureFacts {
	category: string;
	httpCode: number | null;
	zohoCode: string;
	message: string;
	details: string;
	zohoAttempts: number | null;
	operation: string;
	failedAt: unknown;
	node: string;
	zohoPayload: string;
	zohoRequest: string;
}

/**
 * Reads the failure from an error-output item: the Zoho node's structured ZohoSyncError under json.error,
 * n8n's generic `{ error: 'text' }`, or an error object some other node left on the item (`item.error`).
 */
function readFailure(item: INodeExecutionData): FailureFacts {
	const json = item.json ?? {};
	const raw: unknown = json.error ?? item.error;
	const topMessage = asText(json.message);

	if (isObject(raw) || raw instanceof Error) {
		const error = raw as IDataObject;
		const httpCode = asNumber(error.httpCode);
		const request = isObject(error.request) ? error.request : undefined;
		const method = asText(request?.method);
		const path = asText(request?.path);
		const body = request?.body;
		// a NodeApiError's `node` is the INode object, a ZohoSyncError's is the node name
		const node = isObject(error.node) ? asText(error.node.name) : asText(error.node);
		let details = '{}';
		if (error.details !== undefined && error.details !== null) details = toJson(error.details);
		else if (typeof error.description === 'string') details = toJson({ description: error.description });
		return {
			category: typeof error.category === 'string' ? error.category : categoryFromHttpCode(httpCode),
			httpCode,
			zohoCode: asText(error.zohoCode),
			message: asText(error.message) || topMessage,
			details,
			zohoAttempts: asNumber(error.attempts),
			operation: asText(error.operation),
			failedAt: error.failedAt ?? error.timestamp,
			node,
			zohoPayload: body === undefined || body === null ? '' : toJson(body),
			zohoRequest: method || path ? `${method} ${path}`.trim() : '',
		};
	}

	return {
		category: '',
		httpCode: null,
		zohoCode: '',
		message: asText(raw) || topMessage,
		details: '{}',
		zohoAttempts: null,
		operation: '',
		failedAt: undefined,
		node: '',
		zohoPayload: '',
		zohoRequest: '',
	};
}

/**
 * The stable row key: the same order failing in the same node always lands in the same row.
 * Orders without an id (not expected from the trigger) are keyed by a hash of their JSON, so they
 * still get a row of their own instead of sharing one.
 */
export function deadLetterKey(order: IDataObject, orderId: number | null, failedNode: string): string {
	if (orderId !== null) return `${orderId}:${failedNode}`;
	const digest = createHash('sha256').update(toJson(order)).digest('hex').slice(0, 16);
	return `order-${digest}:${failedNode}`;
}

/** One flat dead-letter record from one error-output item (first failure: attempts 1, status open). */
export function buildDeadLetterRecord(item: INodeExecutionData, context: DeadLetterContext): DeadLetterRecord {
	const json = item.json ?? {};
	const failure = readFailure(item);
	const order = originalOrder(json);
	const orderId = asNumber(order.id);
	const billing = isObject(order.billing) ? order.billing : {};
	const failedNode = failure.node || context.failedNodeFallback;
	const marker = isObject(json._deadLetter) ? json._deadLetter : undefined;
	const replayedKey = asText(marker?.key);
	const failedAt = isoTime(failure.failedAt, context.now);
	// a replayed order keeps the path it was replayed through; a first failure takes its workflow's
	const completesWith = asText(marker?.replayAs) || context.completesWith || '';

	return {
		key: replayedKey || deadLetterKey(order, orderId, failedNode),
		orderId,
		orderNumber: asText(order.number),
		customerEmail: asText(billing.email),
		failedNode,
		operation: failure.operation,
		workflowId: context.workflowId,
		workflowName: context.workflowName,
		executionId: context.executionId,
		category: failure.category,
		httpCode: failure.httpCode,
		zohoCode: failure.zohoCode,
		message: failure.message,
		details: failure.details,
		attempts: 1,
		zohoAttempts: failure.zohoAttempts,
		firstFailedAt: failedAt,
		lastFailedAt: failedAt,
		order: toJson(completesWith ? { ...order, _replayAs: completesWith } : order),
		zohoPayload: failure.zohoPayload,
		zohoRequest: failure.zohoRequest,
		status: 'open',
		resolvedAt: '',
		resolvedExecutionId: '',
		zohoRecordIds: '',
	};
}

/**
 * A list parameter given by an expression (an array, or one object) or as JSON text ('' is an empty list); anything
 * else is not a list. Throws a plain Error naming the parameter; the node turns it into a NodeOperationError.
 */
function readListParameter(value: unknown, name: string): unknown[] | null {
	let parsed = value;
	if (typeof value === 'string') {
		if (value.trim() === '') return [];
		let syntaxError: string | null = null;
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			syntaxError = (error as Error).message;
		}
		if (syntaxError !== null) throw new Error(`"${name}" is not valid JSON: ${syntaxError}`);
	}
	if (isObject(parsed)) return [parsed];
	return Array.isArray(parsed) ? parsed : null;
}

/** The `records` parameter: an array of built records (from an expression) or its JSON text. */
export function readBuiltRecords(value: unknown): DeadLetterRecord[] {
	const parsed = readListParameter(value, 'Records');
	if (!parsed) {
		throw new Error('"Records" must be the list of records built by the "Build Record" operation');
	}
	return parsed.map((record, index) => {
		if (!isObject(record) || typeof record.key !== 'string' || record.key === '') {
			throw new Error(`"Records" entry ${index} has no key: is it a record built by "Build Record"?`);
		}
		return record as DeadLetterRecord;
	});
}

function storedAttempts(row: IDataObject): number {
	const attempts = asNumber(row.attempts);
	return attempts !== null && attempts >= 1 ? Math.floor(attempts) : 1;
}

/**
 * Merges newly built records with the rows already stored under the same keys, so that an upsert by key
 * keeps one row per failure: attempts + 1, the first failure time kept, reopened if it had been resolved.
 * A key built twice in one batch is merged with itself too (the later upsert then carries the total).
 * `storedIndex` is the index of the stored row that was matched, for pairedItem; null when none.
 */
export function mergeWithStored(
	records: DeadLetterRecord[],
	storedRows: IDataObject[],
): Array<{ record: DeadLetterRecord; storedIndex: number | null }> {
	const storedByKey = new Map<string, { row: IDataObject; index: number }>();
	storedRows.forEach((row, index) => {
		const key = asText(row?.key);
		if (!key) return; // the empty item a Data Table "get" with alwaysOutputData emits when nothing is stored
		const known = storedByKey.get(key);
		// should the table hold a key twice, count from the row that has seen most failures
		if (!known || storedAttempts(row) > storedAttempts(known.row)) storedByKey.set(key, { row, index });
	});

	const mergedByKey = new Map<string, DeadLetterRecord>();
	return records.map((record) => {
		const earlier = mergedByKey.get(record.key);
		const stored = storedByKey.get(record.key);
		const previous: IDataObject | undefined = earlier ?? stored?.row;
		const merged: DeadLetterRecord = {
			...record,
			attempts: previous ? storedAttempts(previous) + 1 : 1,
			firstFailedAt: previous ? isoTime(previous.firstFailedAt, record.firstFailedAt) : record.firstFailedAt,
			status: 'open',
			resolvedAt: '',
			resolvedExecutionId: '',
			zohoRecordIds: '',
		};
		mergedByKey.set(record.key, merged);
		return { record: merged, storedIndex: stored ? stored.index : null };
	});
}

/** The `_replayAs` of a stored order (JSON text or object); '' when it has none or cannot be read. */
function storedReplayAs(order: unknown): string {
	let parsed = order;
	if (typeof order === 'string') {
		try {
			parsed = JSON.parse(order);
		} catch {
			return '';
		}
	}
	return isObject(parsed) ? asText(parsed._replayAs) : '';
}

/**
 * A stored row back to the order it was built from, marked with `_deadLetter` so the Zoho nodes' next
 * failure reuses the row key and Mark Resolved can close it. Only open rows are replayed by default.
 */
export function unpackRow(row: IDataObject, options: { includeResolved?: boolean } = {}): UnpackResult {
	const key = asText(row.key);
	if (!key && (row.order === undefined || row.order === null || row.order === '')) {
		return { outcome: 'skipped', reason: 'not a dead-letter row' };
	}
	const status = asText(row.status);
	if (status !== 'open' && !options.includeResolved) {
		return { outcome: 'skipped', reason: `status is "${status}"` };
	}
	let order: unknown = row.order;
	if (typeof order === 'string') {
		try {
			order = JSON.parse(order);
		} catch (error) {
			return {
				outcome: 'invalid',
				message: `Dead letter "${key}": the stored order is not valid JSON (${(error as Error).message})`,
			};
		}
	}
	if (!isObject(order)) {
		return { outcome: 'invalid', message: `Dead letter "${key}": the stored order is not a JSON object` };
	}
	// a hand-edited row must not bring back an `error` key: n8n would treat the item as failed
	const replayed = originalOrder(order);
	const replayAs = replayOperation(asText(row.operation), asText(order._replayAs));
	const rowId = row.id;
	const marker: DeadLetterMarker = {
		key,
		rowId: typeof rowId === 'number' || typeof rowId === 'string' ? rowId : null,
		attempts: storedAttempts(row),
		failedNode: asText(row.failedNode),
		category: asText(row.category),
		replayAs,
	};
	return { outcome: 'replay', order: { ...replayed, _deadLetter: marker } };
}

/** The update that closes row `key`: resolved now by this execution, with the Zoho records the write left. */
function resolution(key: string, written: IDataObject, executionId: string, now: string): DeadLetterResolution {
	return {
		key,
		status: 'resolved',
		resolvedAt: now,
		resolvedExecutionId: executionId,
		zohoRecordIds: toJson(isObject(written.zoho) ? written.zoho : {}),
	};
}

/**
 * The update that closes a dead letter after a successful replay; null when the item is not a replay
 * (no `_deadLetter.key`) or still carries an error (it did not succeed).
 */
export function resolutionFor(
	item: INodeExecutionData,
	executionId: string,
	now: string,
): DeadLetterResolution | null {
	const json = item.json ?? {};
	const marker = isObject(json._deadLetter) ? json._deadLetter : undefined;
	const key = asText(marker?.key);
	if (!key || json.error) return null;
	return resolution(key, json, executionId, now);
}

/**
 * The update that closes `row` because the completing write of its order just succeeded (or found that order
 * version already written): only an open row of that order whose replay would run the same write — a row is
 * resolved only by the write it records, so a deal written by one workflow never closes the sales-order row of
 * another. `writtenAs` is the replay operation the write stands for (see replayOperation). Null for anything else,
 * including items that are not dead-letter rows (what a Data Table node passes on when it failed).
 */
export function resolutionForWrittenOrder(
	row: IDataObject,
	written: IDataObject,
	writtenAs: string,
	executionId: string,
	now: string,
): DeadLetterResolution | null {
	const key = asText(row.key);
	const orderId = asNumber(row.orderId);
	if (!key || asText(row.status) !== 'open' || orderId === null || orderId !== asNumber(written.id)) return null;
	if (written.error) return null;
	if (replayOperation(asText(row.operation), storedReplayAs(row.order)) !== writtenAs) return null;
	return { ...resolution(key, written, executionId, now), lastFailedAt: asText(row.lastFailedAt) };
}

/**
 * The updates that close the open rows among `rows` (read once for a whole run) whose orders are among `written`
 * (the completing node's output of that run), each with the index of its row. An order written twice in the run
 * is taken from the item that wrote it rather than one that found it already written.
 */
export function resolutionsForWrittenOrders(
	rows: IDataObject[],
	written: IDataObject[],
	writtenAs: string,
	executionId: string,
	now: string,
): Array<{ resolution: DeadLetterResolution; rowIndex: number }> {
	const byOrder = new Map<number, IDataObject>();
	for (const order of written) {
		const id = asNumber(order?.id);
		if (id === null || order.error) continue;
		const known = byOrder.get(id);
		const skipped = (item: IDataObject) => isObject(item.zoho) && item.zoho.skipped !== undefined;
		if (!known || (skipped(known) && !skipped(order))) byOrder.set(id, order);
	}
	const found: Array<{ resolution: DeadLetterResolution; rowIndex: number }> = [];
	rows.forEach((row, rowIndex) => {
		const order = byOrder.get(asNumber(row?.orderId) ?? Number.NaN);
		const update = order ? resolutionForWrittenOrder(row, order, writtenAs, executionId, now) : null;
		if (update) found.push({ resolution: update, rowIndex });
	});
	return found;
}

/** The `writtenOrders` parameter: the completing node's output items (an expression's array) or its JSON text. */
export function readWrittenOrders(value: unknown): IDataObject[] {
	const parsed = readListParameter(value, 'Written Orders');
	if (!parsed || !parsed.every(isObject)) {
		throw new Error('"Written Orders" must be the items the completing Zoho node put out');
	}
	return parsed;
}

/**
 * A replayed order (from unpackRow) as the store has it now, for "Refresh Orders From Store": `current` is the
 * store's order with this id (undefined when the store did not list it), `fromThisStore` whether the row came from
 * the store that was asked. The store's order replaces the stored one whole; the replay markers (`_deadLetter`) and
 * the provenance (`_woocommerce`, part of the order-version key) stay. The marker says what happened.
 */
export function withStoreOrder(replayed: IDataObject, current: IDataObject | undefined, fromThisStore: boolean): IDataObject {
	const marker = (isObject(replayed._deadLetter) ? replayed._deadLetter : {}) as DeadLetterMarker;
	const id = asText(replayed.id) || '?';
	const storedVersion = asText(replayed.date_modified_gmt);
	let storeRefresh: StoreRefresh;
	if (!fromThisStore) {
		const source = isObject(replayed._woocommerce) ? asText(replayed._woocommerce.source) : '';
		storeRefresh = {
			outcome: 'otherStore',
			storedVersion,
			message: `Order ${id} came from ${source ? `the store ${source}` : 'an unnamed store'}, not from the store of the WooCommerce credential: the stored order is replayed`,
		};
	} else if (!current) {
		storeRefresh = {
			outcome: 'notInStore',
			storedVersion,
			message: `The store no longer lists order ${id} (deleted, or in the trash): the stored order is replayed`,
		};
	} else {
		const currentVersion = asText(current.date_modified_gmt);
		storeRefresh = {
			outcome: 'current',
			storedVersion,
			currentVersion,
			message:
				currentVersion === storedVersion
					? `Order ${id} is unchanged in the store since it failed`
					: `Order ${id} changed in the store since it failed (${storedVersion} → ${currentVersion}): the store's order is replayed`,
		};
		return {
			...originalOrder(current),
			_woocommerce: replayed._woocommerce,
			_deadLetter: { ...marker, storeRefresh },
		};
	}
	return { ...replayed, _deadLetter: { ...marker, storeRefresh } };
}
