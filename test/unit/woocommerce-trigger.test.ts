import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Request, Response } from 'express';
import { NodeApiError, type IDataObject, type IHookFunctions, type INode, type INodeParameters, type IWebhookFunctions } from 'n8n-workflow';

import { WooCommerceStoreApi } from '../../credentials/WooCommerceStoreApi.credentials';
import { WooCommerceOrderTrigger } from '../../nodes/WooCommerceOrderTrigger/WooCommerceOrderTrigger.node';
import { derivedWebhookSecret } from '../../nodes/WooCommerceOrderTrigger/webhookRegistration';
import {
	WooCommerceEmulator,
	phpJsonEncode,
	sampleOrder,
	wcSignature,
} from '../emulators/woocommerce';
import {
	hookContext as coreHookContext,
	n8nHttpRequest,
	recordedLogger,
	TestCredentialsHelper,
	webhookContext as coreWebhookContext,
	workflowFor,
} from '../support/n8nCoreContext';

const node: INode = {
	id: 'node-1',
	name: 'WooCommerce Order Trigger',
	type: 'n8n-nodes-woocommerce-zohocrm.wooCommerceOrderTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const trigger = new WooCommerceOrderTrigger();
const credentialType = new WooCommerceStoreApi();

interface HookSetup {
	credentials: IDataObject;
	params?: IDataObject;
	staticData: IDataObject;
	/** The node's production webhook URL: `<webhook base>/<webhook id>/webhook`. */
	webhookUrl: string;
}

/** The trigger node in a workflow named "Orders to Zoho", with its parameters, credential and static data. */
function coreOptions(setup: { credentials?: IDataObject; params?: IDataObject; staticData: IDataObject; webhookUrl?: string }) {
	const [, webhookBaseUrl, webhookId] = /^(.*)\/([^/]+)\/webhook$/.exec(setup.webhookUrl ?? 'http://127.0.0.1/webhook/test/webhook')!;
	const triggerNode: INode = {
		...node,
		webhookId,
		parameters: (setup.params ?? {}) as INodeParameters,
		credentials: { wooCommerceStoreApi: { id: 'woo-1', name: 'Store' } },
	};
	const credentialsHelper = new TestCredentialsHelper(credentialType, { stored: setup.credentials ?? {}, tokenRequests: 0 });
	const workflow = workflowFor(triggerNode, trigger, { staticData: setup.staticData, name: 'Orders to Zoho' });
	return { workflow, node: triggerNode, credentialsHelper, webhookBaseUrl };
}

/** n8n-core's own HookContext: the credential signs each request and n8n-core sends it to the emulator. */
function hookContext(setup: HookSetup) {
	const context = coreHookContext(coreOptions(setup));
	recordedLogger(context);
	return context as unknown as IHookFunctions & { logger: ReturnType<typeof recordedLogger> };
}

interface WebhookSetup {
	rawBody: Buffer;
	headers: Record<string, string | string[] | undefined>;
	params?: IDataObject;
	staticData: IDataObject;
	credentials?: IDataObject;
}

/** n8n-core's own WebhookContext around one request; the response object records what the node sent. */
function webhookContext(setup: WebhookSetup) {
	const sent: { status?: number; body?: string; ended: boolean } = { ended: false };
	const response = {
		status(code: number) {
			sent.status = code;
			return response;
		},
		send(body: string) {
			sent.body = body;
			return response;
		},
		end() {
			sent.ended = true;
		},
	};
	const request = { rawBody: setup.rawBody, headers: setup.headers };
	const context = coreWebhookContext({
		...coreOptions(setup),
		request: request as unknown as Request,
		response: response as unknown as Response,
	});
	const logger = recordedLogger(context);
	return { context: context as IWebhookFunctions, logger, sent };
}

/**
 * Plays n8n's webhook server for the trigger: raw bytes in, node.webhook() called, answered like n8n 2.40's
 * webhook-helpers for responseMode onReceived (no workflow data → 200 {"message":"Webhook call received"}).
 */
async function startN8nStandIn(getParams: () => IDataObject, staticData: IDataObject, credentials: () => IDataObject) {
	const emitted: IDataObject[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', async () => {
			const { context, sent } = webhookContext({
				rawBody: Buffer.concat(chunks),
				headers: req.headers,
				params: getParams(),
				staticData,
				credentials: credentials(),
			});
			const result = await trigger.webhook.call(context);
			if (result.noWebhookResponse) {
				res.writeHead(sent.status ?? 200, { 'Content-Type': 'text/plain' });
				res.end(sent.body ?? '');
				return;
			}
			if (result.workflowData) emitted.push(...result.workflowData[0].map((item) => item.json));
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(
				JSON.stringify(
					result.workflowData
						? { message: 'Workflow was started' }
						: (result.webhookResponse ?? { message: 'Webhook call received' }),
				),
			);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/3f6c1f5e-test/webhook`;
	return {
		url,
		emitted,
		close: async () =>
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

const hooks = trigger.webhookMethods.default;

describe('WooCommerce Order Trigger description', () => {
	it('is a webhook trigger with the contract names and defaults', () => {
		const { description } = trigger;
		expect(description).toMatchObject({
			name: 'wooCommerceOrderTrigger',
			displayName: 'WooCommerce Order Trigger',
			group: ['trigger'],
			inputs: [],
			outputs: ['main'],
			credentials: [{ name: 'wooCommerceStoreApi', required: true }],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		});
		const property = (name: string) => description.properties.find((candidate) => candidate.name === name);
		expect(property('events')?.default).toEqual(['order.created']);
		expect(property('registration')?.default).toBe('automatic');
		// the existing webhook's secret lives in the credential, not in a node parameter
		expect(property('webhookSecret')).toBeUndefined();
		expect(property('webhookSecretNotice')?.displayOptions).toEqual({ show: { registration: ['existing'] } });
		const skip = (property('options')?.options as Array<{ name: string; default?: unknown }>).find(
			(option) => option.name === 'skipStatuses',
		);
		expect(skip?.default).toEqual(['checkout-draft', 'draft', 'auto-draft']);
	});
});

describe('WooCommerce Order Trigger webhook lifecycle (against the emulator)', () => {
	let woo: WooCommerceEmulator;
	let staticData: IDataObject;
	let credentials: IDataObject;
	// Nothing listens on port 9, so WooCommerce's pings fail fast (their result is ignored on create).
	const webhookUrl = 'http://127.0.0.1:9/webhook/3f6c1f5e-test/webhook';

	beforeEach(async () => {
		woo = await WooCommerceEmulator.start();
		staticData = {};
		credentials = { url: `${woo.url}/`, consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret };
	});
	afterEach(async () => await woo.stop());

	const context = (params: IDataObject = {}, url = webhookUrl) =>
		hookContext({ credentials, params, staticData, webhookUrl: url });

	/** A webhook created by someone else through the REST API (its ping goes nowhere). */
	async function createForeignWebhook(deliveryUrl: string, topic = 'order.created') {
		// another client, as over HTTPS (Basic auth); the node under test signs with OAuth 1.0a over http://
		woo.ssl = true;
		try {
			return await n8nHttpRequest({
				url: `${woo.url}/wp-json/wc/v3/webhooks`,
				method: 'POST',
				auth: { username: woo.consumerKey, password: woo.consumerSecret },
				body: { topic, delivery_url: deliveryUrl, secret: 'foreign' },
				json: true,
			});
		} finally {
			woo.ssl = false;
		}
	}

	it('with no parameters set registers order.created with a secret derived from the webhook id and the consumer secret', async () => {
		const ctx = context();
		expect(await hooks.checkExists.call(ctx)).toBe(false);
		expect(await hooks.create.call(ctx)).toBe(true);
		expect(woo.webhooks).toHaveLength(1);
		const [webhook] = woo.webhooks;
		expect(webhook).toMatchObject({ topic: 'order.created', delivery_url: webhookUrl, status: 'active' });
		expect(webhook.name).toBe('n8n Orders to Zoho (order.created)');
		expect(webhook.secret).toMatch(/^[0-9a-f]{64}$/);
		const scope = { workflowId: String(ctx.getWorkflow().id), nodeId: ctx.getNode().id };
		expect(webhook.secret).toBe(derivedWebhookSecret(woo.consumerSecret, scope, webhook.id));
		expect(webhook.secret).not.toBe(derivedWebhookSecret('cs_other', scope, webhook.id));
		expect(webhook.secret).not.toBe(derivedWebhookSecret(woo.consumerSecret, { ...scope, workflowId: 'other' }, webhook.id));
		expect(webhook.secret).not.toContain(woo.consumerSecret);
		expect(staticData).toEqual({ webhooks: { 'order.created': { id: webhook.id, secret: webhook.secret } } });
		expect(await hooks.checkExists.call(ctx)).toBe(true);
	});

	it('creates one webhook per selected topic, each with its own secret', async () => {
		const ctx = context({ events: ['order.created', 'order.updated'], options: { webhookName: 'Shop sync' } });
		await hooks.create.call(ctx);
		expect(woo.webhooks.map((webhook) => [webhook.topic, webhook.name])).toEqual([
			['order.created', 'Shop sync (order.created)'],
			['order.updated', 'Shop sync (order.updated)'],
		]);
		expect(woo.webhooks[0].secret).not.toBe(woo.webhooks[1].secret);
		expect(await hooks.checkExists.call(ctx)).toBe(true);
		// Selecting one more topic makes the registration incomplete: everything is removed and re-created.
		const wider = context({ events: ['order.created', 'order.updated', 'order.deleted'] });
		expect(await hooks.checkExists.call(wider)).toBe(false);
		expect(woo.webhooks).toHaveLength(0);
		expect(staticData.webhooks).toBeUndefined();
	});

	it('finds its webhook on page 2 when the store has more than 100 webhooks', async () => {
		const ctx = context();
		await hooks.create.call(ctx);
		for (let i = 0; i < 150; i++) await createForeignWebhook(`http://127.0.0.1:9/other/${i}`);
		woo.calls.length = 0;
		expect(await hooks.checkExists.call(ctx)).toBe(true);
		const listCalls = woo.calls.filter((call) => call.method === 'GET' && call.path === '/wp-json/wc/v3/webhooks');
		expect(listCalls.map((call) => [call.query.page, call.query.per_page])).toEqual([
			['1', '100'],
			['2', '100'],
		]);
		expect(woo.webhooks).toHaveLength(151);
	});

	it('deletes an orphaned webhook (no stored secret) with force=true and reports it missing', async () => {
		await createForeignWebhook(webhookUrl);
		await createForeignWebhook('http://127.0.0.1:9/keep');
		const ctx = context();
		expect(await hooks.checkExists.call(ctx)).toBe(false);
		expect(woo.webhooks.map((webhook) => webhook.delivery_url)).toEqual(['http://127.0.0.1:9/keep']);
		expect(woo.calls).toContainEqual({
			method: 'DELETE',
			path: '/wp-json/wc/v3/webhooks/1',
			query: expect.objectContaining({ force: 'true' }),
			status: 200,
		});
		await hooks.create.call(ctx);
		expect(await hooks.checkExists.call(ctx)).toBe(true);
	});

	it('replaces a stored webhook that WooCommerce disabled after failed deliveries', async () => {
		const ctx = context();
		await hooks.create.call(ctx);
		woo.webhooks[0].status = 'disabled';
		expect(await hooks.checkExists.call(ctx)).toBe(false);
		expect(woo.webhooks).toHaveLength(0);
		expect(staticData.webhooks).toBeUndefined();
	});

	it('keeps verified webhooks and removes a stray one for a topic no longer selected', async () => {
		await hooks.create.call(context({ events: ['order.created', 'order.updated'] }));
		const ctx = context({ events: ['order.created'] });
		expect(await hooks.checkExists.call(ctx)).toBe(true);
		expect(woo.webhooks.map((webhook) => webhook.topic)).toEqual(['order.created']);
		expect(Object.keys(staticData.webhooks as IDataObject)).toEqual(['order.created']);
	});

	it('rolls back and reports WooCommerce’s own message when a webhook cannot be created', async () => {
		const ctx = context({ events: ['order.created', 'order.paid'] });
		const error = await hooks.create.call(ctx).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).message).toBe('Webhook topic is required and must be valid.');
		expect((error as NodeApiError).httpCode).toBe('400');
		expect(woo.webhooks).toHaveLength(0);
		expect(staticData.webhooks).toBeUndefined();
	});

	it('surfaces authentication errors with WooCommerce’s message', async () => {
		credentials.consumerSecret = 'cs_wrong';
		const error = await hooks.create.call(context()).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(NodeApiError);
		// over http:// the store checks the OAuth 1.0a signature, keyed with the (wrong) secret
		expect((error as NodeApiError).message).toBe('Invalid signature - provided signature does not match.');
		expect((error as NodeApiError).httpCode).toBe('401');
		expect((error as NodeApiError).description).toContain('woocommerce_rest_authentication_error');
	});

	it('over http:// sends only the OAuth signature, even when includeCredentialsInQuery is set', async () => {
		credentials.includeCredentialsInQuery = true;
		await hooks.create.call(context());
		const createCall = woo.calls.find((call) => call.method === 'POST');
		expect(createCall?.query.consumer_secret).toBeUndefined();
		expect(createCall?.query).toMatchObject({ oauth_consumer_key: woo.consumerKey });
		expect(createCall?.status).toBe(201);
	});

	it('deletes with force=true, treats 404 as deleted and clears static data', async () => {
		const ctx = context({ events: ['order.created', 'order.updated'] });
		await hooks.create.call(ctx);
		woo.webhooks.splice(0, 1); // removed in the WooCommerce admin meanwhile
		woo.calls.length = 0;
		expect(await hooks.delete.call(ctx)).toBe(true);
		expect(woo.webhooks).toHaveLength(0);
		expect(woo.calls.map((call) => [call.method, call.query.force, call.status])).toEqual([
			['DELETE', 'true', 404],
			['DELETE', 'true', 200],
		]);
		expect(staticData.webhooks).toBeUndefined();
		expect(await hooks.delete.call(ctx)).toBe(true);
	});

	it('keeps a webhook in static data when deleting it fails for another reason', async () => {
		const ctx = context();
		await hooks.create.call(ctx);
		credentials.consumerSecret = 'cs_wrong';
		expect(await hooks.delete.call(ctx)).toBe(false);
		expect(Object.keys(staticData.webhooks as IDataObject)).toEqual(['order.created']);
		expect(ctx.logger.warn).toHaveBeenCalled();
	});

	it('does nothing in Existing Webhook mode', async () => {
		const ctx = context({ registration: 'existing', webhookSecret: 'pasted' });
		expect(await hooks.checkExists.call(ctx)).toBe(true);
		expect(await hooks.create.call(ctx)).toBe(true);
		expect(await hooks.delete.call(ctx)).toBe(true);
		expect(woo.calls).toEqual([]);
	});
});

describe('WooCommerce Order Trigger end to end with emulator deliveries', () => {
	let woo: WooCommerceEmulator;
	let n8n: Awaited<ReturnType<typeof startN8nStandIn>>;
	let staticData: IDataObject;
	let params: IDataObject;
	let credentials: IDataObject;

	beforeEach(async () => {
		woo = await WooCommerceEmulator.start();
		staticData = {};
		params = {};
		credentials = { url: woo.url, consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret };
		n8n = await startN8nStandIn(() => params, staticData, () => credentials);
		const ctx = hookContext({ credentials, params, staticData, webhookUrl: n8n.url });
		await trigger.webhookMethods.default.create.call(ctx);
	});
	afterEach(async () => {
		await n8n.close();
		await woo.stop();
	});

	it('answers the creation ping with exactly 200 and emits a signed order once', async () => {
		expect(woo.outbound[0]).toMatchObject({ kind: 'ping', status: 200 });
		expect(woo.outbound[0].responseBody).toBe('{"message":"Webhook call received"}');
		expect(woo.webhooks[0].pending_delivery).toBe(false);
		expect(n8n.emitted).toEqual([]);

		const order = woo.addOrder() as IDataObject;
		const [result] = await woo.deliver('order.created', order);
		expect(result.status).toBe(200);
		expect(n8n.emitted).toHaveLength(1);
		const { _woocommerce: meta, ...emittedOrder } = n8n.emitted[0];
		expect(emittedOrder).toEqual(order);
		expect(meta).toEqual({
			topic: 'order.created',
			webhookId: woo.webhooks[0].id,
			deliveryId: woo.outbound[1].headers['X-WC-Webhook-Delivery-ID'],
			source: `${woo.url}/`,
			receivedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
		});
	});

	it('accepts signed orders when the static data it reads lost the stored secrets (queue mode), by the derived secret', async () => {
		// In queue mode the webhook process reads static data from the database, where a worker's poll execution
		// can have rewritten it without the webhooks entry.
		delete staticData.webhooks;
		const [result] = await woo.deliver('order.created', sampleOrder());
		expect(result.status).toBe(200);
		expect(n8n.emitted.map((order) => order.id)).toEqual([727]);
		// the derived secret depends on the consumer secret: with other keys the same delivery is refused
		credentials = { ...credentials, consumerSecret: 'cs_other' };
		const [refused] = await woo.deliver('order.created', sampleOrder());
		expect(refused).toMatchObject({ status: 401, body: 'Unauthorized' });
		expect(n8n.emitted).toHaveLength(1);
	});

	it('answers 401 to a wrong signature and WooCommerce counts the failure', async () => {
		const [result] = await woo.deliver('order.created', sampleOrder(), { secret: woo.consumerSecret });
		expect(result).toMatchObject({ status: 401, body: 'Unauthorized' });
		expect(n8n.emitted).toEqual([]);
		expect(woo.webhooks[0].failure_count).toBe(1);
		const [unsigned] = await woo.deliver('order.created', sampleOrder(), { signature: '' });
		expect(unsigned.status).toBe(401);
	});

	it('acknowledges draft orders with 200 without emitting them', async () => {
		const [result] = await woo.deliver('order.created', sampleOrder({ status: 'checkout-draft' }));
		expect(result.status).toBe(200);
		expect(JSON.parse(result.body).message).toContain('checkout-draft');
		expect(n8n.emitted).toEqual([]);
		expect(woo.webhooks[0].failure_count).toBe(0);
	});

	it('answers 400 to a signed error payload and to a signed non-JSON body', async () => {
		const webhookId = woo.webhooks[0].id;
		const errorBody = phpJsonEncode({
			code: 'woocommerce_rest_cannot_view',
			message: 'Sorry, you cannot view this resource.',
			data: { status: 401 },
		});
		const errorResult = await woo.deliverRaw(webhookId, errorBody);
		expect(errorResult.status).toBe(400);
		expect(errorResult.body).toContain('woocommerce_rest_cannot_view');
		const textResult = await woo.deliverRaw(webhookId, 'order=727');
		expect(textResult.status).toBe(400);
		expect(n8n.emitted).toEqual([]);
	});

	it('acknowledges a topic that is not selected', async () => {
		const webhookId = woo.webhooks[0].id;
		const body = phpJsonEncode(sampleOrder());
		const result = await woo.deliverRaw(webhookId, body, {
			'X-WC-Webhook-Topic': 'order.updated',
			'X-WC-Webhook-Event': 'updated',
		});
		expect(result.status).toBe(200);
		expect(n8n.emitted).toEqual([]);
	});
});

describe('WooCommerce Order Trigger webhook() responses', () => {
	const secret = 'f'.repeat(64);
	const stored = () => ({ webhooks: { 'order.created': { id: 7, secret } } });
	const signedHeaders = (body: string, overrides: Record<string, string> = {}) => ({
		'x-wc-webhook-topic': 'order.created',
		'x-wc-webhook-resource': 'order',
		'x-wc-webhook-event': 'created',
		'x-wc-webhook-id': '7',
		'x-wc-webhook-delivery-id': 'a'.repeat(32),
		'x-wc-webhook-source': 'https://shop.example/',
		'x-wc-webhook-signature': wcSignature(body, secret),
		...overrides,
	});

	it('answers the ping through n8n’s default 200 without touching the response', async () => {
		const { context, sent } = webhookContext({
			rawBody: Buffer.from('webhook_id=7'),
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			staticData: {},
		});
		expect(await trigger.webhook.call(context)).toEqual({});
		expect(sent.status).toBeUndefined();
	});

	it('with no secret stored answers 401 unless the signature uses the secret derived from X-WC-Webhook-ID', async () => {
		const body = phpJsonEncode(sampleOrder());
		const { context, sent, logger } = webhookContext({
			rawBody: Buffer.from(body),
			headers: signedHeaders(body),
			staticData: {},
			credentials: { consumerSecret: 'cs_test' },
		});
		expect(await trigger.webhook.call(context)).toEqual({ noWebhookResponse: true });
		expect(sent).toEqual({ status: 401, body: 'Unauthorized', ended: true });
		expect(logger.warn.mock.calls[0][0]).toContain('does not match the webhook secret');

		const derived = derivedWebhookSecret(
			'cs_test',
			{ workflowId: String(context.getWorkflow().id), nodeId: context.getNode().id },
			7,
		);
		const signed = webhookContext({
			rawBody: Buffer.from(body),
			headers: signedHeaders(body, { 'x-wc-webhook-signature': wcSignature(body, derived) }),
			staticData: {},
			credentials: { consumerSecret: 'cs_test' },
		});
		expect((await trigger.webhook.call(signed.context)).workflowData?.[0][0].json).toMatchObject({ id: 727 });
		// signed for webhook 7 but claiming to be webhook 8: refused
		const otherId = webhookContext({
			rawBody: Buffer.from(body),
			headers: signedHeaders(body, { 'x-wc-webhook-id': '8', 'x-wc-webhook-signature': wcSignature(body, derived) }),
			staticData: {},
			credentials: { consumerSecret: 'cs_test' },
		});
		expect(await trigger.webhook.call(otherId.context)).toEqual({ noWebhookResponse: true });
		expect(otherId.sent.status).toBe(401);
	});

	it('answers 401 to a bad signature and 400 to a signed error body', async () => {
		const body = phpJsonEncode(sampleOrder());
		const bad = webhookContext({
			rawBody: Buffer.from(body),
			headers: signedHeaders(body, { 'x-wc-webhook-signature': wcSignature(body, 'nope') }),
			staticData: stored(),
		});
		expect(await trigger.webhook.call(bad.context)).toEqual({ noWebhookResponse: true });
		expect(bad.sent.status).toBe(401);

		const errorBody = '{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot view this resource.","data":{"status":401}}';
		const error = webhookContext({ rawBody: Buffer.from(errorBody), headers: signedHeaders(errorBody), staticData: stored() });
		expect(await trigger.webhook.call(error.context)).toEqual({ noWebhookResponse: true });
		expect(error.sent.status).toBe(400);
		expect(error.logger.warn.mock.calls[0][0]).toContain('woocommerce_rest_cannot_view');
	});

	it('tries every stored secret when X-WC-Webhook-ID is unknown', async () => {
		const body = phpJsonEncode(sampleOrder());
		const { context } = webhookContext({
			rawBody: Buffer.from(body),
			headers: signedHeaders(body, { 'x-wc-webhook-id': '999' }),
			staticData: { webhooks: { 'order.updated': { id: 8, secret: 'x'.repeat(64) }, 'order.created': { id: 7, secret } } },
		});
		const result = await trigger.webhook.call(context);
		expect(result.workflowData?.[0]).toHaveLength(1);
	});

	it('checks the secret from the credential in Existing Webhook mode', async () => {
		const body = phpJsonEncode(sampleOrder({ status: 'pending' }));
		const params = { registration: 'existing' };
		const good = webhookContext({
			rawBody: Buffer.from(body),
			headers: signedHeaders(body),
			params,
			staticData: {},
			credentials: { webhookSecret: secret },
		});
		const result = await trigger.webhook.call(good.context);
		expect(result.workflowData?.[0][0].json).toMatchObject({ id: 727, status: 'pending' });
		// a secret left in the old node parameter is not read (n8n drops parameters the node no longer describes)
		const legacy = webhookContext({
			rawBody: Buffer.from(body),
			headers: signedHeaders(body),
			params: { registration: 'existing', webhookSecret: secret },
			staticData: {},
		});
		expect(await trigger.webhook.call(legacy.context)).toEqual({ noWebhookResponse: true });
		expect(legacy.sent.status).toBe(401);
		const wrong = webhookContext({
			rawBody: Buffer.from(body),
			headers: signedHeaders(body),
			params,
			staticData: {},
			credentials: { webhookSecret: 'other' },
		});
		expect(await trigger.webhook.call(wrong.context)).toEqual({ noWebhookResponse: true });
		expect(wrong.sent.status).toBe(401);
	});

	it('emits drafts when the skip list is emptied, and skips configured statuses', async () => {
		const body = phpJsonEncode(sampleOrder({ status: 'checkout-draft' }));
		const emptied = webhookContext({
			rawBody: Buffer.from(body),
			headers: signedHeaders(body),
			params: { options: { skipStatuses: [] } },
			staticData: stored(),
		});
		expect((await trigger.webhook.call(emptied.context)).workflowData).toBeDefined();

		const failed = phpJsonEncode(sampleOrder({ status: 'failed' }));
		const skipped = webhookContext({
			rawBody: Buffer.from(failed),
			headers: signedHeaders(failed),
			params: { options: { skipStatuses: ['failed'] } },
			staticData: stored(),
		});
		const result = await trigger.webhook.call(skipped.context);
		expect(result.workflowData).toBeUndefined();
		expect(result.webhookResponse).toEqual({ message: 'Acknowledged, not processed: order 727 has status failed, which is skipped' });
	});
});
