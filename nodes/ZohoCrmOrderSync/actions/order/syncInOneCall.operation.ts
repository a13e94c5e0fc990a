import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { planOrderKeyedWrite, refusedByStaleDealMetadata, type WriteSettings } from '../../helpers/groupedWrites';
import { withKeyedLocks } from '../../helpers/keyedLock';
import { zohoOrgKey } from '../../helpers/org';
import { groupKey, localFailure, validationFailure, withZohoResult } from '../../helpers/outcomes';
import { buildDealRecord, buildOrderSubRequests, type WooOrder } from '../../mapping';
import {
	FIELDS_TTL_MS,
	isRacedUpsert,
	recordAction,
	ZOHO_API_VERSION_PATH,
	zohoForgetFields,
	zohoFieldsDueSoon,
	zohoCompositeRequest,
	zohoRememberFields,
	type ZohoField,
	type ZohoSubRequest,
	type ZohoSubResult,
} from '../../transport';
import type { ItemOutcome, ZohoSyncError } from '../../types';
import { callOptions } from '../common.descriptions';
import { contactProperties, dealProperties } from '../orderFields.descriptions';
import {
	NO_CONTACT_EMAIL,
	ONE_CALL_CONTACT_NAMES,
	ONE_CALL_DEAL_NAMES,
	readCallOptions,
	readContactAndAccount,
	readDealValues,
	readOrderId,
	readOrderIdField,
	type SharedParameterNames,
} from '../parameters';

const OPERATION = 'order.syncInOneCall';
const show = { resource: ['order'], operation: ['syncInOneCall'] };

/** The contact's and the deal's parameters side by side, clashing names prefixed (parameters.ts ONE_CALL_*). */
function renamed(properties: INodeProperties[], names: SharedParameterNames, record: string, drop: string[] = []): INodeProperties[] {
	const renames: Record<string, [string, string]> = {
		description: [names.description, `${record} Description`],
		leadSource: [names.leadSource, `${record} Lead Source Name or ID`],
		customFields: [names.customFields, `${record} Custom Fields`],
		zohoFields: [names.zohoFields, `${record} Zoho Fields`],
	};
	return properties
		.filter((property) => !drop.includes(property.name))
		.map((property) => {
			const [name, displayName] = renames[property.name] ?? [property.name, property.displayName];
			return { ...property, name, displayName };
		});
}

export const description: INodeProperties[] = [
	...renamed(contactProperties({ show }), ONE_CALL_CONTACT_NAMES, 'Contact'),
	// the composite call links the deal to the contact and account it writes
	...renamed(dealProperties({ show }), ONE_CALL_DEAL_NAMES, 'Deal', ['contactId', 'accountId']),
	{ ...callOptions, displayOptions: { show } },
];

interface PlannedOrder {
	/** The item whose values the records were built from (the last one of the order in this run). */
	index: number;
	orderId: string;
	indices: number[];
	contact: IDataObject;
	account?: IDataObject;
	deal: IDataObject;
}

/**
 * Account (when the order has a company), contact and deal of one order in ONE Zoho call: a composite request
 * with rollback_on_fail, so Zoho keeps all of them or none. Same keys as the two-node workflow (Account_Name,
 * Email, the unique order-id field), so repeats and replays update instead of duplicating.
 */
export async function execute(this: IExecuteFunctions, indices: number[]): Promise<Map<number, ItemOutcome>> {
	const items = this.getInputData();
	const { limits, trigger } = readCallOptions.call(this);
	const outcomes = new Map<number, ItemOutcome>();
	const orderIdFieldParameter = readOrderIdField.call(this);

	// Cached metadata of any age is used here: the composite call itself brings fresh metadata when it is due
	// (see syncOrder), so a quiet shop pays no metadata call; a refused field forces a reload.
	const plan = await planOrderKeyedWrite.call(this, 'Deals', orderIdFieldParameter, OPERATION, { maxAgeMs: Infinity });
	if (plan.kind === 'failed') {
		for (const index of indices) outcomes.set(index, { ok: false, error: plan.error });
		return outcomes;
	}
	// the API name Zoho lists for the order-id field
	const orderIdField = plan.field;
	if (plan.kind === 'lookup') {
		const error = localFailure(
			OPERATION,
			'validation',
			`Sync in One Call upserts the deal on "${orderIdField}", so that field must not allow duplicate values. Run the Deal operation "Set Up Order ID Field", or tick "Do not allow duplicate values" on the field in Zoho CRM Setup.`,
			{ api_name: orderIdField, module: 'Deals' },
		);
		for (const index of indices) outcomes.set(index, { ok: false, error });
		return outcomes;
	}

	const byOrder = new Map<string, PlannedOrder>();
	for (const index of indices) {
		try {
			const planned = await planOrder.call(this, index, items[index].json as WooOrder, orderIdField, plan.fields);
			if ('error' in planned) {
				outcomes.set(index, planned.error);
				continue;
			}
			// an order twice in one batch is written once (its last version), for all its items
			const group = byOrder.get(planned.orderId);
			byOrder.set(planned.orderId, { ...planned, indices: [...(group?.indices ?? []), index] });
		} catch (error) {
			outcomes.set(index, validationFailure(OPERATION, (error as Error).message));
		}
	}

	const org = zohoOrgKey.call(this);
	await Promise.all(
		[...byOrder.values()].map(async (order) => {
			// the same keys as the two-node operations, so both kinds of workflow queue up on one customer or order
			const lockKeys = [
				`${org}:Contacts:${groupKey(order.contact.Email)}`,
				`${org}:Deals:${order.orderId}`,
				...(order.account ? [`${org}:Accounts:${groupKey(order.account.Account_Name)}`] : []),
			];
			const outcome = await withKeyedLocks(lockKeys, async () => await syncOrder.call(this, order, orderIdField, { limits, trigger }));
			for (const index of order.indices) {
				outcomes.set(index, outcome.ok ? { ok: true, json: withZohoResult(items[index], outcome.results) } : outcome);
			}
		}),
	);
	return outcomes;
}

async function planOrder(
	this: IExecuteFunctions,
	index: number,
	order: WooOrder,
	orderIdField: string,
	fields: ZohoField[],
): Promise<Omit<PlannedOrder, 'indices'> | { error: ItemOutcome }> {
	const orderId = readOrderId.call(this, index);
	if (!orderId) {
		return { error: fail('No order id: the deal cannot be made idempotent without it', { api_name: orderIdField }) };
	}
	const { contact, account } = await readContactAndAccount.call(this, index, ONE_CALL_CONTACT_NAMES);
	if (!contact) return { error: fail(NO_CONTACT_EMAIL, { api_name: 'Email' }) };
	const dealValues = await readDealValues.call(this, index, fields, ONE_CALL_DEAL_NAMES, false);
	const deal = buildDealRecord(order, dealValues, orderIdField, orderId, fields);
	return { index, orderId, contact, account, deal };
}

type OrderOutcome = { ok: true; results: IDataObject } | { ok: false; error: ZohoSyncError };

/**
 * One composite call for one order. Sent once more when another writer (a second n8n worker) inserted the same
 * account, contact or deal key in between (the rolled-back call then finds and updates it), or after a metadata
 * reload when Zoho refused a field the metadata chose.
 */
async function syncOrder(
	this: IExecuteFunctions,
	order: Omit<PlannedOrder, 'indices'>,
	orderIdField: string,
	settings: WriteSettings,
): Promise<OrderOutcome> {
	const first = await sendOrder.call(this, order, orderIdField, settings);
	if (first.ok) return first;
	if (isRacedUpsert({ ok: false, error: first.error }, new Set([orderIdField, 'Email', 'Account_Name']))) {
		const again = await sendOrder.call(this, order, orderIdField, settings);
		if (!again.ok) again.error.attempts += first.error.attempts;
		return again;
	}
	if (!refusedByStaleDealMetadata(first.error, orderIdField)) return first;
	zohoForgetFields.call(this, 'Deals');
	const plan = await planOrderKeyedWrite.call(this, 'Deals', orderIdField, OPERATION);
	if (plan.kind !== 'ready') return first;
	const item = this.getInputData()[order.index].json as WooOrder;
	const dealValues = await readDealValues.call(this, order.index, plan.fields, ONE_CALL_DEAL_NAMES, false);
	const deal = buildDealRecord(item, dealValues, orderIdField, order.orderId, plan.fields);
	const second = await sendOrder.call(this, { ...order, deal }, orderIdField, settings);
	if (!second.ok) second.error.attempts += first.error.attempts;
	return second;
}

async function sendOrder(
	this: IExecuteFunctions,
	order: Omit<PlannedOrder, 'indices'>,
	orderIdField: string,
	{ limits, trigger }: WriteSettings,
): Promise<OrderOutcome> {
	const subRequests: ZohoSubRequest[] = buildOrderSubRequests({
		account: order.account,
		contact: order.contact,
		deal: order.deal,
		orderIdField,
		apiVersionPath: ZOHO_API_VERSION_PATH,
		trigger,
	});
	// Deals metadata due for its daily refresh rides along as a fourth sub-request: no extra call, no extra credit.
	const refreshFields = zohoFieldsDueSoon.call(this, 'Deals', FIELDS_TTL_MS / 4);
	if (refreshFields) {
		subRequests.push({ id: 'dealFields', method: 'GET', uri: `${ZOHO_API_VERSION_PATH}/settings/fields`, params: { module: 'Deals' } });
	}
	// every write is an upsert on a key, so repeating the call after a lost answer cannot duplicate anything
	const send = async (subs: ZohoSubRequest[]) =>
		await zohoCompositeRequest.call(this, subs, { operation: OPERATION, limits, idempotent: true });
	let { results, failure } = await send(subRequests);
	if (failure?.details?.sub_request_id === 'dealFields') {
		// the ride-along metadata read must never cost the order its write
		({ results, failure } = await send(subRequests.filter((sub) => sub.id !== 'dealFields')));
	}
	if (failure) return { ok: false, error: failure };
	const fieldsAnswer = results.get('dealFields');
	if (fieldsAnswer?.ok && Array.isArray(fieldsAnswer.body?.fields)) {
		zohoRememberFields.call(this, 'Deals', fieldsAnswer.body?.fields as unknown as ZohoField[]);
	}
	const summary = (id: string): IDataObject | undefined => {
		const result = results.get(id);
		return result?.ok ? recordOf(result) : undefined;
	};
	const output: IDataObject = { contact: summary('contact'), deal: { ...summary('deal'), orderId: order.orderId } };
	if (order.account) output.account = { ...summary('account'), name: order.account.Account_Name };
	return { ok: true, results: output };
}

/** `{id, action}` of the one record an upsert sub-request wrote. */
function recordOf(result: Extract<ZohoSubResult, { ok: true }>): IDataObject {
	const record = ((result.body?.data as IDataObject[] | undefined) ?? [])[0] ?? {};
	const details = (record.details ?? {}) as IDataObject;
	return { id: details.id, action: recordAction(record, 'upsert') };
}

const fail = (message: string, details?: IDataObject) => validationFailure(OPERATION, message, details);
