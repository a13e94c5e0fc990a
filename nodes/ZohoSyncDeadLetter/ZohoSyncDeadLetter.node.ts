import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import {
	buildDeadLetterRecord,
	mergeWithStored,
	readBuiltRecords,
	readWrittenOrders,
	replayOperation,
	resolutionFor,
	resolutionsForWrittenOrders,
	unpackRow,
} from './deadLetterRecord';
import { refreshFromStore } from './storeOrders';
import { asNodeError } from '../shared/nodeError';
import { WOOCOMMERCE_CREDENTIAL } from '../shared/woocommerce/client';

type Operation = 'buildRecord' | 'mergeStoredRows' | 'unpackForReplay' | 'markResolved';

/**
 * Turns the Zoho node's error-output items into flat Data Table rows, counts repeat failures of the same
 * row, unpacks stored rows for replay and closes them after a successful replay. The Data Table nodes of
 * the workflows do the storing; this node only shapes items (and, to replay, may read the orders' current versions
 * from the store).
 *
 * Success items never carry json.error: n8n's retry-on-fail re-runs a node whose first output item has it.
 */
export class ZohoSyncDeadLetter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zoho Sync Dead Letter',
		name: 'zohoSyncDeadLetter',
		icon: { light: 'file:zohoSyncDeadLetter.svg', dark: 'file:zohoSyncDeadLetter.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Store failed Zoho CRM syncs as dead-letter rows and replay them',
		defaults: {
			name: 'Zoho Sync Dead Letter',
		},
		// Safe as a tool: it only reshapes items and at most reads orders from the store (no call to Zoho, no storage);
		// the Data Table nodes do the storing.
		usableAsTool: {
			replacements: {
				description:
					'Turn a failed Zoho CRM sync item into a flat dead-letter row, or a stored dead-letter row back into the WooCommerce order to replay. Changes nothing anywhere; it only reshapes the data it is given, and may read the orders from the store.',
			},
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: WOOCOMMERCE_CREDENTIAL,
				required: true,
				displayOptions: {
					show: {
						operation: ['unpackForReplay'],
						refreshFromStore: [true],
					},
				},
			},
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Build Record',
						value: 'buildRecord',
						description: 'Turn each failed item from a Zoho node error output into a flat dead-letter row',
						action: 'Build a dead letter record',
					},
					{
						name: 'Count Repeat Failures',
						value: 'mergeStoredRows',
						description:
							'Merge built records with the rows already stored under the same keys, so a repeat failure updates one row',
						action: 'Count repeat failures',
					},
					{
						name: 'Mark Resolved',
						value: 'markResolved',
						description: 'Build the row update that closes a dead letter after its replay succeeded',
						action: 'Mark a dead letter resolved',
					},
					{
						name: 'Unpack for Replay',
						value: 'unpackForReplay',
						description: 'Turn stored dead-letter rows back into the original orders, ready for the Zoho nodes',
						action: 'Unpack dead letters for replay',
					},
				],
				default: 'buildRecord',
			},
			{
				displayName: 'Failed Node',
				name: 'failedNode',
				type: 'string',
				default: '={{ $prevNode.name }}',
				description:
					'Name of the node that failed, used when the error does not name it (errors from nodes other than Zoho CRM Order Sync)',
				displayOptions: {
					show: {
						operation: ['buildRecord'],
					},
				},
			},
			{
				displayName: 'Records',
				name: 'records',
				type: 'json',
				// The run of "Build Dead Letter" that led here: when two Zoho nodes fail in one execution, Build
				// Dead Letter and this node each run twice, and run N of one belongs to run N of the other.
				default: "={{ $('Build Dead Letter').all(0, $runIndex).map(item => item.json) }}",
				description:
					'The records built by the "Build Record" operation (in the run that led here). The input items are the rows already stored under their keys (a Data Table "Get" node with "Always Output Data" on).',
				displayOptions: {
					show: {
						operation: ['mergeStoredRows'],
					},
				},
			},
			{
				displayName: 'Resolve',
				name: 'resolve',
				type: 'options',
				options: [
					{
						name: 'Replayed Rows',
						value: 'replayedRows',
						description: 'Each input item is a successful replay: close the row it was unpacked from',
					},
					{
						name: 'Open Rows of the Written Orders',
						value: 'openRowsOfWrittenOrders',
						description:
							'The input items are open rows read with a Data Table "Get" after the write that completes orders (deal, sales order, one call): close the rows of the orders it wrote that a replay would have sent through that same write',
					},
				],
				default: 'replayedRows',
				displayOptions: {
					show: {
						operation: ['markResolved'],
					},
				},
			},
			{
				displayName: 'Written Orders',
				name: 'writtenOrders',
				type: 'json',
				// The run of the completing node that led here, as "Records" of Count Repeat Failures
				default: "={{ $('Create Deal').all(0, $runIndex).map(item => item.json) }}",
				description:
					'The items the completing Zoho node put out in the run that led here (rename "Create Deal" to that node). Their Zoho records are stored on the rows they close.',
				displayOptions: {
					show: {
						operation: ['markResolved'],
						resolve: ['openRowsOfWrittenOrders'],
					},
				},
			},
			{
				displayName: 'Refresh Orders From Store',
				name: 'refreshFromStore',
				type: 'boolean',
				default: false,
				description:
					'Whether to replay each order as the WooCommerce store has it now instead of the stored version, so a replay never writes older data over a newer version already in Zoho. Orders the store no longer lists (deleted, trashed) and orders of another store are replayed as stored; the item says so under _deadLetter.storeRefresh.',
				displayOptions: {
					show: {
						operation: ['unpackForReplay'],
					},
				},
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: {
					show: {
						operation: ['unpackForReplay'],
					},
				},
				options: [
					{
						displayName: 'Include Resolved',
						name: 'includeResolved',
						type: 'boolean',
						default: false,
						description: 'Whether to replay rows whose status is not "open" as well',
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as Operation;
		const returnData: INodeExecutionData[] = [];

		if (operation === 'mergeStoredRows') {
			// evaluated once: the records belong to the whole batch, the input items are the stored rows
			try {
				const recordsParameter = this.getNodeParameter('records', 0);
				let records;
				try {
					records = readBuiltRecords(recordsParameter);
				} catch (error) {
					throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: 0 });
				}
				const storedRows = items.map((item) => item.json ?? {});
				for (const { record, storedIndex } of mergeWithStored(records, storedRows)) {
					// pair with the matched stored row (its key), else with item 0, so every output item has one
					// source item and n8n can resolve $('…').item through this node
					returnData.push({ json: record, pairedItem: { item: storedIndex ?? 0 } });
				}
			} catch (error) {
				// expression errors (e.g. no node named "Build Dead Letter") keep n8n's own message and hints
				if (!this.continueOnFail()) throw asNodeError(this.getNode(), error);
				returnData.push({ json: { error: (error as Error).message }, pairedItem: { item: 0 } });
			}
			return [returnData];
		}

		if (operation === 'unpackForReplay') return [await unpackForReplay.call(this)];

		if (
			operation === 'markResolved' &&
			this.getNodeParameter('resolve', 0, 'replayedRows') === 'openRowsOfWrittenOrders'
		) {
			// evaluated once: the written orders belong to the whole run, the input items are the open rows
			try {
				let written;
				try {
					written = readWrittenOrders(this.getNodeParameter('writtenOrders', 0));
				} catch (error) {
					throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: 0 });
				}
				// the write this workflow's own failures replay as: what its completing write stands for
				const writtenAs = replayOperation('', completingWrite(this));
				const rows = items.map((item) => item.json ?? {});
				const now = new Date().toISOString();
				const executionId = this.getExecutionId() ?? '';
				for (const { resolution, rowIndex } of resolutionsForWrittenOrders(rows, written, writtenAs, executionId, now)) {
					returnData.push({ json: resolution, pairedItem: { item: rowIndex } });
				}
			} catch (error) {
				if (!this.continueOnFail()) throw asNodeError(this.getNode(), error);
				returnData.push({ json: { error: (error as Error).message }, pairedItem: { item: 0 } });
			}
			return [returnData];
		}

		const workflow = this.getWorkflow();
		const executionId = this.getExecutionId() ?? '';
		const completesWith = operation === 'buildRecord' ? completingWrite(this) : '';
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const pairedItem = { item: itemIndex };
			try {
				const now = new Date().toISOString();
				if (operation === 'buildRecord') {
					const record = buildDeadLetterRecord(items[itemIndex], {
						workflowId: workflow.id ?? '',
						workflowName: workflow.name ?? '',
						executionId,
						failedNodeFallback: this.getNodeParameter('failedNode', itemIndex, '') as string,
						now,
						completesWith,
					});
					returnData.push({ json: record, pairedItem });
				} else if (operation === 'markResolved') {
					const update = resolutionFor(items[itemIndex], executionId, now);
					if (update) returnData.push({ json: update, pairedItem });
				} else {
					throw new NodeOperationError(this.getNode(), `Unknown operation "${operation as string}"`, {
						itemIndex,
					});
				}
			} catch (error) {
				if (this.continueOnFail()) {
					returnData.push({ json: { error: (error as Error).message }, pairedItem });
					continue;
				}
				throw asNodeError(this.getNode(), error, { itemIndex });
			}
		}

		return [returnData];
	}
}

/**
 * Stored rows back to orders, in input order: open rows only unless "Include Resolved"; with "Refresh Orders From
 * Store" each order as the store has it now. An unreadable row throws, or becomes its error item.
 */
async function unpackForReplay(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const includeResolved = options.includeResolved === true;
	const slots: Array<INodeExecutionData | undefined> = [];
	const replayed: Array<{ slot: number; order: IDataObject }> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const pairedItem = { item: itemIndex };
		const unpacked = unpackRow(items[itemIndex].json ?? {}, { includeResolved });
		if (unpacked.outcome === 'invalid') {
			if (!this.continueOnFail()) {
				throw new NodeOperationError(this.getNode(), unpacked.message, { itemIndex });
			}
			slots.push({ json: { error: unpacked.message }, pairedItem });
		} else if (unpacked.outcome === 'replay') {
			replayed.push({ slot: slots.length, order: unpacked.order });
			slots.push({ json: unpacked.order, pairedItem });
		}
	}
	if (replayed.length && this.getNodeParameter('refreshFromStore', 0, false) === true) {
		let current: IDataObject[];
		try {
			current = await refreshFromStore.call(this, replayed.map(({ order }) => order));
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this.getNode(), error);
			// never the stored versions instead: they may be older than what Zoho has
			current = replayed.map(() => ({ error: `The orders could not be read from the store: ${(error as Error).message}` }));
		}
		replayed.forEach(({ slot }, index) => {
			slots[slot] = { ...slots[slot]!, json: current[index] };
		});
	}
	return slots.filter((slot): slot is INodeExecutionData => slot !== undefined);
}

/**
 * The Zoho write that completes an order in the workflow feeding this node: salesOrder.create or deal.create when
 * exactly one of them is among the Zoho CRM Order Sync nodes before it, else '' (replayed rows carry their own).
 */
function completingWrite(ctx: IExecuteFunctions): string {
	try {
		const found = new Set<string>();
		for (const parent of ctx.getParentNodes(ctx.getNode().name, { includeNodeParameters: true })) {
			if (!parent.type.endsWith('.zohoCrmOrderSync') || parent.disabled) continue;
			const parameters = (parent.parameters ?? {}) as IDataObject;
			const operation = `${String(parameters.resource)}.${String(parameters.operation)}`;
			if (operation === 'deal.create' || operation === 'salesOrder.create') found.add(operation);
		}
		return found.size === 1 ? [...found][0] : '';
	} catch {
		return '';
	}
}
