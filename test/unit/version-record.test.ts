/**
 * The order-version record (helpers/versionRecord.ts) against a stand-in for n8n's deduplication store with the same
 * semantics as n8n 2.40's DeduplicationHelper in mode "entries": checkProcessedAndRecord records what was new and
 * returns it as new; removeProcessed drops entries; every call rewrites the whole list.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	orderVersionKey,
	recordWrittenVersions,
	writtenVersions,
} from '../../nodes/ZohoCrmOrderSync/helpers/versionRecord';

function store() {
	let entries: string[] = [];
	let failRemove = false;
	const helpers = {
		async checkProcessedAndRecord(items: Array<string | number>) {
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
		crashNextProbe: (value: boolean) => (failRemove = value),
	};
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
});
