import type { IDataObject } from 'n8n-workflow';

/**
 * The poll trigger's cursor, kept in node-scoped workflow static data. Pure functions, no n8n context, so the
 * window arithmetic can be tested alone.
 *
 * `lastModifiedGmt` is the newest `date_modified_gmt` emitted so far (store clock), or the activation time.
 * `emitted` maps order id → the `date_modified_gmt` it was emitted with, for every emitted order modified inside
 * the overlap window before the cursor. Each poll re-reads that window (WP `date_query` `after` is exclusive, clocks
 * drift, late commits appear with an older timestamp), and this map is what keeps the re-read from emitting the same
 * change twice — including the orders that sit exactly on the cursor timestamp.
 */
export interface PollCursor {
	lastModifiedGmt: string;
	emitted: Record<string, string>;
	/** Orders the last poll emitted for the first time (id → date_modified_gmt): the next poll emits them again. */
	unconfirmed?: Record<string, string>;
}

/**
 * WooCommerce `*_gmt` dates are UTC without an offset (`2024-05-01T10:00:00`), `wc_rest_prepare_date_response()`.
 * Returns epoch milliseconds, or undefined for anything unparsable.
 */
export function parseWooGmt(value: unknown): number | undefined {
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	const text = value.trim().replace(' ', 'T');
	const hasOffset = /([Zz]|[+-]\d{2}:?\d{2})$/.test(text);
	const time = Date.parse(hasOffset ? text : `${text}Z`);
	return Number.isNaN(time) ? undefined : time;
}

/** `YYYY-MM-DDTHH:MM:SS`, the form WooCommerce uses for its own *_gmt fields; sent with dates_are_gmt=true. */
export function formatWooGmt(time: number): string {
	return new Date(time).toISOString().slice(0, 19);
}

/**
 * The Start From parameter: n8n's dateTime picker gives `YYYY-MM-DDTHH:MM:SS` (optionally with an offset). A value
 * without an offset is read as UTC, so the result does not depend on the n8n server's time zone.
 */
export function parseStartFrom(value: unknown): number | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
	return parseWooGmt(value);
}

export function readCursor(staticData: IDataObject): PollCursor | undefined {
	const last = staticData.lastModifiedGmt;
	if (typeof last !== 'string' || parseWooGmt(last) === undefined) return undefined;
	const emitted: Record<string, string> = {};
	const stored = staticData.emitted;
	if (stored !== null && typeof stored === 'object' && !Array.isArray(stored)) {
		for (const [id, modified] of Object.entries(stored as IDataObject)) {
			if (typeof modified === 'string') emitted[id] = modified;
		}
	}
	const unconfirmed: Record<string, string> = {};
	const pending = staticData.unconfirmed;
	if (pending !== null && typeof pending === 'object' && !Array.isArray(pending)) {
		for (const [id, modified] of Object.entries(pending as IDataObject)) {
			if (typeof modified === 'string') unconfirmed[id] = modified;
		}
	}
	return { lastModifiedGmt: last, emitted, unconfirmed };
}

export function writeCursor(staticData: IDataObject, cursor: PollCursor): void {
	staticData.lastModifiedGmt = cursor.lastModifiedGmt;
	staticData.emitted = cursor.emitted;
	staticData.unconfirmed = cursor.unconfirmed ?? {};
}

/** The `modified_after` to request: the cursor minus the overlap. */
export function windowStart(cursor: PollCursor, overlapMinutes: number): string {
	return formatWooGmt(parseWooGmt(cursor.lastModifiedGmt)! - Math.max(0, overlapMinutes) * 60_000);
}

/** Whether this exact change of the order (id + date_modified_gmt) was already emitted. */
export function alreadyEmitted(cursor: PollCursor, id: number, modifiedGmt: string): boolean {
	const previous = cursor.emitted[String(id)];
	return previous !== undefined && parseWooGmt(previous) === parseWooGmt(modifiedGmt);
}

/**
 * The cursor after emitting `orders` (id + date_modified_gmt): moves to the newest timestamp seen (never back) and
 * keeps only the emitted entries still inside the overlap window, so static data stays small.
 */
export function advanceCursor(
	cursor: PollCursor,
	orders: Array<{ id: number; modifiedGmt: string }>,
	overlapMinutes: number,
): PollCursor {
	let newest = parseWooGmt(cursor.lastModifiedGmt)!;
	const emitted: Record<string, string> = { ...cursor.emitted };
	for (const order of orders) {
		const time = parseWooGmt(order.modifiedGmt);
		if (time === undefined) continue;
		emitted[String(order.id)] = order.modifiedGmt;
		if (time > newest) newest = time;
	}
	const floor = newest - Math.max(0, overlapMinutes) * 60_000;
	for (const [id, modified] of Object.entries(emitted)) {
		const time = parseWooGmt(modified);
		if (time === undefined || time < floor) delete emitted[id];
	}
	return { lastModifiedGmt: `${formatWooGmt(newest)}Z`, emitted };
}
