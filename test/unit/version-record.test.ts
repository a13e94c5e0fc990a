/**
 * The order-version record (helpers/versionRecord.ts) against a stand-in for n8n's deduplication store with the same
 * semantics as n8n 2.40's DeduplicationHelper in mode "entries": checkProcessedAndRecord records what was new and
 * returns it as new; removeProcessed drops entries; every call rewrites the whole list.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	orderVersionKey,
	recordWrittenVersions,
	withVersionGate,
	writtenVersions,
} from '../../nodes/ZohoCrmOrderSync/helpers/versionRecord';
import type { ItemOutcome } from '../../nodes/ZohoCrmOrderSync/types';

function store() {
	let entries: string[] = [];
	let failRemove = false;
	const calls: string[] = [];
	const helpers = {
		async checkProcessedAndRecord(items: Array<string | number>) {
			calls.push(`record ${items.length}`);
			const result = { new: [] as Array<string | number>, processed: [] as Array<string | number> };
			for (const item of items) {
				if (entries.includes(String(item))) result.processed.push(item);
				else {
					result.new.push(item);
					entries.push(String(item));
				}
			}
			return result;
		},
		async removeProcessed(items: Array<string | number>) {
			calls.push(`remove ${items.length}`);
			// a crash between the probe's two database writes
			if (failRemove) throw new Error('process killed');
			entries = entries.filter((entry) => !items.map(String).includes(entry));
		},
	};
	const context = {
		helpers,
		getWorkflow: () => ({ id: 'wf1', name: 'w', active: true }),
		getExecutionId: () => '1',
		logger: { warn() {}, debug() {}, info() {}, error() {} },
	} as unknown as IExecuteFunctions;
	return {
		context,
		entries: () => entries,
		calls,
		crashNextProbe: (value: boolean) => (failRemove = value),
	};
}

/** A Zoho node of a two-node workflow (Upsert Contact → Create Deal) running in execution `executionId`. */
function zohoNode(
	context: IExecuteFunctions,
	executionId: string,
	items: INodeExecutionData[],
	operation: 'contact.upsert' | 'deal.create',
) {
	const [resource, name] = operation.split('.');
	return {
		...context,
		getExecutionId: () => executionId,
		getInputData: () => items,
		getNodeParameter: () => ({}),
		getNode: () => ({ name: operation, type: 'n8n-nodes-woocommerce-zohocrm.zohoCrmOrderSync', parameters: { resource, operation: name } }),
		getChildNodes: () =>
			operation === 'contact.upsert'
				? [{ name: 'deal', type: 'n8n-nodes-woocommerce-zohocrm.zohoCrmOrderSync', disabled: false, parameters: { resource: 'deal', operation: 'create' } }]
				: [],
	} as unknown as IExecuteFunctions;
}

const order = (id: number, modified: string, source = 'https://shop.example/'): IDataObject => ({
	id,
	date_modified_gmt: modified,
	_woocommerce: { source },
});

describe('order-version record', () => {
	it('keys a version by store, order id and date_modified_gmt (any date form, store URL case and slash)', () => {
		expect(orderVersionKey(order(7, '2024-05-01T10:00:00'))).toBe('https://shop.example|7|2024-05-01T10:00:00Z');
		expect(orderVersionKey(order(7, '2024-05-01 10:00:00Z', 'HTTPS://Shop.example'))).toBe(
			orderVersionKey(order(7, '2024-05-01T10:00:00')),
		);
		expect(orderVersionKey(order(7, '2024-05-01T10:00:01'))).not.toBe(orderVersionKey(order(7, '2024-05-01T10:00:00')));
		expect(orderVersionKey({ id: 7 })).toBeUndefined();
		expect(orderVersionKey({ date_modified_gmt: '2024-05-01T10:00:00' })).toBeUndefined();
	});

	it('asking leaves no mark: a version is written only once recorded after the write', async () => {
		const { context, entries } = store();
		const key = orderVersionKey(order(1, '2024-05-01T10:00:00'))!;
		expect(await writtenVersions.call(context, [key])).toEqual(new Set());
		expect(await writtenVersions.call(context, [key])).toEqual(new Set());
		expect(entries()).toEqual([]);
		await recordWrittenVersions.call(context, [key]);
		expect(await writtenVersions.call(context, [key])).toEqual(new Set([key]));
		expect(entries()).toEqual([`done|${key}`]);
	});

	it('a probe that died between its two database writes never makes an unwritten version look written', async () => {
		const { context, entries, crashNextProbe } = store();
		const unwritten = orderVersionKey(order(2, '2024-05-01T10:00:00'))!;
		const written = orderVersionKey(order(3, '2024-05-01T10:00:00'))!;
		await recordWrittenVersions.call(context, [written]);
		crashNextProbe(true);
		// the probe fails: answers "nothing written", and leaves its marks behind
		expect(await writtenVersions.call(context, [unwritten, written])).toEqual(new Set());
		expect(entries()).toContain(`done|${unwritten}`);
		crashNextProbe(false);
		// the leftover done| mark has its check| marker: not written; the written one costs one more write at worst
		const answer = await writtenVersions.call(context, [unwritten, written]);
		expect(answer.has(unwritten)).toBe(false);
		// and the marks are cleaned up
		expect(entries().filter((entry) => entry.startsWith('check|'))).toEqual([]);
		expect(entries()).not.toContain(`done|${unwritten}`);
	});

	it('the completing node takes the earlier node\'s "not written" at its word: one probe per order version, then the record', async () => {
		const { context, calls } = store();
		const items = [{ json: order(9, '2024-05-01T10:00:00') }];
		const written: string[] = [];
		const write = (operation: string) =>
			async function (this: IExecuteFunctions, indices: number[]): Promise<Map<number, ItemOutcome>> {
				written.push(operation);
				return new Map(indices.map((index) => [index, { ok: true, json: { ...items[index].json } }]));
			};
		const sync = async (executionId: string) => {
			const contact = await withVersionGate('contact.upsert', write('contact')).call(zohoNode(context, executionId, items, 'contact.upsert'), [0]);
			const next = [{ json: (contact.get(0) as { json: IDataObject }).json }];
			return await withVersionGate('deal.create', write('deal')).call(zohoNode(context, executionId, next, 'deal.create'), [0]);
		};

		await sync('e1');
		expect(written).toEqual(['contact', 'deal']);
		// the contact node's probe (record + remove), then only the deal node's record of the written version
		expect(calls).toEqual(['record 2', 'remove 2', 'record 1']);

		calls.length = 0;
		const again = await sync('e2');
		expect(written).toEqual(['contact', 'deal']);
		expect(((again.get(0) as { json: IDataObject }).json.zoho as IDataObject).skipped).toBeDefined();
		// the contact node finds the version written; the deal node takes its skip at its word
		expect(calls).toEqual(['record 2', 'remove 1']);
	});
});
