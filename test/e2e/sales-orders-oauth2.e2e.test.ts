/**
 * In a real n8n 2.40.7, against the WooCommerce and Zoho CRM emulators:
 * - the bundled sales-order workflow (imported unchanged): contact + sales order with line items as Zoho Products,
 *   exactly once per order, totals checked to the cent;
 * - the deals workflow switched to the "Zoho CRM OAuth2 API" credential (n8n's own OAuth2 token refresh).
 * The import check asserts that every bundled workflow imports without warnings and uses only known node types.
 */
import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';

import { runCli, startN8n } from '../n8n/harness';
import type { N8nInstance } from '../n8n/harness';
import { WooCommerceEmulator } from '../emulators/woocommerce';
import { ZohoEmulator } from '../emulators/zoho';
import {
	credentialRef,
	e2eTest,
	setUpOrderIdFields,
	setUpOrderIdFieldWorkflow,
	stopAllAfterwards,
	wooCommerceCredential,
	zohoRefreshTokenCredential,
} from './support';

const WORKFLOWS = join(__dirname, '..', '..', 'workflows');
const load = (file: string) => JSON.parse(readFileSync(join(WORKFLOWS, file), 'utf8'));
const salesOrderWorkflow = load('woocommerce-to-zohocrm-sales-orders.json');
/** The reconciliation workflow, set to backfill every order changed since 2020 and to poll every minute. */
function backfillWorkflow() {
	const workflow = load('woocommerce-reconcile.json');
	const trigger = workflow.nodes.find((node: any) => node.type.endsWith('.wooCommerceOrderPollTrigger'));
	trigger.parameters = { ...trigger.parameters, startFrom: '2020-01-01T00:00:00', pollTimes: { item: [{ mode: 'everyMinute' }] } };
	return workflow;
}
const mismatchOrder = JSON.parse(
	readFileSync(join(__dirname, '..', 'fixtures', 'orders', 'tax-rounding-mismatch.json'), 'utf8'),
);

/**
 * The sales-order workflow with Taxes = "Zoho Taxes by Name", on order.restored (so it shares no deliveries): the
 * emulated org's "MwSt." is 20 % and its tax rates cannot be changed per record, so Zoho computes another total
 * than WooCommerce's 19 % — only visible after the write.
 */
const ORG_TAXES_WEBHOOK_ID = '7c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e';
const ORG_TAXES_SECRET = 'e2eOrgTaxesSecret0123456789';
const EXISTING_WEBHOOK_CREDENTIAL = { id: 'e2eWooExistingWebhook', name: 'WooCommerce (existing webhook)' };
function orgTaxesWorkflow() {
	const workflow = load('woocommerce-to-zohocrm-sales-orders.json');
	workflow.id = 'e2eSalesOrdersOrgTaxes';
	workflow.name = 'E2E: sales orders with Zoho taxes';
	for (const node of workflow.nodes) {
		if (node.type.endsWith('.wooCommerceOrderTrigger')) {
			// a webhook the shop admin created by hand (added to the WooCommerce emulator in beforeAll)
			node.webhookId = ORG_TAXES_WEBHOOK_ID;
			node.parameters = { events: ['order.restored'], registration: 'existing' };
			// the hand-made webhook's secret lives in the credential (issue 7), not in the workflow
			node.credentials = { wooCommerceStoreApi: EXISTING_WEBHOOK_CREDENTIAL };
		}
		if (node.name === 'Create Sales Order') node.parameters.taxMode = 'orgTaxes';
	}
	return workflow;
}

const OAUTH2_CREDENTIAL = { id: 'e2eZohoOAuth2', name: 'Zoho CRM OAuth2 (e2e)' };
const REVOKED_OAUTH2_CREDENTIAL = { id: 'e2eZohoOAuth2Revoked', name: 'Zoho CRM OAuth2 (revoked token)' };
/** The deals workflow with every Zoho node on OAuth2, listening to order.updated so it does not share deliveries. */
function oauth2Workflow() {
	const workflow = load('woocommerce-to-zohocrm.json');
	workflow.id = 'e2eDealsOAuth2';
	workflow.name = 'E2E: deals over OAuth2';
	for (const node of workflow.nodes) {
		if (node.type.endsWith('.wooCommerceOrderTrigger')) {
			node.webhookId = '0b7e3c1a-9d2f-4e8b-a6c5-1f2e3d4c5b6a';
			node.parameters = { events: ['order.updated'] };
		}
		if (node.credentials?.zohoCrmRefreshTokenApi) {
			node.parameters.authentication = 'oAuth2';
			node.credentials = { zohoCrmOAuth2Api: OAUTH2_CREDENTIAL };
		}
	}
	return workflow;
}

const ZOHO_TYPE = 'n8n-nodes-woocommerce-zohocrm.zohoCrmOrderSync';
const mapperField = (id: string, type: string) => ({
	id,
	displayName: id,
	required: false,
	defaultMatch: false,
	display: true,
	type,
	canBeUsedToMatch: false,
});
/**
 * Version 2 of Zoho CRM Order Sync as the editor saves it: a contact with extra fields from the "Zoho Fields"
 * resource mapper, then a deal whose Contact comes from the resource locator (By ID, the default expression).
 */
function widgetsWorkflow() {
	const zohoCredentials = { zohoCrmRefreshTokenApi: credentialRef(salesOrderWorkflow, 'zohoCrmRefreshTokenApi') };
	const order = { id: 880001, number: '880001', date_created: '2024-05-06T10:00:00', total: '12.50', currency: 'EUR', billing: { first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com', company: '' } };
	return {
		id: 'e2eZohoV2Widgets',
		name: 'E2E: Zoho node v2 widgets',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'w1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'w2',
				name: 'Order',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [200, 0],
				parameters: { mode: 'raw', jsonOutput: JSON.stringify(order), options: {} },
			},
			{
				id: 'w3',
				name: 'Upsert Contact v2',
				type: ZOHO_TYPE,
				typeVersion: 2,
				position: [400, 0],
				credentials: zohoCredentials,
				parameters: {
					authentication: 'refreshToken',
					resource: 'contact',
					operation: 'upsert',
					zohoFields: {
						mappingMode: 'defineBelow',
						value: { Title: 'Rear Admiral', Email_Opt_Out: true, Date_of_Birth: '1906-12-09' },
						matchingColumns: [],
						schema: [
							mapperField('Title', 'string'),
							mapperField('Email_Opt_Out', 'boolean'),
							mapperField('Date_of_Birth', 'dateTime'),
						],
					},
				},
			},
			{
				id: 'w4',
				name: 'Create Deal v2',
				type: ZOHO_TYPE,
				typeVersion: 2,
				position: [600, 0],
				credentials: zohoCredentials,
				parameters: {
					authentication: 'refreshToken',
					resource: 'deal',
					operation: 'create',
					contactId: { __rl: true, mode: 'id', value: '={{ $json.zoho.contact.id }}' },
					zohoFields: {
						mappingMode: 'defineBelow',
						value: { Probability: 75, Next_Step: 'Send the invoice' },
						matchingColumns: [],
						schema: [mapperField('Probability', 'number'), mapperField('Next_Step', 'string')],
					},
				},
			},
		],
		connections: {
			Start: { main: [[{ node: 'Order', type: 'main', index: 0 }]] },
			Order: { main: [[{ node: 'Upsert Contact v2', type: 'main', index: 0 }]] },
			'Upsert Contact v2': { main: [[{ node: 'Create Deal v2', type: 'main', index: 0 }]] },
		},
	};
}

let woo: WooCommerceEmulator;
let zoho: ZohoEmulator;
let n8n: N8nInstance;
/** Orders in the store before n8n started: only the backfill can bring them to Zoho. */
let ordersBeforeInstall: any[] = [];
const e2e = e2eTest(() => n8n);
const runs: Record<string, number> = {};

async function deliver(topic: string, workflowId: string, order: any, timeoutMs = 60_000) {
	const answers = await woo.deliver(topic, order);
	expect(answers.map((answer) => answer.status)).toEqual([200]);
	runs[workflowId] = (runs[workflowId] ?? 0) + 1;
	await n8n.waitForExecutions(runs[workflowId], { workflowId, timeoutMs });
}

const salesOrdersFor = (orderId: number) =>
	zoho.records('Sales_Orders').filter((record) => record.WooCommerce_Order_ID === String(orderId));
const tokenCalls = () => zoho.calls.filter((call) => call.path.startsWith('/oauth/v2/token'));

beforeAll(async () => {
	woo = await WooCommerceEmulator.start();
	// a new Professional org whose only tax is a 20 % "MwSt." that records cannot change (the orders say 19 %)
	zoho = await ZohoEmulator.start({ taxes: [{ name: 'MwSt.', value: 20 }], taxRatesModifiable: false });
	ordersBeforeInstall = [woo.addOrder(), woo.addOrder(), woo.addOrder()];
	const zohoCredential = credentialRef(salesOrderWorkflow, 'zohoCrmRefreshTokenApi');
	n8n = await startN8n({
		credentials: [
			wooCommerceCredential(credentialRef(salesOrderWorkflow, 'wooCommerceStoreApi'), woo),
			{
				...wooCommerceCredential(EXISTING_WEBHOOK_CREDENTIAL, woo),
				data: { ...wooCommerceCredential(EXISTING_WEBHOOK_CREDENTIAL, woo).data, webhookSecret: ORG_TAXES_SECRET },
			},
			zohoRefreshTokenCredential(zohoCredential, zoho),
			{
				...OAUTH2_CREDENTIAL,
				type: 'zohoCrmOAuth2Api',
				data: {
					dataCenter: 'custom',
					customAccountsUrl: zoho.url,
					customApiDomain: zoho.url,
					clientId: zoho.clientId,
					clientSecret: zoho.clientSecret,
					// as n8n stores it after "Connect": Zoho's token answer
					oauthTokenData: {
						access_token: zoho.issueAccessToken(),
						refresh_token: zoho.refreshToken,
						api_domain: zoho.url,
						token_type: 'Bearer',
						expires_in: 3600,
					},
				},
			},
			{
				...REVOKED_OAUTH2_CREDENTIAL,
				type: 'zohoCrmOAuth2Api',
				data: {
					dataCenter: 'custom',
					customAccountsUrl: zoho.url,
					customApiDomain: zoho.url,
					clientId: zoho.clientId,
					clientSecret: zoho.clientSecret,
					// no refresh token: n8n cannot get a new access token after Zoho's 401
					oauthTokenData: { access_token: 'revoked', api_domain: zoho.url, token_type: 'Bearer' },
				},
			},
		],
		workflows: [
			salesOrderWorkflow,
			oauth2Workflow(),
			orgTaxesWorkflow(),
			backfillWorkflow(),
			setUpOrderIdFieldWorkflow(zohoCredential),
			widgetsWorkflow(),
		],
		// the reconciliation is published once the order-id fields exist, as a user would set things up
		publish: [salesOrderWorkflow.id, 'e2eDealsOAuth2', 'e2eSalesOrdersOrgTaxes'],
	});
	expect(await setUpOrderIdFields(n8n)).toEqual({ Deals: 'WooCommerce_Order_ID', Sales_Orders: 'WooCommerce_Order_ID' });
	await n8n.activateWorkflow('wcZohoReconcile');
	const now = new Date().toISOString().slice(0, 19);
	woo.webhooks.push({
		id: 900,
		name: 'Sales orders with Zoho taxes',
		status: 'active',
		topic: 'order.restored',
		resource: 'order',
		event: 'restored',
		hooks: ['untrashed_post', 'woocommerce_untrash_order'],
		delivery_url: n8n.webhookUrl(ORG_TAXES_WEBHOOK_ID),
		secret: ORG_TAXES_SECRET,
		api_version: 'wp_api_v3',
		user_id: 1,
		date_created: now,
		date_created_gmt: now,
		date_modified: now,
		date_modified_gmt: now,
		failure_count: 0,
		pending_delivery: false,
	});
}, 300_000);

stopAllAfterwards(() => [n8n, woo, zoho]);

describe('Zoho CRM Self Client credential test in n8n', () => {
	e2e('passes with the emulator’s client and names the data center when Zoho answers invalid_client', async () => {
		const ref = credentialRef(salesOrderWorkflow, 'zohoCrmRefreshTokenApi');
		const test = async (clientSecret: string) => {
			const credential = zohoRefreshTokenCredential(ref, zoho);
			return await n8n.rest('POST', '/credentials/test', {
				credentials: { ...credential, data: { ...credential.data, clientSecret } },
			});
		};
		expect(await test(zoho.clientSecret)).toMatchObject({ status: 'OK' });
		const refused = await test('wrong-secret');
		expect(refused.status).toBe('Error');
		expect(refused.message).toContain('invalid_client');
		expect(refused.message).toMatch(/data center/i);
	});
});

describe('woocommerce-reconcile.json (poll trigger)', () => {
	e2e('orders placed before the install are backfilled into Zoho: one deal each', async () => {
		await n8n.waitForExecutions(1, { workflowId: 'wcZohoReconcile', timeoutMs: 150_000 });
		for (const order of ordersBeforeInstall) {
			expect(zoho.records('Deals').filter((deal) => deal.WooCommerce_Order_ID === String(order.id))).toHaveLength(1);
		}
		const [run] = await n8n.executions('wcZohoReconcile');
		const emitted = await n8n.nodeOutput(run.id, 'WooCommerce Order Poll Trigger');
		expect(emitted.map((order) => order.id)).toEqual(ordersBeforeInstall.map((order) => order.id));
		expect(emitted[0]._woocommerce).toMatchObject({ topic: 'order.poll' });
	}, 180_000);
});

describe('woocommerce-to-zohocrm-sales-orders.json', () => {
	e2e('an order becomes a contact and one sales order whose line items are Zoho products, totals to the cent', async () => {
		const order = woo.addOrder();
		await deliver('order.created', salesOrderWorkflow.id, order);

		const [salesOrder] = salesOrdersFor(order.id);
		expect(salesOrdersFor(order.id)).toHaveLength(1);
		expect(salesOrder.Subject).toBe(`WooCommerce Order #${order.number}`);
		expect(Number(salesOrder.Grand_Total)).toBeCloseTo(Number(order.total), 2);
		const items = salesOrder.Ordered_Items as Array<Record<string, any>>;
		expect(items).toHaveLength(order.line_items.length);
		const products = zoho.records('Products');
		for (const line of order.line_items) {
			const product = products.find((candidate) => candidate.Product_Code === line.sku);
			expect(product).toBeDefined();
			expect(items.some((item) => item.Product_Name.id === product!.id && item.Quantity === line.quantity)).toBe(true);
		}
		const contact = zoho.records('Contacts').find((candidate) => candidate.Email === order.billing.email.toLowerCase());
		expect((salesOrder.Contact_Name as { id: string }).id).toBe(contact!.id);

		// the total Zoho computed was read back after the write
		expect(zoho.apiCalls().filter((call) => call.method === 'GET' && call.path === `/crm/v8/Sales_Orders/${salesOrder.id}`).length).toBeGreaterThanOrEqual(1);

		// delivered again: the same sales order keeps exactly its rows, products are reused
		const productCount = products.length;
		const rowIds = items.map((item) => item.id);
		await deliver('order.created', salesOrderWorkflow.id, order);
		expect(salesOrdersFor(order.id)).toHaveLength(1);
		expect((salesOrdersFor(order.id)[0].Ordered_Items as Array<{ id: string }>).map((item) => item.id)).toEqual(rowIds);
		expect(Number(salesOrdersFor(order.id)[0].Grand_Total)).toBeCloseTo(Number(order.total), 2);
		expect(zoho.records('Products')).toHaveLength(productCount);

		// the order changes: first line 3 instead of 2, the second line removed, a new product added
		const [first] = order.line_items;
		const changed = {
			...order,
			// WooCommerce bumps date_modified on every change (a new order version; the same version is not written again)
			date_modified_gmt: new Date(Date.parse(`${order.date_modified_gmt}Z`) + 60_000).toISOString().slice(0, 19),
			// 27.00 + 5.13 tax + 10.00 + 1.90 tax + shipping 4.90 + 0.93 tax
			total: '49.86',
			line_items: [
				{ ...first, quantity: 3, subtotal: '30.00', total: '27.00', total_tax: '5.13', taxes: [{ id: 1, total: '5.13', subtotal: '5.7' }] },
				{ ...first, id: first.id + 1000, name: 'Woo Mug', product_id: 4242, variation_id: 0, sku: 'MUG-E2E', quantity: 1, price: 10, subtotal: '10.00', total: '10.00', total_tax: '1.90', taxes: [{ id: 1, total: '1.90', subtotal: '1.90' }] },
			],
		};
		await deliver('order.created', salesOrderWorkflow.id, changed);
		const [updated] = salesOrdersFor(order.id);
		expect(salesOrdersFor(order.id)).toHaveLength(1);
		const rows = updated.Ordered_Items as Array<Record<string, any>>;
		expect(rows.map((row) => [row.Product_Name.name, row.Quantity])).toEqual([
			[first.name, 3],
			['Woo Mug', 1],
		]);
		expect(rows[0].id).toBe(rowIds[0]);
		expect(updated.Grand_Total).toBe(49.86);
		expect(zoho.records('Products')).toHaveLength(productCount + 1);
	});

	e2e('Zoho computes another tax than WooCommerce (org tax 20 %, order 19 %): after the write, a dead letter names both totals', async () => {
		const order = woo.addOrder();
		await deliver('order.restored', 'e2eSalesOrdersOrgTaxes', order, 90_000);
		const [salesOrder] = salesOrdersFor(order.id);
		expect(salesOrder.Grand_Total).not.toBe(Number(order.total));
		const rows = (await n8n.dataTableRows('zoho_sync_dead_letters')).filter((row) => row.orderId === order.id);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ category: 'totals_mismatch', failedNode: 'Create Sales Order', status: 'open' });
		// 18.00 + 27.00 at 20 % + 5.83 shipping = 59.83, not 59.38
		expect(salesOrder.Grand_Total).toBe(59.83);
		expect(rows[0].message).toContain(`${order.total} ${order.currency}`);
		expect(rows[0].message).toContain(`59.83 ${order.currency}`);
	}, 120_000);

	e2e('an order whose Zoho total would differ by a cent goes to the dead letters, naming both totals', async () => {
		const order = woo.addOrder({
			line_items: mismatchOrder.line_items,
			tax_lines: mismatchOrder.tax_lines,
			coupon_lines: [],
			shipping_lines: [],
			fee_lines: [],
			discount_total: '0.00',
			discount_tax: '0.00',
			shipping_total: '0.00',
			shipping_tax: '0.00',
			cart_tax: mismatchOrder.cart_tax,
			total_tax: mismatchOrder.total_tax,
			total: mismatchOrder.total,
		});
		await deliver('order.created', salesOrderWorkflow.id, order, 90_000);
		expect(salesOrdersFor(order.id)).toHaveLength(0);
		const rows = (await n8n.dataTableRows('zoho_sync_dead_letters')).filter((row) => row.orderId === order.id);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ category: 'totals_mismatch', failedNode: 'Create Sales Order', status: 'open' });
		expect(rows[0].message).toContain(mismatchOrder.total);
	}, 120_000);
});

describe('Zoho CRM OAuth2 credential', () => {
	e2e('the deals workflow works over OAuth2 and n8n refreshes an expired token by itself', async () => {
		const first = woo.addOrder();
		await deliver('order.updated', 'e2eDealsOAuth2', first);
		expect(zoho.records('Deals').filter((deal) => deal.WooCommerce_Order_ID === String(first.id))).toHaveLength(1);

		zoho.expireAccessTokens();
		const before = tokenCalls().length;
		const second = woo.addOrder();
		await deliver('order.updated', 'e2eDealsOAuth2', second);
		expect(zoho.records('Deals').filter((deal) => deal.WooCommerce_Order_ID === String(second.id))).toHaveLength(1);
		const refreshes = tokenCalls().slice(before);
		expect(refreshes).toHaveLength(1);
		expect(refreshes[0].body).toMatchObject({ grant_type: 'refresh_token', refresh_token: zoho.refreshToken });
		expect(await n8n.dataTableRows('zoho_sync_dead_letters')).toEqual(
			expect.not.arrayContaining([expect.objectContaining({ orderId: second.id })]),
		);
	});
});

describe('n8n’s own widgets and credential tests for Zoho CRM Order Sync v2', () => {
	const refreshCredential = () => ({ zohoCrmRefreshTokenApi: credentialRef(salesOrderWorkflow, 'zohoCrmRefreshTokenApi') });
	const dynamic = async (endpoint: string, body: Record<string, unknown>) =>
		await n8n.rest('POST', `/dynamic-node-parameters/${endpoint}`, {
			nodeTypeAndVersion: { name: ZOHO_TYPE, version: 2 },
			credentials: refreshCredential(),
			...body,
		});

	e2e('the OAuth2 credential test passes with the connected token and fails with a revoked one', async () => {
		const stored = {
			...OAUTH2_CREDENTIAL,
			type: 'zohoCrmOAuth2Api',
			data: {
				dataCenter: 'custom',
				customAccountsUrl: zoho.url,
				customApiDomain: zoho.url,
				clientId: zoho.clientId,
				clientSecret: zoho.clientSecret,
				oauthTokenData: { access_token: zoho.issueAccessToken(), api_domain: zoho.url, token_type: 'Bearer' },
			},
		};
		expect(await n8n.rest('POST', '/credentials/test', { credentials: stored })).toMatchObject({ status: 'OK' });
		// stored and sent with a revoked token and no refresh token (with one, n8n would refresh after Zoho's 401)
		const revoked = {
			...stored,
			...REVOKED_OAUTH2_CREDENTIAL,
			data: { ...stored.data, oauthTokenData: { access_token: 'revoked', api_domain: zoho.url, token_type: 'Bearer' } },
		};
		expect(await n8n.rest('POST', '/credentials/test', { credentials: revoked })).toMatchObject({ status: 'Error' });
	});

	e2e('the resource mapper lists the emulator org’s Deals and Contacts fields with their types', async () => {
		const deals = await dynamic('resource-mapper-fields', {
			path: 'parameters.zohoFields',
			methodName: 'getDealMapperFields',
			currentNodeParameters: {
				authentication: 'refreshToken',
				resource: 'deal',
				operation: 'create',
				orderIdField: 'WooCommerce_Order_ID',
			},
		});
		const dealFields = new Map(deals.fields.map((field: { id: string }) => [field.id, field]));
		expect(dealFields.get('Probability')).toMatchObject({ type: 'number', display: true });
		expect(dealFields.get('Next_Step')).toMatchObject({ type: 'string' });
		expect(dealFields.get('Owner')).toMatchObject({ type: 'string', displayName: 'Owner ID' });
		// the operation's own parameters (with their expression defaults) and its upsert key are not offered again
		for (const own of ['Stage', 'Deal_Name', 'Amount', 'WooCommerce_Order_ID']) expect(dealFields.has(own)).toBe(false);
		const contacts = await dynamic('resource-mapper-fields', {
			path: 'parameters.zohoFields',
			methodName: 'getContactMapperFields',
			currentNodeParameters: { authentication: 'refreshToken', resource: 'contact', operation: 'upsert' },
		});
		const contactTypes = Object.fromEntries(contacts.fields.map((field: { id: string; type: string }) => [field.id, field.type]));
		expect(contactTypes).toMatchObject({ Date_of_Birth: 'dateTime', Email_Opt_Out: 'boolean', Title: 'string' });
	});

	e2e('a v2 node writes the mapper’s fields, and the Contact locator finds the contact it wrote', async () => {
		const { executionId } = await n8n.runManualWorkflow('e2eZohoV2Widgets', 'Start');
		await n8n.waitForExecutions(1, { workflowId: 'e2eZohoV2Widgets', timeoutMs: 60_000 });
		const execution = await n8n.execution(executionId);
		expect(execution.status).toBe('success');
		const [contact] = zoho.records('Contacts').filter((record) => record.Email === 'grace@example.com');
		expect(contact).toMatchObject({ Title: 'Rear Admiral', Email_Opt_Out: true, Date_of_Birth: '1906-12-09' });
		const [deal] = zoho.records('Deals').filter((record) => record.WooCommerce_Order_ID === '880001');
		expect(deal).toMatchObject({ Probability: 75, Next_Step: 'Send the invoice' });
		expect((deal.Contact_Name as { id: string }).id).toBe(contact.id);

		const search = async (filter: string) =>
			await dynamic('resource-locator-results', {
				path: 'parameters.contactId',
				methodName: 'searchContacts',
				filter,
				currentNodeParameters: { authentication: 'refreshToken', resource: 'deal', operation: 'create' },
			});
		expect((await search('hopper')).results).toEqual([
			expect.objectContaining({ name: 'Grace Hopper (grace@example.com)', value: contact.id }),
		]);
		expect((await search('nobody-by-this-name')).results).toEqual([]);
		const statuses = await dynamic('options', {
			path: 'parameters.status',
			methodName: 'getSalesOrderStatuses',
			currentNodeParameters: { authentication: 'refreshToken', resource: 'salesOrder', operation: 'create' },
		});
		expect(statuses.map((option: { value: string }) => option.value)).toContain('Delivered');
	});
});

// last: re-importing replaces the running workflows' stored versions
describe('bundled workflows in n8n 2.40.7', () => {
	e2e('every file in workflows/ imports with the n8n CLI without warnings and uses only node types n8n knows', async () => {
		const known = new Set((await n8n.nodeTypes()).map((type) => type.name));
		for (const file of readdirSync(WORKFLOWS).filter((name) => name.endsWith('.json'))) {
			const workflow = load(file);
			const unknown = workflow.nodes.map((node: any) => node.type).filter((type: string) => !known.has(type));
			expect({ file, unknown }).toEqual({ file, unknown: [] });
			for (const [from, outputs] of Object.entries<any>(workflow.connections)) {
				expect(workflow.nodes.some((node: any) => node.name === from)).toBe(true);
				for (const target of outputs.main.flat()) {
					expect(workflow.nodes.some((node: any) => node.name === target.node)).toBe(true);
				}
			}
			const output = await runCli(n8n.env, ['import:workflow', `--input=${join(WORKFLOWS, file)}`]);
			expect(output).toMatch(/Successfully imported 1 workflow/);
			expect(output).not.toMatch(/warn|error|unknown|deprecated/i);
			// every bundled workflow keeps its description and tags in n8n
			const stored = await n8n.rest('GET', `/workflows/${workflow.id}`);
			expect(stored.description).toBe(workflow.description);
			expect(stored.description.length).toBeGreaterThan(40);
			expect(stored.tags.map((tag: { name: string }) => tag.name).sort()).toEqual(
				workflow.tags.map((tag: { name: string }) => tag.name).sort(),
			);
			expect(stored.tags.length).toBeGreaterThanOrEqual(3);
		}
	}, 300_000);
});
