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
			displayName: 'Max Retry Wait (Seconds)',
			name: 'maxRetryWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 60,
			description:
				'How long one Zoho call may take in all (requests and waits, wall-clock) to get past rate limits (429), outages (5xx) and network errors: exponential backoff 1 s, 5 s, 25 s … (a shorter Retry-After is raised to it), at most 6 attempts. After that the item goes to the error output. Keep it well below EXECUTIONS_TIMEOUT so the error output is reached.',
		},
		{
			displayName: 'Run Zoho Automation',
			name: 'runAutomation',
			type: 'boolean',
			default: true,
			description:
				'Whether Zoho runs its workflow rules, approvals and blueprints for these records. Off sends "trigger": [].',
		},
		{
			displayName: 'Skip Written Order Versions',
			name: 'skipWrittenVersions',
			type: 'boolean',
			default: true,
			description:
				'Whether an order whose exact version (store, order ID, date modified) this workflow already wrote to Zoho passes through without a Zoho call. The record lives in n8n’s database and keeps Create Deal, Create Sales Order and Sync in One Call apart, each counted only after its write succeeded; a node skips only when every such write from it onward is recorded.',
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
	],
};

type DisplayOptions = INodeProperties['displayOptions'];

/** Node version 1 keeps its parameters; version 2 (n8n's resource locator and mapper) replaces some of them. */
export function forVersion1(displayOptions: DisplayOptions): DisplayOptions {
	return { ...displayOptions, show: { ...(displayOptions?.show ?? {}), '@version': [1] } };
}
export function fromVersion2(displayOptions: DisplayOptions): DisplayOptions {
	return { ...displayOptions, show: { ...(displayOptions?.show ?? {}), '@version': [{ _cnd: { gte: 2 } }] } };
}

/** Zoho's web app address of a record: …/crm/[org123/]tab/<Module>/<id>. */
const recordUrlRegex = (module: string) => `https?://[^/]+/crm/(?:[^/]+/)?tab/${module}/(\\d+)`;

/**
 * A Zoho record id picked the n8n way (version 2): from a searchable list, by id, or by the record's URL. The
 * default keeps the expression that takes the id from the step before (e.g. Upsert Contact).
 */
export function recordLocator(args: {
	displayName: string;
	name: string;
	module: string;
	searchListMethod: string;
	defaultExpression: string;
	description: string;
	displayOptions: DisplayOptions;
}): INodeProperties {
	return {
		displayName: args.displayName,
		name: args.name,
		type: 'resourceLocator',
		default: { mode: 'id', value: args.defaultExpression },
		description: args.description,
		displayOptions: fromVersion2(args.displayOptions),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a record…`,
				typeOptions: { searchListMethod: args.searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: '4876876000000333001',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^\\d+$', errorMessage: 'A Zoho record ID is a number' },
					},
				],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: `https://crm.zoho.com/crm/org123/tab/${args.module}/4876876000000333001`,
				validation: [
					{
						type: 'regex',
						properties: {
							regex: recordUrlRegex(args.module),
							errorMessage: `Not a Zoho CRM ${args.module} record URL`,
						},
					},
				],
				extractValue: { type: 'regex', regex: recordUrlRegex(args.module) },
			},
		],
	};
}

/**
 * Version 2: the module's additional fields in n8n's resource mapper, loaded from Zoho's `/settings/fields` with
 * their types, mandatory flags and picklist values (methods/resourceMapping.ts).
 */
export function zohoFieldsMapper(module: string, resourceMapperMethod: string, displayOptions: DisplayOptions): INodeProperties {
	return {
		displayName: 'Zoho Fields',
		name: 'zohoFields',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		description: `More ${module} fields to send (custom fields included); the fields this operation fills itself are above`,
		displayOptions: fromVersion2(displayOptions),
		typeOptions: {
			resourceMapper: {
				resourceMapperMethod,
				mode: 'add',
				fieldWords: { singular: 'field', plural: 'fields' },
				addAllFields: false,
				multiKeyMatch: false,
				supportAutoMap: false,
			},
		},
	};
}

/** Version 1: a collection of extra Zoho fields by API name (version 2 uses zohoFieldsMapper). */
export function customFieldsProperty(
	module: string,
	loadOptionsMethod: string,
	displayOptions: DisplayOptions,
): INodeProperties {
	return {
		displayName: 'Custom Fields',
		name: 'customFields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field',
		default: {},
		description: `More ${module} fields to send, by API name (custom fields included)`,
		displayOptions: forVersion1(displayOptions),
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

/**
 * The Contact or Account a deal or sales order links to: version 1's text id and version 2's locator, both defaulting
 * to the id the Upsert Contact step before wrote.
 */
export function linkedRecordProperties(
	kind: 'contact' | 'account',
	description: string,
	displayOptions: DisplayOptions,
): INodeProperties[] {
	const contact = kind === 'contact';
	const name = contact ? 'contactId' : 'accountId';
	const defaultExpression = contact ? '={{ $json.zoho?.contact?.id }}' : '={{ $json.zoho?.account?.id }}';
	return [
		{
			displayName: contact ? 'Contact ID' : 'Account ID',
			name,
			type: 'string',
			default: defaultExpression,
			description,
			displayOptions: forVersion1(displayOptions),
		},
		recordLocator({
			displayName: contact ? 'Contact' : 'Account',
			name,
			module: contact ? 'Contacts' : 'Accounts',
			searchListMethod: contact ? 'searchContacts' : 'searchAccounts',
			defaultExpression,
			description,
			displayOptions,
		}),
	];
}
