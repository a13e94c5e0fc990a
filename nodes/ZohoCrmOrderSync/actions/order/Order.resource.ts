import type { INodeProperties } from 'n8n-workflow';

import * as syncInOneCall from './syncInOneCall.operation';

export { syncInOneCall };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['order'] } },
		options: [
			{
				name: 'Sync in One Call',
				value: 'syncInOneCall',
				description:
					'Write the account (when there is a company), the contact and the deal of an order in one Zoho call, all or nothing (needs the scope ZohoCRM.composite_requests.CUSTOM)',
				action: 'Sync an order in one call',
			},
		],
		default: 'syncInOneCall',
	},
	...syncInOneCall.description,
];
