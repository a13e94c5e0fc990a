import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';

export { create };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['deal'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Create exactly one deal per WooCommerce order (upsert on the order ID field)',
				action: 'Create a deal for an order',
			},
			{
				name: 'Set Up Order ID Field',
				value: 'setUpOrderIdField',
				description: 'Create the unique order ID field on Deals when it is missing',
				action: 'Set up the deal order ID field',
				// Changes the Zoho schema: never offered to an AI agent (the tool variant's name ends in "Tool").
				displayOptions: { show: { '@tool': [false] } },
			},
		],
		default: 'create',
	},
	...create.description,
];
