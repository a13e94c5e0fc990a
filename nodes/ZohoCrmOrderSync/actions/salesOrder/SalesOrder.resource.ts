import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';

export { create };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['salesOrder'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description:
					'Create exactly one sales order per WooCommerce order, with its line items as Zoho products',
				action: 'Create a sales order for an order',
			},
			{
				name: 'Set Up Order ID Field',
				value: 'setUpOrderIdField',
				description: 'Create the unique order ID field on Sales Orders when it is missing',
				action: 'Set up the sales order ID field',
				// Changes the Zoho schema: never offered to an AI agent (the tool variant's name ends in "Tool").
				displayOptions: { show: { '@tool': [false] } },
			},
		],
		default: 'create',
	},
	...create.description,
];
