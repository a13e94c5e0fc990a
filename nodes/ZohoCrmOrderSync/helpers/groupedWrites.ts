import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ZohoField } from '../transport';
import { zohoCoql, zohoGetFields, zohoWriteRecords, type ZohoCallLimits } from '../transport';
import type { ZohoRecordResult, ZohoSyncError } from '../types';
import { withKeyedLocks } from './keyedLock';
import { zohoOrgKey } from './org';
import { localFailure } from './outcomes';
import { asNodeError } from '../../shared/nodeError';

export interface WriteSettings {
	limits: ZohoCallLimits;
	trigger?: string[];
}

/** Upserts one record per group key (the last item's values win) and answers per group key. */
export async function upsertGrouped(
	this: IExecuteFunctions,
	module: string,
	keyed: Array<[string, IDataObject]>,
	duplicateCheckFields: string[],
	operation: string,
	{ limits, trigger }: WriteSettings,
): Promise<Map<string, ZohoRecordResult>> {
	const byKey = new Map(keyed);
	const keys = [...byKey.keys()];
	const answers = new Map<string, ZohoRecordResult>();
	if (!keys.length) return answers;
	const { results } = await zohoWriteRecords.call(this, {
		module,
		records: keys.map((key) => byKey.get(key)!),
		mode: 'upsert',
		duplicateCheckFields,
		trigger,
		operation,
		limits,
	});
	keys.forEach((key, position) => answers.set(key, results[position]));
	return answers;
}

/** Zoho marks "Do not allow duplicate values" fields with a non-empty `unique` object (or true). */
export function isUniqueField(field: ZohoField | undefined): boolean {
	const unique = field?.unique as unknown;
	if (!unique) return false;
	if (typeof unique === 'object') return Object.keys(unique as object).length > 0;
	return unique === true;
}

/**
 * `field` is the order-id field's API name as Zoho lists it in /settings/fields (found by API name, else by its
 * label, e.g. "WooCommerce Order ID" for WooCommerce_Order_ID): never computed locally.
 */
export type OrderKeyedWrite =
	| { kind: 'ready'; field: string; upsertOn: string[]; fields: ZohoField[] }
	| { kind: 'lookup'; field: string; fields: ZohoField[] }
	| { kind: 'failed'; error: ZohoSyncError };

/** The field named `name`: by API name, else by label (underscores read as spaces), case-insensitive. */
export function findOrderIdField(fields: ZohoField[], name: string): ZohoField | undefined {
	const wanted = name.trim().toLowerCase();
	const asLabel = wanted.replace(/_/g, ' ');
	return (
		fields.find((field) => field.api_name === name.trim()) ??
		fields.find((field) => field.api_name.toLowerCase() === wanted) ??
		fields.find((field) => [field.field_label, field.display_label].some((label) => typeof label === 'string' && label.trim().toLowerCase() === asLabel))
	);
}

/** Zoho answers INVALID_MODULE for a module the org does not have (e.g. Sales Orders on an edition without them). */
export function moduleUnavailable(module: string, operation: string, error: ZohoSyncError): ZohoSyncError {
	const what = module === 'Sales_Orders' ? 'Sales Orders' : module;
	return {
		...error,
		category: 'validation',
		operation,
		message:
			`Zoho CRM answered that this org has no ${what} module (${error.zohoCode}). ` +
			(module === 'Sales_Orders'
				? 'Sales Orders (inventory) are not part of every Zoho CRM edition, and an admin can hide the module. Enable Sales Orders in Zoho (or use an edition that has them), or sync orders as Deals with the Deal resource.'
				: 'Check the module in Zoho CRM Setup → Modules and Fields.'),
	};
}

/**
 * How records keyed by a WooCommerce order id are written to `module`:
 * - the order-id field is unique → upsert on it (atomic in Zoho; a concurrent duplicate gets DUPLICATE_DATA
 *   and the transport re-sends it as an update);
 * - the field exists but is not unique → look the order up with COQL (no search-index lag) and update or
 *   insert; racy when the same order arrives twice at the same moment, hence the unique field;
 * - the field is missing → every item fails with what to do about it.
 */
export async function planOrderKeyedWrite(
	this: IExecuteFunctions,
	module: string,
	orderIdField: string,
	operation: string,
	options: { maxAgeMs?: number } = {},
): Promise<OrderKeyedWrite> {
	let fields: ZohoField[];
	let field: ZohoField | undefined;
	try {
		fields = await zohoGetFields.call(this, module, options);
		field = findOrderIdField(fields, orderIdField);
		if (!field) {
			// Field metadata is cached (transport/records.ts FIELDS_TTL_MS): ask again in case the field was created
			// since (by hand in Zoho, as the message below suggests), instead of failing every order until then.
			fields = await zohoGetFields.call(this, module, { refresh: true });
			field = findOrderIdField(fields, orderIdField);
		}
	} catch (error) {
		const syncError = (error as { syncError?: ZohoSyncError }).syncError;
		if (syncError?.zohoCode === 'INVALID_MODULE') return { kind: 'failed', error: moduleUnavailable(module, operation, syncError) };
		if (syncError) return { kind: 'failed', error: { ...syncError, operation } };
		throw asNodeError(this.getNode(), error);
	}
	if (!field) {
		return {
			kind: 'failed',
			error: localFailure(
				operation,
				'validation',
				`Zoho CRM module ${module} has no field "${orderIdField}". Run this node's operation "Set Up Order ID Field" once (it needs the scope ZohoCRM.settings.fields.ALL), or create a single-line field with that API name and "Do not allow duplicate values" in Zoho CRM Setup.`,
				{ api_name: orderIdField, module },
			),
		};
	}
	return isUniqueField(field)
		? { kind: 'ready', field: field.api_name, upsertOn: [field.api_name], fields }
		: { kind: 'lookup', field: field.api_name, fields };
}

/**
 * Whether Zoho refused a Deals field that cached metadata chose (Pipeline, Currency, the order-id field): the
 * metadata is then stale and is read again (zohoForgetFields).
 */
export function refusedByStaleDealMetadata(error: ZohoSyncError, orderIdField: string): boolean {
	const field = error.details?.api_name;
	return (
		(error.zohoCode === 'INVALID_DATA' || error.zohoCode === 'MANDATORY_NOT_FOUND') &&
		typeof field === 'string' &&
		['Pipeline', 'Currency', orderIdField].includes(field)
	);
}

/** The fallback without a unique field: COQL lookup by order id, then update by id or insert. */
export async function writeByLookup(
	this: IExecuteFunctions,
	module: string,
	orderIdField: string,
	keyed: Array<[string, IDataObject]>,
	operation: string,
	{ limits, trigger }: WriteSettings,
): Promise<Map<string, ZohoRecordResult>> {
	const answers = new Map<string, ZohoRecordResult>();
	const found = new Map<string, string>();
	for (const [orderId] of keyed) {
		if (!/^[\w.-]+$/.test(orderId)) {
			answers.set(orderId, {
				ok: false,
				error: localFailure(operation, 'validation', `Order id "${orderId}" cannot be looked up safely`),
			});
			continue;
		}
		try {
			const rows = await zohoCoql.call(
				this,
				`select id from ${module} where ${orderIdField} = '${orderId}' limit 1`,
				operation,
				limits,
			);
			if (rows.length) found.set(orderId, String(rows[0].id));
		} catch (error) {
			const syncError = (error as { syncError?: ZohoSyncError }).syncError;
			if (!syncError) throw asNodeError(this.getNode(), error);
			answers.set(orderId, { ok: false, error: syncError });
		}
	}
	await updateFoundInsertRest.call(this, module, keyed, found, answers, operation, { limits, trigger });
	return answers;
}

/**
 * The write after a COQL lookup: records whose key was found are updated by that id, the others inserted.
 * Keys already in `answers` (failed before the write) are left out; the write's results are added per key.
 */
export async function updateFoundInsertRest(
	this: IExecuteFunctions,
	module: string,
	keyed: Array<[string, IDataObject]>,
	found: Map<string, string>,
	answers: Map<string, ZohoRecordResult>,
	operation: string,
	{ limits, trigger }: WriteSettings,
): Promise<void> {
	const pending = keyed.filter(([key]) => !answers.has(key));
	for (const [mode, group] of [
		['update', pending.filter(([key]) => found.has(key))],
		['insert', pending.filter(([key]) => !found.has(key))],
	] as const) {
		if (!group.length) continue;
		const { results } = await zohoWriteRecords.call(this, {
			module,
			records: group.map(([key, record]) => (mode === 'update' ? { ...record, id: found.get(key) } : record)),
			mode,
			trigger,
			operation,
			limits,
		});
		group.forEach(([key], position) => answers.set(key, results[position]));
	}
}

/** Records of one run keyed by order id: an order seen twice in a batch is written once, for all its items. */
export type OrderGroups = Map<string, { record: IDataObject; indices: number[] }>;

export function addToOrderGroup(groups: OrderGroups, orderId: string, record: IDataObject, index: number): void {
	const group = groups.get(orderId) ?? { record, indices: [] };
	group.record = record;
	group.indices.push(index);
	groups.set(orderId, group);
}

/**
 * Writes one record per order id the way `plan` says (upsert on the unique field, or lookup then write),
 * holding in-process locks on those order ids so parallel executions of one order queue up.
 */
export async function writeOrderGroups(
	this: IExecuteFunctions,
	module: string,
	orderIdField: string,
	plan: Exclude<OrderKeyedWrite, { kind: 'failed' }>,
	groups: OrderGroups,
	operation: string,
	settings: WriteSettings,
): Promise<Map<string, ZohoRecordResult>> {
	const org = zohoOrgKey.call(this);
	const keyed = [...groups].map(([orderId, { record }]) => [orderId, record] as [string, IDataObject]);
	return await withKeyedLocks(
		[...groups.keys()].map((orderId) => `${org}:${module}:${orderId}`),
		async () =>
			plan.kind === 'ready'
				? await upsertGrouped.call(this, module, keyed, plan.upsertOn, operation, settings)
				: await writeByLookup.call(this, module, orderIdField, keyed, operation, settings),
	);
}
