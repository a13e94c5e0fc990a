import type { INodeProperties } from 'n8n-workflow';

import {
	currencyProperty,
	customFieldsProperty,
	linkedRecordProperties,
	orderIdProperties,
	zohoFieldsMapper,
} from './common.descriptions';

/*
 * The order's contact and deal parameters (the editable mapping), shared by Contact → Upsert, Deal → Create and
 * Order → Sync in One Call, each under its own displayOptions.
 */

type DisplayOptions = NonNullable<INodeProperties['displayOptions']>;

/** Contact (and linked account) parameters. */
export function contactProperties(displayOptions: DisplayOptions): INodeProperties[] {
	const field = (
		displayName: string,
		name: string,
		defaultValue: string,
		description: string,
		extra: Partial<INodeProperties> = {},
	): INodeProperties => ({
		displayName,
		name,
		type: 'string',
		default: defaultValue,
		description,
		displayOptions,
		...extra,
	});

	return [
		field('Email', 'email', '={{ $json.billing.email }}', 'The contact is found by this email (Zoho duplicate check on Email) or created', {
			required: true,
			placeholder: 'name@email.com',
		}),
		field('First Name', 'firstName', '={{ $json.billing.first_name }}', 'Contact first name'),
		field(
			'Last Name',
			'lastName',
			'={{ $json.billing.last_name }}',
			'Mandatory in Zoho: when empty, the first name is used, then the part of the email before @',
		),
		field('Phone', 'phone', '={{ $json.billing.phone }}', 'Contact phone'),
		field(
			'Mailing Street',
			'mailingStreet',
			"={{ [$json.billing.address_1, $json.billing.address_2].filter(Boolean).join(', ') }}",
			'Street: address line 1 and 2',
		),
		field('Mailing City', 'mailingCity', '={{ $json.billing.city }}', 'City'),
		field('Mailing State', 'mailingState', '={{ $json.billing.state }}', 'State or county code'),
		field('Mailing Zip', 'mailingZip', '={{ $json.billing.postcode }}', 'Postcode'),
		field('Mailing Country', 'mailingCountry', '={{ $json.billing.country }}', 'Country (ISO code from WooCommerce)'),
		field(
			'Description',
			'description',
			"={{ $json.customer_id ? 'WooCommerce customer #' + $json.customer_id : 'WooCommerce guest customer' }}",
			'Contact description',
		),
		{
			displayName: 'Lead Source Name or ID',
			name: 'leadSource',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getContactLeadSources' },
			// Zoho's standard picklist value: a working default beats an empty one for a no-code user
			default: 'Online Store',
			description:
				'Lead Source picklist value. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			displayOptions,
		},
		{
			displayName: 'Link Company as Account',
			name: 'linkAccount',
			type: 'boolean',
			default: true,
			description:
				'Whether to upsert the billing company as an Account (by Account_Name, with the billing address) and link the contact to it. Orders without a company get no account.',
			displayOptions,
		},
		field('Company', 'accountName', '={{ $json.billing.company }}', 'Account_Name of the linked account', {
			displayOptions: { show: { ...displayOptions.show, linkAccount: [true] } },
		}),
		customFieldsProperty('Contacts', 'getContactFields', displayOptions),
		zohoFieldsMapper('Contacts', 'getContactMapperFields', displayOptions),
	];
}

/** Deal parameters. */
export function dealProperties(displayOptions: DisplayOptions): INodeProperties[] {
	return [
		{
			displayName: 'Deal Name',
			name: 'dealName',
			type: 'string',
			default: '',
			placeholder: 'WooCommerce Order #727 (John Doe)',
			description:
				'Leave empty for "WooCommerce Order #727 (John Doe)": the billing name, else the email, else the order number alone',
			displayOptions,
		},
		{
			displayName: 'Stage Name or ID',
			name: 'stage',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getDealStages' },
			// Zoho's standard picklist value: a working default beats an empty one for a no-code user
			default: 'Closed Won',
			required: true,
			description:
				'Deal stage (from your Zoho Stage picklist). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			displayOptions,
		},
		{
			displayName: 'Pipeline Name or ID',
			name: 'pipeline',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getDealPipelines' },
			default: '',
			description:
				'Only sent when your org uses pipelines (then Zoho requires it); leave empty for the first pipeline Zoho lists. The stage must belong to it. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			displayOptions,
		},
		{
			displayName: 'Closing Date',
			name: 'closingDate',
			type: 'string',
			default: '={{ $json.date_created }}',
			description: 'Order date; sent as yyyy-MM-dd',
			displayOptions,
		},
		{
			displayName: 'Amount',
			name: 'amount',
			type: 'string',
			default: '={{ $json.total }}',
			description: 'Order total as placed (refunds are listed in the description, not subtracted)',
			displayOptions,
		},
		currencyProperty(displayOptions),
		...linkedRecordProperties(
			'contact',
			'Zoho contact to link (Contact_Name); by default the one the Upsert Contact step before this one wrote',
			displayOptions,
		),
		...linkedRecordProperties(
			'account',
			'Zoho account to link (Account_Name); empty for orders without a company',
			displayOptions,
		),
		{
			displayName: 'Type',
			name: 'type',
			type: 'string',
			default: 'New Business',
			description: 'Deal Type picklist value; empty sends none',
			displayOptions,
		},
		{
			displayName: 'Lead Source Name or ID',
			name: 'leadSource',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getDealLeadSources' },
			// Zoho's standard picklist value: a working default beats an empty one for a no-code user
			default: 'Online Store',
			description:
				'Lead Source picklist value. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			displayOptions,
		},
		{
			displayName: 'Description',
			name: 'description',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			description:
				'Leave empty for the order summary: items with quantities and SKUs, shipping, fees, discounts, tax, total, payment method and refunds',
			displayOptions,
		},
		...orderIdProperties(displayOptions),
		customFieldsProperty('Deals', 'getDealFields', displayOptions),
		zohoFieldsMapper('Deals', 'getDealMapperFields', displayOptions),
	];
}
