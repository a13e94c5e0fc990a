import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { WOOCOMMERCE_CREDENTIAL } from '../shared/woocommerce/client';
import { DEFAULT_SKIP_STATUSES, normaliseStatusList, orderStatusOptions } from '../shared/woocommerce/orderStatuses';
import {
	decideDelivery,
	isWooCommercePing,
	parseOrderPayload,
	readDeliveryHeaders,
	verifyWooSignature,
	type SignatureCheck,
	type WooDeliveryHeaders,
} from './delivery';
import {
	checkWebhooksExist,
	createWebhooks,
	deleteWebhooks,
	derivedWebhookSecret,
	getStoredWebhooks,
	secretScope,
} from './webhookRegistration';

/** "Existing Webhook": the secret the user copied from WooCommerce into the credential. */
async function checkExistingWebhookSignature(
	this: IWebhookFunctions,
	rawBody: Buffer,
	headers: WooDeliveryHeaders,
): Promise<SignatureCheck> {
	const credentials = await this.getCredentials(WOOCOMMERCE_CREDENTIAL);
	const secret = String(credentials.webhookSecret ?? '');
	if (!secret) {
		return {
			valid: false,
			reason:
				'no webhook secret is entered: enter the Secret of the WooCommerce webhook in the credential field "Webhook Secret (Existing Webhook)"',
		};
	}
	return verifyWooSignature(rawBody, headers.signature, [secret]);
}

/**
 * "Register Automatically": first the secrets activation stored in this node's static data (no credential read on
 * the common path), then the secret derived from the delivery's webhook id, which every n8n process can compute
 * even when the static data it reads lost them (queue mode, see derivedWebhookSecret).
 */
async function checkRegisteredWebhookSignature(
	this: IWebhookFunctions,
	rawBody: Buffer,
	headers: WooDeliveryHeaders,
): Promise<SignatureCheck> {
	const stored = Object.values(getStoredWebhooks(this.getWorkflowStaticData('node')));
	const sameWebhook = stored.find((entry) => String(entry.id) === headers.webhookId);
	const storedCheck = verifyWooSignature(
		rawBody,
		headers.signature,
		sameWebhook ? [sameWebhook.secret] : stored.map((entry) => entry.secret),
	);
	if (storedCheck.valid || !/^[1-9]\d*$/.test(headers.webhookId ?? '')) return storedCheck;
	const credentials = await this.getCredentials(WOOCOMMERCE_CREDENTIAL);
	const consumerSecret = String(credentials.consumerSecret ?? '');
	if (!consumerSecret) return storedCheck;
	return verifyWooSignature(rawBody, headers.signature, [
		derivedWebhookSecret(consumerSecret, secretScope(this), headers.webhookId as string),
	]);
}

export class WooCommerceOrderTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WooCommerce Order Trigger',
		name: 'wooCommerceOrderTrigger',
		icon: { light: 'file:woocommerce.svg', dark: 'file:woocommerce.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		description: 'Starts the workflow when WooCommerce sends a signed order webhook',
		defaults: {
			name: 'WooCommerce Order Trigger',
		},
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: WOOCOMMERCE_CREDENTIAL,
				required: true,
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: ['order.created'],
				description:
					'Which order webhooks to receive. Order Created often arrives unpaid (status pending); add Order Updated to also get the payment.',
				options: [
					{
						name: 'Order Created',
						value: 'order.created',
						description: 'An order left draft status (placed at checkout, via REST or in the admin)',
					},
					{
						name: 'Order Deleted',
						value: 'order.deleted',
						description: 'An order was moved to the trash; the payload holds only the order ID',
					},
					{
						name: 'Order Restored',
						value: 'order.restored',
						description: 'An order was restored from the trash',
					},
					{
						name: 'Order Updated',
						value: 'order.updated',
						description: 'An order changed, e.g. it was paid, refunded or its status changed',
					},
				],
			},
			{
				displayName: 'Webhook Registration',
				name: 'registration',
				type: 'options',
				default: 'automatic',
				options: [
					{
						name: 'Register Automatically',
						value: 'automatic',
						description:
							'Creates one webhook per event in WooCommerce when the workflow is activated and deletes it when deactivated. Needs a Read/Write key of an administrator or shop manager.',
					},
					{
						name: 'Existing Webhook',
						value: 'existing',
						description:
							"You create the webhook in WooCommerce (Settings → Advanced → Webhooks) with this node's URL and paste its secret below",
					},
				],
			},
			{
				displayName:
					"In WooCommerce, create a webhook with Status Active, the topic(s) selected above, API version WP REST API Integration v3 and this node's production URL as Delivery URL, then paste its Secret here",
				name: 'existingNotice',
				type: 'notice',
				default: '',
				displayOptions: {
					show: {
						registration: ['existing'],
					},
				},
			},
			{
				displayName:
					'Enter the Secret of the webhook you created in WooCommerce in this node’s credential (field "Webhook Secret (Existing Webhook)"): there it is stored encrypted, not in the workflow',
				name: 'webhookSecretNotice',
				type: 'notice',
				default: '',
				displayOptions: {
					show: {
						registration: ['existing'],
					},
				},
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Skip Order Statuses',
						name: 'skipStatuses',
						type: 'multiOptions',
						default: ['checkout-draft', 'draft', 'auto-draft'],
						description:
							'Orders with these statuses are acknowledged but not passed on. By default draft orders, which block checkout keeps re-saving while the shopper is on the checkout page.',
						options: orderStatusOptions(),
					},
					{
						displayName: 'Webhook Name',
						name: 'webhookName',
						type: 'string',
						default: '',
						placeholder: 'n8n order sync',
						description:
							'Name of the webhooks created in WooCommerce (Register Automatically only); the topic is appended. Defaults to "n8n" and the workflow name.',
					},
				],
			},
		],
	};


	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('registration', 'automatic') === 'existing') return true;
				return await checkWebhooksExist.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('registration', 'automatic') === 'existing') return true;
				return await createWebhooks.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('registration', 'automatic') === 'existing') return true;
				return await deleteWebhooks.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		// n8n keeps the exact bytes it received on the express request (the signature is computed over them)
		const received: unknown = this.getRequestObject().rawBody;
		const rawBody = Buffer.isBuffer(received)
			? received
			: Buffer.from(typeof received === 'string' ? received : '', 'utf8');
		const headers = readDeliveryHeaders(
			this.getHeaderData() as Record<string, string | string[] | undefined>,
		);

		// The ping must get exactly 200; returning no workflow data makes n8n answer 200 "Webhook call received".
		if (isWooCommercePing(headers, rawBody)) return {};

		const reject = (status: number, body: string): IWebhookResponseData => {
			this.getResponseObject().status(status).send(body).end();
			return { noWebhookResponse: true };
		};

		const registration = this.getNodeParameter('registration', 'automatic') as string;
		const signature =
			registration === 'existing'
				? await checkExistingWebhookSignature.call(this, rawBody, headers)
				: await checkRegisteredWebhookSignature.call(this, rawBody, headers);
		if (!signature.valid) {
			this.logger.warn(`WooCommerce Order Trigger: rejected a delivery: ${signature.reason}`, {
				webhookId: headers.webhookId,
				topic: headers.topic,
			});
			return reject(401, 'Unauthorized');
		}

		const payload = parseOrderPayload(rawBody);
		if (!payload.valid) {
			this.logger.warn(`WooCommerce Order Trigger: rejected a signed delivery: ${payload.reason}`, {
				webhookId: headers.webhookId,
				topic: headers.topic,
			});
			return reject(400, `Bad Request: ${payload.reason}`);
		}

		const events = this.getNodeParameter('events', ['order.created']) as string[] | string;
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const skipStatuses =
			options.skipStatuses === undefined
				? DEFAULT_SKIP_STATUSES
				: normaliseStatusList(options.skipStatuses);
		const decision = decideDelivery(
			headers.topic,
			payload.order,
			Array.isArray(events) ? events : [events],
			skipStatuses,
		);
		if (decision.action === 'acknowledge') {
			this.logger.debug(`WooCommerce Order Trigger: acknowledged without running: ${decision.reason}`);
			return { webhookResponse: { message: `Acknowledged, not processed: ${decision.reason}` } };
		}

		const webhookId = Number(headers.webhookId);
		const json: IDataObject = {
			...(payload.order as IDataObject),
			_woocommerce: {
				topic: headers.topic ?? null,
				webhookId: Number.isInteger(webhookId) ? webhookId : null,
				deliveryId: headers.deliveryId ?? null,
				source: headers.source ?? null,
				receivedAt: new Date().toISOString(),
			},
		};
		return { workflowData: [[{ json }]] };
	}
}
