import { NodeApiError, NodeOperationError, Workflow } from 'n8n-workflow';
import type {
	IConnections,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';

import { WooCommerceStoreApi } from '../../credentials/WooCommerceStoreApi.credentials';
import { ZohoCrmOrderSync } from '../../nodes/ZohoCrmOrderSync/ZohoCrmOrderSync.node';
import type { ZohoSyncError } from '../../nodes/ZohoCrmOrderSync/types';
import {
	DEAD_LETTER_COLUMNS,
	buildDeadLetterRecord,
	mergeWithStored,
	readBuiltRecords,
	readWrittenOrders,
	resolutionFor,
	resolutionForWrittenOrder,
	unpackRow,
	withStoreOrder,
	type DeadLetterContext,
	type DeadLetterRecord,
} from '../../nodes/ZohoSyncDeadLetter/deadLetterRecord';
import { ZohoSyncDeadLetter } from '../../nodes/ZohoSyncDeadLetter/ZohoSyncDeadLetter.node';
import { WooCommerceEmulator } from '../emulators/woocommerce';
import { executeContext, TestCredentialsHelper, workflowFor } from '../support/n8nCoreContext';

// ---------------------------------------------------------------------------------------------------------
// Fixtures: what n8n 2.40.7 hands the dead-letter branch. The engine (handleNodeErrorOutput) merges the Zoho
// node's error item json `{ error, message }` over the json of the input item it is paired with.
// ---------------------------------------------------------------------------------------------------------

function wooOrder(id = 727, email = 'bad@'): IDataObject {
	return {
		id,
		parent_id: 0,
		number: String(id),
		order_key: 'wc_order_58d2d042d1d',
		created_via: 'checkout',
		version: '9.4.2',
		status: 'processing',
		currency: 'EUR',
		date_created: '2025-11-27T11:02:11',
		date_created_gmt: '2025-11-27T10:02:11',
		discount_total: '0.00',
		discount_tax: '0.00',
		shipping_total: '5.00',
		shipping_tax: '0.95',
		cart_tax: '3.80',
		total: '28.75',
		total_tax: '4.75',
		prices_include_tax: false,
		customer_id: 0,
		customer_note: '',
		billing: {
			first_name: 'Ana',
			last_name: 'X',
			company: '',
			address_1: 'Rua Augusta 1',
			address_2: '',
			city: 'Lisboa',
			state: '',
			postcode: '1100-048',
			country: 'PT',
			email,
			phone: '+351 910 000 000',
		},
		shipping: { first_name: 'Ana', last_name: 'X', address_1: 'Rua Augusta 1', city: 'Lisboa', country: 'PT' },
		payment_method: 'stripe',
		payment_method_title: 'Credit card',
		line_items: [
			{
				id: 315,
				name: 'Ceramic mug',
				product_id: 93,
				variation_id: 0,
				quantity: 2,
				subtotal: '20.00',
				subtotal_tax: '3.80',
				total: '20.00',
				total_tax: '3.80',
				sku: 'MUG-01',
				price: 10,
				meta_data: [{ key: 'colour', value: 'blue', display_key: 'Colour', display_value: 'blue' }],
			},
		],
		shipping_lines: [{ id: 316, method_id: 'flat_rate', total: '5.00', total_tax: '0.95' }],
		fee_lines: [],
		coupon_lines: [],
		tax_lines: [],
		refunds: [],
		_woocommerce: {
			topic: 'order.created',
			webhookId: 12,
			deliveryId: 'a1b2c3d4-0001',
			source: 'https://shop.example.com/',
			receivedAt: '2025-11-27T10:02:12.345Z',
		},
	};
}

const invalidEmailError = (): ZohoSyncError => ({
	category: 'validation',
	httpCode: 400,
	zohoCode: 'INVALID_DATA',
	message: 'invalid data',
	details: { api_name: 'Email', json_path: '$.data[0].Email', expected_data_type: 'email' },
	attempts: 1,
	request: {
		method: 'POST',
		path: '/crm/v8/Contacts/upsert',
		body: { data: [{ Email: 'bad@', Last_Name: 'X' }], duplicate_check_fields: ['Email'] },
	},
	operation: 'contact.upsert',
	failedAt: '2025-11-27T10:02:13.500Z',
	node: 'Upsert Contact',
});

const serverError = (): ZohoSyncError => ({
	category: 'server',
	httpCode: 503,
	zohoCode: '',
	message: 'Service Unavailable',
	details: {},
	attempts: 4,
	request: {
		method: 'POST',
		path: '/crm/v8/Deals/upsert',
		body: { data: [{ Deal_Name: 'WooCommerce order 728', Amount: 28.75 }], duplicate_check_fields: ['WooCommerce_Order_Id'] },
	},
	operation: 'deal.upsert',
	failedAt: '2025-11-27T10:05:00.000Z',
	node: 'Upsert Deal',
});

/** The item the error output carries: the input item's json with the Zoho node's `{ error, message }` over it. */
const errorOutputItem = (order: IDataObject, error: IDataObject | string, extra: IDataObject = {}): INodeExecutionData => {
	const errorJson: IDataObject =
		typeof error === 'string' ? { error } : { error, message: (error as ZohoSyncError).message };
	return { json: { ...order, ...extra, ...errorJson }, pairedItem: { item: 0 } };
};

const context = (overrides: Partial<DeadLetterContext> = {}): DeadLetterContext => ({
	workflowId: 'wfOrders01',
	workflowName: 'WooCommerce orders to Zoho CRM',
	executionId: '4711',
	failedNodeFallback: 'Zoho fallback',
	now: '2025-11-27T10:10:00.000Z',
	...overrides,
});

/** What a Data Table stores and gives back for a record: the row plus the table's system columns. */
const storedRow = (record: DeadLetterRecord, id: number, overrides: IDataObject = {}): IDataObject => ({
	id,
	...record,
	createdAt: '2025-11-27T10:02:14.000Z',
	updatedAt: '2025-11-27T10:02:14.000Z',
	...overrides,
});

// ---------------------------------------------------------------------------------------------------------

describe('DEAD_LETTER_COLUMNS', () => {
	it('has names a Data Table accepts, each once', () => {
		const names = DEAD_LETTER_COLUMNS.map((column) => column.name);
		for (const name of names) {
			expect(name).toMatch(/^[a-zA-Z][a-zA-Z0-9_]*$/);
			expect(name.length).toBeLessThanOrEqual(63);
			// the table adds these itself; a column of the same name would be refused
			expect(['id', 'createdAt', 'updatedAt']).not.toContain(name);
		}
		expect(new Set(names).size).toBe(names.length);
		for (const column of DEAD_LETTER_COLUMNS) {
			expect(['string', 'number', 'boolean', 'date']).toContain(column.type);
		}
	});

	it('describes exactly the fields of a built record, with matching value types', () => {
		const records = [
			buildDeadLetterRecord(errorOutputItem(wooOrder(), invalidEmailError()), context()),
			buildDeadLetterRecord(errorOutputItem(wooOrder(728), serverError()), context()),
			buildDeadLetterRecord(errorOutputItem(wooOrder(729), 'Bad gateway'), context()),
		];
		for (const record of records) {
			expect(Object.keys(record)).toEqual(DEAD_LETTER_COLUMNS.map((column) => column.name));
			for (const { name, type } of DEAD_LETTER_COLUMNS) {
				const value = record[name];
				if (value === null) {
					expect(['httpCode', 'zohoAttempts', 'orderId']).toContain(name);
				} else {
					expect(typeof value).toBe(type);
				}
			}
		}
	});
});

describe('buildDeadLetterRecord', () => {
	it('flattens a Zoho INVALID_DATA failure into every column', () => {
		const order = wooOrder();
		const record = buildDeadLetterRecord(errorOutputItem(order, invalidEmailError()), context());

		expect(record).toEqual({
			key: '727:Upsert Contact',
			orderId: 727,
			orderNumber: '727',
			customerEmail: 'bad@',
			failedNode: 'Upsert Contact',
			operation: 'contact.upsert',
			workflowId: 'wfOrders01',
			workflowName: 'WooCommerce orders to Zoho CRM',
			executionId: '4711',
			category: 'validation',
			httpCode: 400,
			zohoCode: 'INVALID_DATA',
			message: 'invalid data',
			details: expect.any(String),
			attempts: 1,
			zohoAttempts: 1,
			firstFailedAt: '2025-11-27T10:02:13.500Z',
			lastFailedAt: '2025-11-27T10:02:13.500Z',
			order: expect.any(String),
			zohoPayload: expect.any(String),
			zohoRequest: 'POST /crm/v8/Contacts/upsert',
			status: 'open',
			resolvedAt: '',
			resolvedExecutionId: '',
			zohoRecordIds: '',
		});
		expect(JSON.parse(record.details)).toEqual({
			api_name: 'Email',
			json_path: '$.data[0].Email',
			expected_data_type: 'email',
		});
		expect(JSON.parse(record.zohoPayload)).toEqual({
			data: [{ Email: 'bad@', Last_Name: 'X' }],
			duplicate_check_fields: ['Email'],
		});
		// the order exactly as the trigger delivered it, _woocommerce included, error and message gone
		expect(JSON.parse(record.order)).toEqual(order);
	});

	it('records a 5xx failure after retries, without the Zoho results of earlier nodes', () => {
		const order = wooOrder(728, 'ana@example.com');
		const item = errorOutputItem(order, serverError(), {
			zoho: { contact: { id: '5725767000000411001', action: 'update' } },
		});
		const record = buildDeadLetterRecord(item, context());

		expect(record.key).toBe('728:Upsert Deal');
		expect(record.orderId).toBe(728);
		expect(record.customerEmail).toBe('ana@example.com');
		expect(record.failedNode).toBe('Upsert Deal');
		expect(record.operation).toBe('deal.upsert');
		expect(record.category).toBe('server');
		expect(record.httpCode).toBe(503);
		expect(record.zohoCode).toBe('');
		expect(record.message).toBe('Service Unavailable');
		expect(record.details).toBe('{}');
		expect(record.attempts).toBe(1);
		expect(record.zohoAttempts).toBe(4);
		expect(record.firstFailedAt).toBe('2025-11-27T10:05:00.000Z');
		expect(record.zohoRequest).toBe('POST /crm/v8/Deals/upsert');
		expect(JSON.parse(record.zohoPayload).data[0].Deal_Name).toBe('WooCommerce order 728');
		expect(JSON.parse(record.order)).toEqual(order);
		expect(JSON.parse(record.order)).not.toHaveProperty('zoho');
	});

	it('keeps what it can from a generic n8n string error', () => {
		const order = wooOrder(729, 'bo@example.com');
		const record = buildDeadLetterRecord(
			errorOutputItem(order, 'The service was not able to process your request'),
			context({ failedNodeFallback: 'Upsert Contact' }),
		);

		expect(record).toMatchObject({
			key: '729:Upsert Contact',
			orderId: 729,
			orderNumber: '729',
			customerEmail: 'bo@example.com',
			failedNode: 'Upsert Contact',
			operation: '',
			category: '',
			httpCode: null,
			zohoCode: '',
			message: 'The service was not able to process your request',
			details: '{}',
			attempts: 1,
			zohoAttempts: null,
			// no failure time on the item: the time of recording
			firstFailedAt: '2025-11-27T10:10:00.000Z',
			lastFailedAt: '2025-11-27T10:10:00.000Z',
			zohoPayload: '',
			zohoRequest: '',
			status: 'open',
		});
		expect(JSON.parse(record.order)).toEqual(order);
	});

	it('reads a serialized NodeApiError-like object without inventing a category', () => {
		const record = buildDeadLetterRecord(
			errorOutputItem(wooOrder(730), {
				message: 'Forbidden - perhaps check your credentials?',
				description: 'insufficient scope',
				httpCode: '403',
				timestamp: Date.parse('2025-11-27T10:03:00.000Z'),
				node: { name: 'HTTP Request', type: 'n8n-nodes-base.httpRequest' },
			}),
			context(),
		);
		expect(record.category).toBe('');
		expect(record.httpCode).toBe(403);
		expect(record.failedNode).toBe('HTTP Request');
		expect(record.key).toBe('730:HTTP Request');
		expect(record.message).toBe('Forbidden - perhaps check your credentials?');
		expect(JSON.parse(record.details)).toEqual({ description: 'insufficient scope' });
		expect(record.firstFailedAt).toBe('2025-11-27T10:03:00.000Z');

		const serverSide = buildDeadLetterRecord(
			errorOutputItem(wooOrder(731), { message: 'Bad gateway', httpCode: '502' }),
			context(),
		);
		expect(serverSide.category).toBe('server');
	});

	it('gives the same failure the same key on every run, and different failures different keys', () => {
		const first = buildDeadLetterRecord(errorOutputItem(wooOrder(), invalidEmailError()), context());
		const again = buildDeadLetterRecord(
			errorOutputItem(wooOrder(), { ...invalidEmailError(), failedAt: '2025-11-28T08:00:00.000Z' }),
			context({ executionId: '4800', now: '2025-11-28T08:00:01.000Z' }),
		);
		expect(again.key).toBe(first.key);
		expect(again.lastFailedAt).not.toBe(first.lastFailedAt);

		const otherNode = buildDeadLetterRecord(errorOutputItem(wooOrder(), serverError()), context());
		const otherOrder = buildDeadLetterRecord(errorOutputItem(wooOrder(800), invalidEmailError()), context());
		expect(new Set([first.key, otherNode.key, otherOrder.key]).size).toBe(3);
	});

	it('keys an order without an id by its content, not by a shared placeholder', () => {
		const { id: _ignored, ...orderWithoutId } = wooOrder();
		const a = buildDeadLetterRecord(errorOutputItem(orderWithoutId, 'boom'), context());
		const b = buildDeadLetterRecord(errorOutputItem(orderWithoutId, 'boom'), context());
		const c = buildDeadLetterRecord(errorOutputItem({ ...orderWithoutId, number: '999' }, 'boom'), context());
		expect(a.orderId).toBeNull();
		expect(a.key).toMatch(/^order-[0-9a-f]{16}:Zoho fallback$/);
		expect(b.key).toBe(a.key);
		expect(c.key).not.toBe(a.key);
	});

	it('reuses the key of a replayed dead letter and stores the order without the marker', () => {
		const order = wooOrder();
		const marker = { key: '727:Upsert Contact', rowId: 3, attempts: 1, failedNode: 'Upsert Contact', category: 'validation' };
		// the replay failed somewhere else this time; it is still the same dead letter
		const record = buildDeadLetterRecord(
			errorOutputItem(order, serverError(), { _deadLetter: marker, zoho: { contact: { id: '1', action: 'update' } } }),
			context(),
		);
		expect(record.key).toBe('727:Upsert Contact');
		expect(record.failedNode).toBe('Upsert Deal');
		expect(JSON.parse(record.order)).toEqual(order);
	});

	it('never puts an error property on the record', () => {
		const record = buildDeadLetterRecord(errorOutputItem(wooOrder(), invalidEmailError()), context());
		expect(record).not.toHaveProperty('error');
	});
});

describe('mergeWithStored', () => {
	const first = () => buildDeadLetterRecord(errorOutputItem(wooOrder(), invalidEmailError()), context());
	const second = () =>
		buildDeadLetterRecord(
			errorOutputItem(wooOrder(), { ...invalidEmailError(), failedAt: '2025-11-28T08:00:00.000Z' }),
			context({ executionId: '4800' }),
		);

	it('passes a first failure through with attempts 1 when nothing is stored', () => {
		const record = first();
		// a Data Table "get" with alwaysOutputData emits one empty item when no row matched
		const merged = mergeWithStored([record], [{}]);
		expect(merged).toEqual([{ record, storedIndex: null }]);
	});

	it('turns the same failure stored twice into one record with attempts 2 and the first time kept', () => {
		const stored = storedRow(first(), 3);
		const merged = mergeWithStored([second()], [stored]);

		expect(merged).toHaveLength(1);
		expect(merged[0].storedIndex).toBe(0);
		const record = merged[0].record;
		expect(record.key).toBe('727:Upsert Contact');
		expect(record.attempts).toBe(2);
		expect(record.firstFailedAt).toBe('2025-11-27T10:02:13.500Z');
		expect(record.lastFailedAt).toBe('2025-11-28T08:00:00.000Z');
		expect(record.executionId).toBe('4800');
		expect(record.status).toBe('open');
		// only table columns: an upsert must not try to write the system columns
		expect(Object.keys(record)).toEqual(DEAD_LETTER_COLUMNS.map((column) => column.name));
	});

	it('matches stored rows by key and points at the matched row', () => {
		const other = buildDeadLetterRecord(errorOutputItem(wooOrder(728), serverError()), context());
		const rows = [storedRow(other, 7, { attempts: 5 }), storedRow(first(), 3, { attempts: 2 })];
		const merged = mergeWithStored([second(), other], rows);

		expect(merged.map((entry) => [entry.record.key, entry.record.attempts, entry.storedIndex])).toEqual([
			['727:Upsert Contact', 3, 1],
			['728:Upsert Deal', 6, 0],
		]);
	});

	it('reopens a resolved row that fails again', () => {
		const stored = storedRow(first(), 3, {
			attempts: 2,
			status: 'resolved',
			resolvedAt: '2025-11-27T12:00:00.000Z',
			resolvedExecutionId: '4750',
		});
		const [{ record }] = mergeWithStored([second()], [stored]);
		expect(record.status).toBe('open');
		expect(record.resolvedAt).toBe('');
		expect(record.resolvedExecutionId).toBe('');
		expect(record.attempts).toBe(3);
	});

	it('counts a key built twice in one batch on top of itself', () => {
		const merged = mergeWithStored([first(), second()], [{}]);
		expect(merged.map((entry) => entry.record.attempts)).toEqual([1, 2]);
		expect(merged[1].record.firstFailedAt).toBe('2025-11-27T10:02:13.500Z');
	});

	it('reads attempts stored as numeric text', () => {
		const [{ record }] = mergeWithStored([second()], [storedRow(first(), 3, { attempts: '4' })]);
		expect(record.attempts).toBe(5);
	});
});

describe('readBuiltRecords', () => {
	it('accepts an array, a single record or JSON text', () => {
		const record = buildDeadLetterRecord(errorOutputItem(wooOrder(), invalidEmailError()), context());
		expect(readBuiltRecords([record])).toEqual([record]);
		expect(readBuiltRecords(record)).toEqual([record]);
		expect(readBuiltRecords(JSON.stringify([record]))).toEqual([record]);
		expect(readBuiltRecords('')).toEqual([]);
	});

	it('refuses values that are not built records', () => {
		expect(() => readBuiltRecords('{not json')).toThrow(/not valid JSON/);
		expect(() => readBuiltRecords(42)).toThrow(/must be the list of records/);
		expect(() => readBuiltRecords([{ orderId: 1 }])).toThrow(/entry 0 has no key/);
	});
});

describe('unpackRow', () => {
	it('gives back the exact original order with a _deadLetter marker', () => {
		const order = wooOrder();
		const record = buildDeadLetterRecord(
			errorOutputItem(order, invalidEmailError(), { zoho: { account: { id: '9', action: 'insert' } } }),
			context(),
		);
		const result = unpackRow(storedRow(record, 3));

		expect(result.outcome).toBe('replay');
		if (result.outcome !== 'replay') return;
		const { _deadLetter, ...replayed } = result.order;
		expect(replayed).toEqual(order);
		expect(_deadLetter).toEqual({
			key: '727:Upsert Contact',
			rowId: 3,
			attempts: 1,
			failedNode: 'Upsert Contact',
			category: 'validation',
			replayAs: 'deal.create',
		});
		expect(result.order).not.toHaveProperty('error');
	});

	it('replays by operation: a sales order as a sales order, a contact as the write that completes its workflow', () => {
		const order = wooOrder();
		const salesOrderRow = buildDeadLetterRecord(
			errorOutputItem(order, { ...invalidEmailError(), operation: 'salesOrder.create', node: 'Create Sales Order' }),
			context(),
		);
		const contactInSalesOrderFlow = buildDeadLetterRecord(errorOutputItem(order, invalidEmailError()), {
			...context(),
			completesWith: 'salesOrder.create',
		});
		const replayAs = (record: typeof salesOrderRow) => {
			const result = unpackRow(storedRow(record, 1));
			return result.outcome === 'replay' ? (result.order._deadLetter as { replayAs: string }).replayAs : result.outcome;
		};
		expect(replayAs(salesOrderRow)).toBe('salesOrder.create');
		expect(replayAs(contactInSalesOrderFlow)).toBe('salesOrder.create');
		// the replayed order is the order as delivered: the path marker stays in the row, not in the order
		const unpacked = unpackRow(storedRow(contactInSalesOrderFlow, 1));
		expect(unpacked.outcome === 'replay' && unpacked.order._replayAs).toBeUndefined();
		// a replay that fails again keeps its path
		const again = buildDeadLetterRecord(
			errorOutputItem(unpacked.outcome === 'replay' ? unpacked.order : {}, invalidEmailError()),
			context(),
		);
		expect(replayAs(again)).toBe('salesOrder.create');
	});

	it('skips resolved and other non-open rows unless asked to include them', () => {
		const record = buildDeadLetterRecord(errorOutputItem(wooOrder(), invalidEmailError()), context());
		expect(unpackRow(storedRow(record, 3, { status: 'resolved' }))).toEqual({
			outcome: 'skipped',
			reason: 'status is "resolved"',
		});
		expect(unpackRow(storedRow(record, 3, { status: 'ignored' })).outcome).toBe('skipped');
		expect(unpackRow(storedRow(record, 3, { status: 'resolved' }), { includeResolved: true }).outcome).toBe(
			'replay',
		);
	});

	it('skips the empty item of a Data Table get that found nothing', () => {
		expect(unpackRow({}).outcome).toBe('skipped');
	});

	it('reports an unreadable stored order, naming the key', () => {
		const record = buildDeadLetterRecord(errorOutputItem(wooOrder(), invalidEmailError()), context());
		const broken = unpackRow(storedRow(record, 3, { order: '{"id": 727, "billing": ' }));
		expect(broken.outcome).toBe('invalid');
		if (broken.outcome === 'invalid') expect(broken.message).toContain('727:Upsert Contact');
		expect(unpackRow(storedRow(record, 3, { order: '[1,2]' })).outcome).toBe('invalid');
	});
});

describe('resolutionFor', () => {
	it('builds the update that closes a replayed dead letter', () => {
		const zoho = {
			contact: { id: '5725767000000411001', action: 'update' },
			deal: { id: '5725767000000422002', action: 'insert' },
		};
		const item: INodeExecutionData = {
			json: { ...wooOrder(), _deadLetter: { key: '727:Upsert Contact', rowId: 3, attempts: 2 }, zoho },
		};
		const resolution = resolutionFor(item, '4900', '2025-11-28T09:00:00.000Z');
		expect(resolution).toEqual({
			key: '727:Upsert Contact',
			status: 'resolved',
			resolvedAt: '2025-11-28T09:00:00.000Z',
			resolvedExecutionId: '4900',
			zohoRecordIds: JSON.stringify(zoho),
		});
	});

	it('has nothing to resolve for orders that are not replays, or that failed again', () => {
		expect(resolutionFor({ json: wooOrder() }, '4900', '2025-11-28T09:00:00.000Z')).toBeNull();
		expect(
			resolutionFor(
				{ json: { ...wooOrder(), _deadLetter: { key: '727:Upsert Contact' }, error: invalidEmailError() } },
				'4900',
				'2025-11-28T09:00:00.000Z',
			),
		).toBeNull();
	});
});

/** Rows of one order as the deals, sales-order and product paths store them (see replayOperation). */
function rowsOfOrder(orderId: number): Record<string, IDataObject> {
	const order = wooOrder(orderId);
	const row = (error: ZohoSyncError, completesWith: string, id: number) =>
		storedRow(buildDeadLetterRecord(errorOutputItem(order, error), context({ completesWith })), id);
	return {
		dealFlowContact: row(invalidEmailError(), 'deal.create', 1),
		dealFlowDeal: row({ ...serverError(), operation: 'deal.create', node: 'Create Deal' }, 'deal.create', 2),
		salesOrder: row({ ...serverError(), operation: 'salesOrder.create', node: 'Create Sales Order' }, 'salesOrder.create', 3),
		salesFlowContact: row({ ...invalidEmailError(), node: 'Upsert Contact (Sales Order)' }, 'salesOrder.create', 4),
		product: row({ ...serverError(), operation: 'product.upsert', node: 'Upsert Products' }, 'salesOrder.create', 5),
		// a row of the one-call workflow (no completing write among its parents) and one stored before _replayAs
		oneCall: row({ ...serverError(), operation: 'order.syncInOneCall', node: 'Sync Order in One Call' }, '', 6),
	};
}

describe('resolutionForWrittenOrder', () => {
	const now = '2025-11-28T09:00:00.000Z';
	const zoho = { contact: { id: '57001', action: 'update' }, deal: { id: '57002', action: 'insert', orderId: '727' } };
	const written = { ...wooOrder(727), zoho };
	const closed = (rows: Record<string, IDataObject>, writtenAs: string, item: IDataObject = written) =>
		Object.entries(rows)
			.filter(([, row]) => resolutionForWrittenOrder(row, item, writtenAs, '4800', now))
			.map(([name]) => name);

	it('a deal write closes the open rows of its order that a replay would send through a deal, and nothing else', () => {
		const rows = rowsOfOrder(727);
		expect(closed(rows, 'deal.create')).toEqual(['dealFlowContact', 'dealFlowDeal', 'oneCall']);
		expect(resolutionForWrittenOrder(rows.dealFlowDeal, written, 'deal.create', '4800', now)).toEqual({
			key: '727:Create Deal',
			status: 'resolved',
			resolvedAt: now,
			resolvedExecutionId: '4800',
			zohoRecordIds: JSON.stringify(zoho),
			lastFailedAt: '2025-11-27T10:05:00.000Z',
		});
	});

	it('a sales-order write closes the sales-order rows, never the deal rows or a product row', () => {
		expect(closed(rowsOfOrder(727), 'salesOrder.create')).toEqual(['salesOrder', 'salesFlowContact']);
	});

	it('closes nothing of another order, resolved rows, or what a failed Data Table node passed on', () => {
		expect(closed(rowsOfOrder(728), 'deal.create')).toEqual([]);
		const rows = rowsOfOrder(727);
		expect(resolutionForWrittenOrder({ ...rows.dealFlowDeal, status: 'resolved' }, written, 'deal.create', '4800', now)).toBeNull();
		// a Data Table node that failed (no table yet) passes the Zoho node's item on: not a row
		expect(resolutionForWrittenOrder(written, written, 'deal.create', '4800', now)).toBeNull();
		expect(resolutionForWrittenOrder(rows.dealFlowDeal, { ...written, error: 'failed' }, 'deal.create', '4800', now)).toBeNull();
	});

	it('a write that found the version already written closes the rows too, recording the skip', () => {
		const skipped = { ...wooOrder(727), zoho: { skipped: { reason: 'This order version was already written to Zoho', version: 'x|727|y' } } };
		const update = resolutionForWrittenOrder(rowsOfOrder(727).dealFlowDeal, skipped, 'deal.create', '4800', now);
		expect(JSON.parse(update!.zohoRecordIds)).toEqual(skipped.zoho);
	});
});

describe('readWrittenOrders', () => {
	it('accepts the completing node’s items, one item or JSON text, and refuses anything else', () => {
		expect(readWrittenOrders([{ id: 1 }, { id: 2 }])).toEqual([{ id: 1 }, { id: 2 }]);
		expect(readWrittenOrders({ id: 1 })).toEqual([{ id: 1 }]);
		expect(readWrittenOrders('[{"id":1}]')).toEqual([{ id: 1 }]);
		expect(() => readWrittenOrders('[{"id":')).toThrow(/not valid JSON/);
		expect(() => readWrittenOrders([1, 2])).toThrow(/must be the items/);
	});
});

describe('withStoreOrder', () => {
	const replayed = (): IDataObject => {
		const result = unpackRow(
			storedRow(
				buildDeadLetterRecord(
					errorOutputItem({ ...wooOrder(727), date_modified_gmt: '2025-11-27T10:02:11' }, invalidEmailError()),
					context({ completesWith: 'salesOrder.create' }),
				),
				9,
			),
		);
		if (result.outcome !== 'replay') throw new Error('not replayable');
		return result.order;
	};
	const storeNow = (): IDataObject => ({
		...wooOrder(727),
		total: '31.75',
		shipping_total: '8.00',
		date_modified_gmt: '2025-11-27T12:00:00',
		_links: { self: [{ href: 'https://shop.example.com/wp-json/wc/v3/orders/727' }] },
	});

	it('replays the store’s order whole, keeping the replay marker and the provenance of the stored one', () => {
		const stored = replayed();
		const refreshed = withStoreOrder(stored, storeNow(), true);
		const { _deadLetter, _woocommerce, ...order } = refreshed;
		const { _woocommerce: _ignored, ...current } = storeNow();
		expect(order).toEqual(current);
		expect(_woocommerce).toEqual(stored._woocommerce);
		expect(_deadLetter).toEqual({
			...(stored._deadLetter as IDataObject),
			replayAs: 'salesOrder.create',
			storeRefresh: {
				outcome: 'current',
				storedVersion: '2025-11-27T10:02:11',
				currentVersion: '2025-11-27T12:00:00',
				message: expect.stringContaining('changed in the store since it failed'),
			},
		});
	});

	it('keeps the stored order when the store no longer lists it, or when it came from another store, and says so', () => {
		const stored = replayed();
		const gone = withStoreOrder(stored, undefined, true);
		expect({ ...gone, _deadLetter: undefined }).toEqual({ ...stored, _deadLetter: undefined });
		expect((gone._deadLetter as IDataObject).storeRefresh).toMatchObject({
			outcome: 'notInStore',
			message: 'The store no longer lists order 727 (deleted, or in the trash): the stored order is replayed',
		});
		const elsewhere = withStoreOrder(stored, storeNow(), false);
		expect(elsewhere.total).toBe(stored.total);
		expect((elsewhere._deadLetter as IDataObject).storeRefresh).toMatchObject({
			outcome: 'otherStore',
			message: expect.stringContaining('https://shop.example.com/'),
		});
	});
});

// ---------------------------------------------------------------------------------------------------------
// The node in n8n-core's own ExecuteContext
// ---------------------------------------------------------------------------------------------------------

interface RunOptions {
	parameters: IDataObject;
	continueOnFail?: boolean;
	/** The node whose error output feeds this one ($prevNode). */
	previousNode?: string;
	/** Called with the context before the node runs (e.g. to watch getNodeParameter). */
	inspect?: (context: IExecuteFunctions) => void;
}

function deadLetterContext(items: INodeExecutionData[], options: RunOptions): IExecuteFunctions {
	const node: INode = {
		id: 'dl-1',
		name: 'Build Dead Letter',
		type: 'n8n-nodes-woocommerce-zohocrm.zohoSyncDeadLetter',
		typeVersion: 1,
		position: [0, 0],
		parameters: options.parameters as INodeParameters,
		onError: options.continueOnFail ? 'continueRegularOutput' : undefined,
	};
	const workflow = workflowFor(node, new ZohoSyncDeadLetter(), { id: 'wfOrders01', name: 'WooCommerce orders to Zoho CRM' });
	return executeContext({ workflow, node, credentialsHelper: undefined as never, executionId: '4711', items, previousNode: options.previousNode });
}

async function run(items: INodeExecutionData[], options: RunOptions): Promise<INodeExecutionData[]> {
	const context = deadLetterContext(items, options);
	options.inspect?.(context);
	const output = await new ZohoSyncDeadLetter().execute.call(context);
	expect(output).toHaveLength(1);
	return output[0];
}

const isoNow = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('ZohoSyncDeadLetter node', () => {
	it('describes one input, one output, the four operations and a credential only for refreshing replays', () => {
		const { description } = new ZohoSyncDeadLetter();
		expect(description.name).toBe('zohoSyncDeadLetter');
		expect(description.displayName).toBe('Zoho Sync Dead Letter');
		expect(description.group).toEqual(['transform']);
		expect(description.inputs).toEqual(['main']);
		expect(description.outputs).toEqual(['main']);
		// the WooCommerce credential only for "Refresh Orders From Store"
		expect(description.credentials).toEqual([
			{
				name: 'wooCommerceStoreApi',
				required: true,
				displayOptions: { show: { operation: ['unpackForReplay'], refreshFromStore: [true] } },
			},
		]);
		const operation = description.properties.find((property) => property.name === 'operation');
		expect(operation?.options?.map((option) => (option as { value: string }).value).sort()).toEqual([
			'buildRecord',
			'markResolved',
			'mergeStoredRows',
			'unpackForReplay',
		]);
		const records = description.properties.find((property) => property.name === 'records');
		expect(records?.type).toBe('json');
		expect(records?.default).toBe("={{ $('Build Dead Letter').all(0, $runIndex).map(item => item.json) }}");
	});

	it('Build Record: one record per error item, paired, with workflow and execution filled in', async () => {
		const items = [
			errorOutputItem(wooOrder(727), invalidEmailError()),
			errorOutputItem(wooOrder(728), serverError()),
			errorOutputItem(wooOrder(729), 'Request failed with status code 502'),
		];
		const output = await run(items, {
			parameters: { operation: 'buildRecord' },
			// the Failed Node default is {{ $prevNode.name }}
			previousNode: 'Upsert Account',
		});

		expect(output).toHaveLength(3);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output.map((item) => item.json.key)).toEqual(['727:Upsert Contact', '728:Upsert Deal', '729:Upsert Account']);
		for (const item of output) {
			expect(item.json).toMatchObject({
				workflowId: 'wfOrders01',
				workflowName: 'WooCommerce orders to Zoho CRM',
				executionId: '4711',
				status: 'open',
				attempts: 1,
			});
			expect(item.json).not.toHaveProperty('error');
		}
		// the generic error had no time of its own
		expect(output[2].json.firstFailedAt).toMatch(isoNow);
	});

	it('Count Repeat Failures: merges with stored rows, evaluates records once, pairs every output', async () => {
		const built = [
			buildDeadLetterRecord(errorOutputItem(wooOrder(727), invalidEmailError()), context()),
			buildDeadLetterRecord(errorOutputItem(wooOrder(728), serverError()), context()),
		];
		const stored = storedRow(
			buildDeadLetterRecord(
				errorOutputItem(wooOrder(728), { ...serverError(), failedAt: '2025-11-26T09:00:00.000Z' }),
				context(),
			),
			11,
			{ attempts: 1 },
		);
		const recordReads: unknown[][] = [];
		const output = await run([{ json: {} }, { json: stored }], {
			parameters: { operation: 'mergeStoredRows', records: built as unknown as IDataObject },
			inspect: (context) => {
				const read = context.getNodeParameter.bind(context);
				context.getNodeParameter = ((...args: Parameters<typeof read>) => {
					if (args[0] === 'records') recordReads.push(args);
					return read(...args);
				}) as typeof context.getNodeParameter;
			},
		});

		expect(recordReads).toHaveLength(1);
		expect(recordReads[0][1]).toBe(0);
		expect(output.map((item) => [item.json.key, item.json.attempts, item.pairedItem])).toEqual([
			['727:Upsert Contact', 1, { item: 0 }],
			['728:Upsert Deal', 2, { item: 1 }],
		]);
		expect(output[1].json.firstFailedAt).toBe('2025-11-26T09:00:00.000Z');
		expect(output[1].json).not.toHaveProperty('id');
		expect(output.every((item) => !('error' in item.json))).toBe(true);
	});

	it('Count Repeat Failures: a broken records parameter fails the node, or becomes one error item', async () => {
		const options: RunOptions = { parameters: { operation: 'mergeStoredRows', records: [{ nope: true }] } };
		await expect(run([{ json: {} }], options)).rejects.toThrow(NodeOperationError);
		await expect(run([{ json: {} }], options)).rejects.toThrow(/has no key/);

		const output = await run([{ json: {} }], { ...options, continueOnFail: true });
		expect(output).toEqual([{ json: { error: expect.stringMatching(/has no key/) }, pairedItem: { item: 0 } }]);
	});

	it('Unpack for Replay: open rows become orders; resolved rows are skipped unless included', async () => {
		const open = storedRow(buildDeadLetterRecord(errorOutputItem(wooOrder(727), invalidEmailError()), context()), 1);
		const resolved = storedRow(
			buildDeadLetterRecord(errorOutputItem(wooOrder(728), serverError()), context()),
			2,
			{ status: 'resolved', resolvedAt: '2025-11-27T12:00:00.000Z', resolvedExecutionId: '4750' },
		);
		const items = [{ json: open }, { json: resolved }];

		const output = await run(items, { parameters: { operation: 'unpackForReplay', options: {} } });
		expect(output).toHaveLength(1);
		expect(output[0].pairedItem).toEqual({ item: 0 });
		const { _deadLetter, ...order } = output[0].json;
		expect(order).toEqual(wooOrder(727));
		expect(_deadLetter).toMatchObject({ key: '727:Upsert Contact', rowId: 1 });

		const all = await run(items, {
			parameters: { operation: 'unpackForReplay', options: { includeResolved: true } },
		});
		expect(all.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('Unpack for Replay: an unreadable order throws for that item, or becomes its error item', async () => {
		const good = storedRow(buildDeadLetterRecord(errorOutputItem(wooOrder(727), invalidEmailError()), context()), 1);
		const bad = storedRow(buildDeadLetterRecord(errorOutputItem(wooOrder(728), serverError()), context()), 2, {
			order: '{"id":728,',
		});
		const items = [{ json: bad }, { json: good }];

		const failure = run(items, { parameters: { operation: 'unpackForReplay', options: {} } });
		await expect(failure).rejects.toThrow(NodeOperationError);
		await expect(run(items, { parameters: { operation: 'unpackForReplay', options: {} } })).rejects.toThrow(
			/728:Upsert Deal/,
		);

		const output = await run(items, {
			parameters: { operation: 'unpackForReplay', options: {} },
			continueOnFail: true,
		});
		expect(output).toHaveLength(2);
		expect(output[0]).toEqual({
			json: { error: expect.stringContaining('728:Upsert Deal') },
			pairedItem: { item: 0 },
		});
		expect(output[1].json.id).toBe(727);
		expect(output[1].pairedItem).toEqual({ item: 1 });
	});

	it('Mark Resolved: one update per replayed item, none for items without a dead-letter key', async () => {
		const zoho = { contact: { id: '5725767000000411001', action: 'update' } };
		const items: INodeExecutionData[] = [
			{ json: { ...wooOrder(900), zoho } },
			{ json: { ...wooOrder(727), zoho, _deadLetter: { key: '727:Upsert Contact', rowId: 1 } } },
		];
		const output = await run(items, { parameters: { operation: 'markResolved' } });

		expect(output).toHaveLength(1);
		expect(output[0].pairedItem).toEqual({ item: 1 });
		expect(output[0].json).toEqual({
			key: '727:Upsert Contact',
			status: 'resolved',
			resolvedAt: expect.stringMatching(isoNow),
			resolvedExecutionId: '4711',
			zohoRecordIds: JSON.stringify(zoho),
		});
	});

	/** Mark Resolved after "<completing> → Find Open Dead Letters", as the bundled workflows wire it. */
	async function resolveAfter(completing: { name: string; resource: string; operation: string }, rows: IDataObject[], written: IDataObject[]) {
		const zohoNode = (name: string, resource: string, operation: string, x: number): INode => ({
			id: name,
			name,
			type: 'n8n-nodes-woocommerce-zohocrm.zohoCrmOrderSync',
			typeVersion: 1,
			position: [x, 0],
			parameters: { authentication: 'refreshToken', resource, operation },
		});
		const find: INode = {
			id: 'find',
			name: 'Find Open Dead Letters',
			type: 'n8n-nodes-base.dataTable',
			typeVersion: 1.1,
			position: [400, 0],
			parameters: {},
		};
		const mark: INode = {
			id: 'mark',
			name: 'Mark Written Orders Resolved',
			type: 'n8n-nodes-woocommerce-zohocrm.zohoSyncDeadLetter',
			typeVersion: 1,
			position: [600, 0],
			// the bundled workflows give `={{ $('<completing>').all(0, $runIndex).map(item => item.json) }}`; here the items
			parameters: { operation: 'markResolved', resolve: 'openRowsOfWrittenOrders', writtenOrders: written } as unknown as INodeParameters,
		};
		const nodes = [
			zohoNode('Upsert Contact', 'contact', 'upsert', 0),
			zohoNode(completing.name, completing.resource, completing.operation, 200),
			find,
			mark,
		];
		const link = (node: string) => ({ main: [[{ node, type: 'main' as const, index: 0 }]] });
		const connections: IConnections = {
			'Upsert Contact': link(completing.name),
			[completing.name]: link(find.name),
			[find.name]: link(mark.name),
		};
		const deadLetter = new ZohoSyncDeadLetter();
		const zohoCrm = new ZohoCrmOrderSync();
		const dataTable = { description: { properties: [] } };
		const workflow = new Workflow({
			id: 'wfOrders01',
			name: 'WooCommerce orders to Zoho CRM',
			nodes,
			connections,
			active: true,
			nodeTypes: {
				getByName: (type: string) => (type.endsWith('zohoSyncDeadLetter') ? deadLetter : type.endsWith('zohoCrmOrderSync') ? zohoCrm : dataTable),
				getByNameAndVersion: (type: string) =>
					type.endsWith('zohoSyncDeadLetter') ? deadLetter : type.endsWith('zohoCrmOrderSync') ? zohoCrm : dataTable,
				getKnownTypes: () => ({}),
			} as never,
		});
		const items = rows.map((json) => ({ json, pairedItem: { item: 0 } }));
		const ctx = executeContext({ workflow, node: mark, credentialsHelper: undefined as never, executionId: '4800', items, previousNode: find.name });
		const output = await deadLetter.execute.call(ctx);
		return output[0];
	}

	it('Mark Resolved after a completing write: the rows of the written orders that write stands for, read once per run', async () => {
		const rows = rowsOfOrder(727);
		const input = [rows.salesOrder, rows.dealFlowContact, rows.product, rows.dealFlowDeal, rowsOfOrder(728).dealFlowDeal, rowsOfOrder(729).dealFlowDeal];
		const zoho = { deal: { id: '57002', action: 'insert', orderId: '727' } };
		const skipped = { skipped: { reason: 'This order version was already written to Zoho', version: 'x|727|y' } };
		// 727 written (and met again as already written), 729 written; 728 not in this run
		const written = [{ ...wooOrder(727), zoho: skipped }, { ...wooOrder(727), zoho }, { ...wooOrder(729), zoho: { deal: { id: '57009' } } }];
		const afterDeal = await resolveAfter({ name: 'Create Deal', resource: 'deal', operation: 'create' }, input, written);
		expect(afterDeal.map((item) => [item.json.key, item.pairedItem])).toEqual([
			['727:Upsert Contact', { item: 1 }],
			['727:Create Deal', { item: 3 }],
			['729:Create Deal', { item: 5 }],
		]);
		expect(afterDeal[0].json).toEqual({
			key: '727:Upsert Contact',
			status: 'resolved',
			resolvedAt: expect.stringMatching(isoNow),
			resolvedExecutionId: '4800',
			zohoRecordIds: JSON.stringify(zoho),
			lastFailedAt: rows.dealFlowContact.lastFailedAt,
		});
		expect(JSON.parse(String(afterDeal[2].json.zohoRecordIds))).toEqual({ deal: { id: '57009' } });

		const afterSalesOrder = await resolveAfter({ name: 'Create Sales Order', resource: 'salesOrder', operation: 'create' }, input, [
			{ ...wooOrder(727), zoho: { salesOrder: { id: '58001' } } },
		]);
		expect(afterSalesOrder.map((item) => item.json.key)).toEqual(['727:Create Sales Order']);
		// Sync in One Call: its failures replay as deals, so it closes what a deal write closes
		const afterOneCall = await resolveAfter(
			{ name: 'Sync Order in One Call', resource: 'order', operation: 'syncInOneCall' },
			[rows.oneCall, rows.salesOrder],
			[{ ...wooOrder(727), zoho }],
		);
		expect(afterOneCall.map((item) => item.json.key)).toEqual(['727:Sync Order in One Call']);
		// what a failed Data Table node passes on (the written items themselves) closes nothing
		expect(await resolveAfter({ name: 'Create Deal', resource: 'deal', operation: 'create' }, written, written)).toEqual([]);
	});

	describe('Unpack for Replay with "Refresh Orders From Store" (the WooCommerce emulator over HTTP)', () => {
		let woo: WooCommerceEmulator;
		beforeEach(async () => {
			woo = await WooCommerceEmulator.start();
		});
		afterEach(async () => {
			await woo.stop();
		});

		/** Unpack for Replay with the option on, its WooCommerce credential signing each request to the emulator. */
		async function unpack(rows: IDataObject[], consumerSecret = woo.consumerSecret, continueOnFail = false) {
			const node: INode = {
				id: 'unpack',
				name: 'Unpack for Replay',
				type: 'n8n-nodes-woocommerce-zohocrm.zohoSyncDeadLetter',
				typeVersion: 1,
				position: [0, 0],
				parameters: { operation: 'unpackForReplay', refreshFromStore: true, options: {} },
				credentials: { wooCommerceStoreApi: { id: 'woo-1', name: 'Store' } },
				onError: continueOnFail ? 'continueRegularOutput' : undefined,
			};
			const workflow = workflowFor(node, new ZohoSyncDeadLetter(), { id: 'wfReplay01', name: 'Replay' });
			const credentialsHelper = new TestCredentialsHelper(new WooCommerceStoreApi(), {
				stored: { url: `${woo.url}/`, consumerKey: woo.consumerKey, consumerSecret },
				tokenRequests: 0,
			});
			const items = rows.map((json) => ({ json }));
			const [output] = await new ZohoSyncDeadLetter().execute.call(
				executeContext({ workflow, node, credentialsHelper, executionId: '4900', items }),
			);
			return output;
		}
		/** The open row a deal failure of `order` (as its trigger delivered it) leaves. */
		const rowFor = (order: IDataObject, source = `${woo.url}/`, id = Number(order.id)) =>
			storedRow(
				buildDeadLetterRecord(
					errorOutputItem({ ...order, _woocommerce: { topic: 'order.created', source } }, { ...serverError(), operation: 'deal.create', node: 'Create Deal' }),
					context({ completesWith: 'deal.create' }),
				),
				id,
			);
		const orderCalls = () => woo.calls.filter((call) => call.method === 'GET' && call.path === '/wp-json/wc/v3/orders');

		it('replays each order as the store has it now, 100 ids per request; deleted, trashed and foreign orders as stored', async () => {
			const stale = woo.addOrder({ billing: { email: 'v@example.com' } });
			const current = woo.orders.find((order) => order.id === stale.id)!;
			current.total = '99.00';
			current.date_modified_gmt = '2030-01-01T00:00:00';
			const unchanged = woo.addOrder();
			const trashed = woo.addOrder();
			woo.orders.find((order) => order.id === trashed.id)!.status = 'trash';
			const deleted = woo.addOrder();
			woo.orders.splice(woo.orders.findIndex((order) => order.id === deleted.id), 1);
			const many = Array.from({ length: 120 }, () => woo.addOrder());
			const rows = [
				rowFor(stale),
				rowFor(unchanged),
				rowFor(trashed),
				rowFor(deleted),
				rowFor(unchanged, 'https://other-shop.example/', 999),
				...many.map((order) => rowFor(order)),
			];

			const output = await unpack(rows);
			expect(output).toHaveLength(rows.length);
			expect(output.map((item) => item.pairedItem)).toEqual(rows.map((_, item) => ({ item })));
			const refresh = (index: number) => (output[index].json._deadLetter as IDataObject).storeRefresh as IDataObject;
			// the newer version, with the replay marker and the provenance of the stored row
			expect(output[0].json).toMatchObject({ id: stale.id, total: '99.00', date_modified_gmt: '2030-01-01T00:00:00' });
			expect(output[0].json._woocommerce).toEqual({ topic: 'order.created', source: `${woo.url}/` });
			expect(output[0].json._deadLetter).toMatchObject({ key: `${stale.id}:Create Deal`, replayAs: 'deal.create' });
			expect(refresh(0)).toMatchObject({ outcome: 'current', storedVersion: stale.date_modified_gmt, currentVersion: '2030-01-01T00:00:00' });
			expect(refresh(1)).toMatchObject({ outcome: 'current', message: expect.stringContaining('unchanged') });
			for (const index of [2, 3]) {
				expect(refresh(index)).toMatchObject({ outcome: 'notInStore' });
				expect(output[index].json.total).toBe(JSON.parse(String(rows[index].order)).total);
			}
			expect(refresh(4)).toMatchObject({ outcome: 'otherStore' });
			expect(output.slice(5).every((item, index) => item.json.id === many[index].id && refresh(index + 5).outcome === 'current')).toBe(true);
			// 124 ids of this store: two requests, at most 100 ids each
			const includes = orderCalls().map((call) => call.query.include.split(',').length);
			expect(includes).toEqual([100, 24]);
			expect(orderCalls().every((call) => call.query.per_page === '100' && call.status === 200)).toBe(true);
		});

		it('a store that cannot be read fails the node instead of replaying stored versions', async () => {
			const order = woo.addOrder();
			const failure = unpack([rowFor(order)], 'cs_wrong');
			await expect(failure).rejects.toThrow(NodeApiError);
			const output = await unpack([rowFor(order)], 'cs_wrong', true);
			expect(output).toEqual([
				{ json: { error: expect.stringContaining('could not be read from the store') }, pairedItem: { item: 0 } },
			]);
		});
	});

	it('round trip: a replay that fails again updates the same row with one more attempt', async () => {
		const firstRecord = (
			await run([errorOutputItem(wooOrder(727), invalidEmailError())], {
				parameters: { operation: 'buildRecord', failedNode: '' },
			})
		)[0].json as DeadLetterRecord;
		const row = storedRow(firstRecord, 5);

		const [replayed] = await run([{ json: row }], { parameters: { operation: 'unpackForReplay', options: {} } });
		const failedAgain = errorOutputItem(replayed.json, {
			...invalidEmailError(),
			failedAt: '2025-11-29T07:00:00.000Z',
		});
		const [rebuilt] = await run([failedAgain], { parameters: { operation: 'buildRecord', failedNode: '' } });
		expect(rebuilt.json.key).toBe(firstRecord.key);
		// the order as delivered, plus the path the replay took (kept for the next replay)
		expect(JSON.parse(rebuilt.json.order as string)).toEqual({ ...wooOrder(727), _replayAs: 'deal.create' });

		const [merged] = await run([{ json: row }], {
			parameters: { operation: 'mergeStoredRows', records: [rebuilt.json] },
		});
		expect(merged.json).toMatchObject({
			key: '727:Upsert Contact',
			attempts: 2,
			firstFailedAt: '2025-11-27T10:02:13.500Z',
			lastFailedAt: '2025-11-29T07:00:00.000Z',
			status: 'open',
		});
		expect(merged.pairedItem).toEqual({ item: 0 });
	});
});
