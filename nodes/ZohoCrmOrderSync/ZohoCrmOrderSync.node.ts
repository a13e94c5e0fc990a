import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import * as account from './actions/account/Account.resource';
import * as contact from './actions/contact/Contact.resource';
import * as deal from './actions/deal/Deal.resource';
import * as order from './actions/order/Order.resource';
import * as setUpOrderIdField from './actions/orderIdField/setUp.operation';
import * as product from './actions/product/Product.resource';
import * as salesOrder from './actions/salesOrder/SalesOrder.resource';
import { router } from './actions/router';
import { listSearch, loadOptions, resourceMapping } from './methods';

export class ZohoCrmOrderSync implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zoho CRM Order Sync',
		name: 'zohoCrmOrderSync',
		icon: { light: 'file:zohoCrm.svg', dark: 'file:zohoCrm.dark.svg' },
		group: ['transform'],
		// 2: resource locators for Contact / Account / Deal, and the "Zoho Fields" resource mapper instead of the
		// "Custom Fields" collection; version-1 nodes in saved workflows keep their parameters (@version display options)
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Write WooCommerce orders to Zoho CRM (API v8) exactly once: contacts by email, accounts by company, one deal or sales order per order, with retries and structured errors',
		defaults: { name: 'Zoho CRM Order Sync' },
		usableAsTool: {
			replacements: {
				description:
					'Write one WooCommerce order (as JSON) to Zoho CRM without duplicates: find or create the Contact by email, the Account by company, and exactly one Deal or Sales Order per order id. Safe to call again for the same order; it updates instead of duplicating.',
			},
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
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

	methods = { listSearch, loadOptions, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
