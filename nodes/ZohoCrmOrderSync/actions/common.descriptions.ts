import type { INodeProperties } from 'n8n-workflow';

/* Parameter descriptions several operations share. Reading them at run time: actions/parameters.ts. */

/** Options every write operation shares: the retry budget, the concurrency cap and Zoho automation. */
export const callOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Max Concurrent Requests',
			name: 'maxConcurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 25 },
			default: 5,
			description:
				'At most this many Zoho calls at once for one Zoho org, across the whole n8n deployment (see Workers Sharing the Limit). Zoho allows 5 (Free) to 25 (Ultimate) concurrent calls per org, and answers 429 beyond that.',
		},
		{
			displayName: 'Workers Sharing the Limit',
			name: 'workersSharingLimit',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 25 },
			default: 1,
			description:
				'In queue mode, the number of n8n workers that run this workflow (1 for a single n8n process). Zoho counts concurrent calls per org, not per process, so each worker allows at most Max Concurrent Requests ÷ this number (rounded down, at least 1) calls at once.',
		},
		{
			displayName: 'Max Retry Wait (Seconds)',
			name: 'maxRetryWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 60,
			description:
				'How long one Zoho call may take in all (requests and waits, wall-clock) to get past rate limits (429), outages (5xx) and network errors: exponential backoff 1 s, 5 s, 25 s … (a shorter Retry-After is raised to it), at most 6 attempts. After that the item goes to the error output. Keep it well below EXECUTIONS_TIMEOUT so the error output is reached.',
		},
		{
			displayName: 'Skip Written Order Versions',
			name: 'skipWrittenVersions',
			type: 'boolean',
			default: true,
			description:
				'Whether an order whose exact version (store, order ID, date modified) this workflow already wrote to Zoho passes through without a Zoho call. The record lives in n8n’s database; a version counts as written only after the Deal or Sales Order write succeeded.',
		},
		{
			displayName: 'Run Zoho Automation',
			name: 'runAutomation',
			type: 'boolean',
			default: true,
			description:
				'Whether Zoho runs its workflow rules, approvals and blueprints for these records. Off sends "trigger": [].',
		},
	],
};

/** A collection of extra Zoho fields: API names load from the module's field metadata. */
export function customFieldsProperty(
	module: string,
	loadOptionsMethod: string,
	displayOptions: INodeProperties['displayOptions'],
): INodeProperties {
	return {
		displayName: 'Custom Fields',
		name: 'customFields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field',
		default: {},
		description: `More ${module} fields to send, by API name (custom fields included)`,
		displayOptions,
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Field Name or ID',
						name: 'name',
						type: 'options',
						typeOptions: { loadOptionsMethod },
						default: '',
						description:
							'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
					},
				],
			},
		],
	};
}

/** The order's currency (Deals and Sales Orders); the mapping sends it only when the org has multi-currency on. */
export function currencyProperty(displayOptions: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Currency',
		name: 'currency',
		type: 'string',
		default: '={{ $json.currency }}',
		description: 'ISO currency code; only sent when multi-currency is on in your Zoho org',
		displayOptions,
	};
}

/** Order-id field: the unique Zoho field that makes one Deal / Sales Order per WooCommerce order. */
export function orderIdProperties(displayOptions: INodeProperties['displayOptions']): INodeProperties[] {
	return [
		{
			displayName: 'Order ID',
			name: 'orderId',
			type: 'string',
			default: '={{ $json.id }}',
			required: true,
			description: 'The WooCommerce order ID: the key that makes this write happen once per order',
			displayOptions,
		},
		{
			displayName: 'Order ID Field',
			name: 'orderIdField',
			type: 'string',
			default: 'WooCommerce_Order_ID',
			required: true,
			description:
				'API name of a unique single-line field in Zoho that stores the order ID. Create it with the operation "Set Up Order ID Field". Records are upserted on it, so a second delivery of the same order updates the same record.',
			displayOptions,
		},
	];
}
