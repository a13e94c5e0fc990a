import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	addToOrderGroup,
	planOrderKeyedWrite,
	refusedByStaleDealMetadata,
	writeOrderGroups,
	type OrderGroups,
} from '../../helpers/groupedWrites';
import { failEvery, recordSummary, validationFailure, withZohoResult } from '../../helpers/outcomes';
import { buildDealRecord, type WooOrder } from '../../mapping';
import { zohoForgetFields } from '../../transport';
import type { ItemOutcome } from '../../types';
import { callOptions } from '../common.descriptions';
import { dealProperties } from '../orderFields.descriptions';
import { readCallOptions, readDealValues, readOrderId, readOrderIdField } from '../parameters';

const displayOptions = { show: { resource: ['deal'], operation: ['create'] } };

export const description: INodeProperties[] = [
	...dealProperties(displayOptions),
	{ ...callOptions, displayOptions },
];

export async function execute(this: IExecuteFunctions, indices: number[]): Promise<Map<number, ItemOutcome>> {
	const items = this.getInputData();
	const settings = readCallOptions.call(this);
	const outcomes = new Map<number, ItemOutcome>();
	const orderIdFieldParameter = readOrderIdField.call(this);

	const plan = await planOrderKeyedWrite.call(this, 'Deals', orderIdFieldParameter, 'deal.create');
	if (plan.kind === 'failed') return failEvery(indices, plan.error);
	// the API name Zoho lists for the order-id field
	const orderIdField = plan.field;

	const byOrder: OrderGroups = new Map();
	for (const index of indices) {
		try {
			const orderId = readOrderId.call(this, index);
			if (!orderId) {
				outcomes.set(index, fail('No order id: the deal cannot be made idempotent without it', { api_name: orderIdField }));
				continue;
			}
			const values = await readDealValues.call(this, index, plan.fields);
			const record = buildDealRecord(items[index].json as WooOrder, values, orderIdField, orderId, plan.fields);
			addToOrderGroup(byOrder, orderId, record, index);
		} catch (error) {
			outcomes.set(index, fail((error as Error).message));
		}
	}
	if (!byOrder.size) return outcomes;

	const results = await writeOrderGroups.call(this, 'Deals', orderIdField, plan, byOrder, 'deal.create', settings);
	// a refused field chosen from cached metadata: reload it next time
	if ([...results.values()].some((result) => !result.ok && refusedByStaleDealMetadata(result.error, orderIdField))) {
		zohoForgetFields.call(this, 'Deals');
	}

	for (const [orderId, group] of byOrder) {
		const result = results.get(orderId)!;
		for (const index of group.indices) {
			outcomes.set(
				index,
				result.ok
					? { ok: true, json: withZohoResult(items[index], { deal: { ...recordSummary(result), orderId } }) }
					: { ok: false, error: result.error },
			);
		}
	}
	return outcomes;
}

const fail = (message: string, details?: IDataObject) => validationFailure('deal.create', message, details);
