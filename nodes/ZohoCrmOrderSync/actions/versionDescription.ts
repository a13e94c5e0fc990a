import type { INodeTypeDescription } from 'n8n-workflow';

import * as account from './account/Account.resource';
import * as contact from './contact/Contact.resource';
import * as deal from './deal/Deal.resource';
import * as order from './order/Order.resource';
import * as setUpOrderIdField from './orderIdField/setUp.operation';
import * as product from './product/Product.resource';
import * as salesOrder from './salesOrder/SalesOrder.resource';

export const versionDescription: INodeTypeDescription = {
	displayName: 'Zoho CRM Order Sync',
	name: 'zohoCrmOrderSync',
	icon: 'file:zohoCrm.svg',
	group: ['transform'],
	version: 1,
	subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
	description:
		'Write WooCommerce orders to Zoho CRM (API v8) exactly once: contacts by email, accounts by company, one deal or sales order per order, with retries and structured errors',
	defaults: { name: 'Zoho CRM Order Sync' },
	usableAsTool: true,
	inputs: ['main'],
	outputs: ['main'],
	credentials: [
		{
			name: 'zohoCrmOAuth2Api',
			required: true,
			displayOptions: { show: { authentication: ['oAuth2'] } },
		},
		{
			name: 'zohoCrmRefreshTokenApi',
			required: true,
			displayOptions: { show: { authentication: ['refreshToken'] } },
		},
	],
	properties: [
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'OAuth2 (Connect With Zoho)', value: 'oAuth2' },
				{ name: 'Self Client (Refresh Token)', value: 'refreshToken' },
			],
			default: 'oAuth2',
		},
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Account', value: 'account' },
				{ name: 'Contact', value: 'contact' },
				{ name: 'Deal', value: 'deal' },
				{ name: 'Order', value: 'order' },
				{ name: 'Product', value: 'product' },
				{ name: 'Sales Order', value: 'salesOrder' },
			],
			default: 'contact',
		},
		...account.description,
		...contact.description,
		...deal.description,
		...order.description,
		...product.description,
		...salesOrder.description,
		...setUpOrderIdField.description,
	],
};
