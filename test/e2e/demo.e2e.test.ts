/**
 * The `npm start` demo in a real browser (Debian Chromium driven by playwright-core): an order placed on the demo
 * store's page becomes a deal on the demo Zoho org's page and a successful execution in n8n; with "Zoho refuses the
 * next order" switched on, the next order lands as a row in n8n's dead-letter Data Table.
 *
 * It also takes the README's pictures: into .n8n-test/demo-screenshots/, or DEMO_SCREENSHOT_DIR
 * (`npm run screenshot:demo` writes test/demo/pictures/).
 */
import fs from 'fs';
import path from 'path';

import type { BrowserContext, Page } from 'playwright-core';

import { getFreePort, REPO_ROOT } from '../n8n/harness';
import { assertChromium, dismissPopups, launchChromium } from '../n8n/chromium';
import { DEAD_LETTER_TABLE, startDemo } from '../demo/demo';
import { seededRandom } from '../demo/orders';
import type { Demo } from '../demo/demo';
import { e2eTest } from './support';

const SHOTS = process.env.DEMO_SCREENSHOT_DIR
	? path.resolve(process.env.DEMO_SCREENSHOT_DIR)
	: path.join(REPO_ROOT, '.n8n-test', 'demo-screenshots');
const VIEWPORT = { width: 1440, height: 900 };

let demo: Demo | undefined;
let browser: { context: BrowserContext; close(): Promise<void> } | undefined;
let context: BrowserContext | undefined;
const e2e = e2eTest(() => demo?.n8n);
const timings: string[] = [];

async function shot(page: Page, name: string): Promise<void> {
	fs.mkdirSync(SHOTS, { recursive: true });
	const size = page.viewportSize() ?? VIEWPORT;
	await page.mouse.move(size.width - 2, size.height - 2);
	await page.screenshot({ path: path.join(SHOTS, `${name}.png`), type: 'png' });
}

/** Clicks "Place an order" and returns the order number the page reports. */
async function placeOrderOnStorePage(page: Page): Promise<string> {
	await page.getByRole('button', { name: 'Place an order' }).click();
	const flash = page.locator('#flash', { hasText: /Placed order #\d+/ });
	await flash.waitFor({ timeout: 10_000 });
	return /#(\d+)/.exec((await flash.textContent()) ?? '')![1];
}

beforeAll(async () => {
	assertChromium();
	// free ports, or the ones `npm start` uses when given (the README's pictures show those)
	const port = async (variable: string) => Number(process.env[variable] || (await getFreePort()));
	const [n8nPort, storePort, zohoPort] = [await port('N8N_PORT'), await port('DEMO_STORE_PORT'), await port('DEMO_ZOHO_PORT')];
	fs.mkdirSync(path.join(REPO_ROOT, '.n8n-test'), { recursive: true });
	const folder = fs.mkdtempSync(path.join(REPO_ROOT, '.n8n-test', 'run-demo-'));
	// seeded: the pictures show the same orders every time (the first: a company, a coupon, euros)
	demo = await startDemo({ folder, fresh: true, n8nPort, storePort, zohoPort, random: seededRandom(16) });
	timings.push(`demo started in ${demo.startSeconds.toFixed(1)} s`);
	browser = await launchChromium(VIEWPORT);
	context = browser.context;
	// signs in as a user would; the n8n-auth cookie lands in the browser's cookie jar
	const login = await context.request.post(`${demo.editorUrl}/rest/login`, {
		data: { emailOrLdapLoginId: demo.login.email, password: demo.login.password },
	});
	expect(login.status()).toBe(200);
}, 300_000);

afterAll(async () => {
	console.log(`demo timings: ${timings.join('; ')}`);
	await browser?.close();
	await demo?.stop();
}, 60_000);

describe('npm start demo in Chromium', () => {
	e2e('an order placed on the store page shows up as a deal on the Zoho page and a successful execution in n8n', async () => {
		const { n8n, dealWorkflowId } = demo!;
		const store = await context!.newPage();
		await store.goto(`${demo!.storeUrl}/`);
		await store.locator('#webhooks', { hasText: 'order.created' }).waitFor({ timeout: 10_000 });

		const clicked = Date.now();
		const number = await placeOrderOnStorePage(store);

		const zoho = await context!.newPage();
		await zoho.goto(`${demo!.zohoUrl}/`);
		await zoho.locator('#deals').getByText(`WooCommerce Order #${number} `).waitFor({ timeout: 30_000 });
		timings.push(`click → deal on the Zoho page ${((Date.now() - clicked) / 1000).toFixed(1)} s`);
		expect(demo!.zoho.records('Deals').filter((deal) => deal.WooCommerce_Order_ID === number)).toHaveLength(1);
		// the store's row of the order shows the webhook delivery n8n answered with 200
		await store.locator('#orders tr', { hasText: `#${number}` }).locator('.ok', { hasText: '200' }).waitFor({ timeout: 10_000 });

		const [execution] = await n8n.waitForExecutions(1, { workflowId: dealWorkflowId });
		expect(execution.status).toBe('success');
		const editor = await context!.newPage();
		await editor.goto(`${demo!.editorUrl}/workflow/${dealWorkflowId}/executions/${execution.id}`);
		// the execution preview: the canvas with the nodes that ran, and the execution listed as succeeded
		await editor.getByText(/Succeeded/).first().waitFor({ timeout: 30_000 });
		await editor.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
		await dismissPopups(editor);

		await shot(store, 'demo-store');
		await shot(zoho, 'demo-zoho');
		await shot(editor, 'demo-n8n-execution');
	});

	e2e('with "Zoho refuses the next order" on, the next order becomes a row of the dead-letter table in n8n', async () => {
		const { n8n, dealWorkflowId } = demo!;
		const store = await context!.newPage();
		await store.goto(`${demo!.storeUrl}/`);
		await store.getByRole('button', { name: /Zoho refuses the next order/ }).click();
		await store.locator('#flash', { hasText: '400 INVALID_DATA' }).waitFor({ timeout: 10_000 });
		const number = await placeOrderOnStorePage(store);

		await n8n.waitForExecutions(2, { workflowId: dealWorkflowId, timeoutMs: 60_000 });
		const tables = await n8n.rest(
			'GET',
			`/data-tables-global?${new URLSearchParams({ filter: JSON.stringify({ name: DEAD_LETTER_TABLE }) })}`,
		);
		const table = tables.data.find((candidate: { name: string }) => candidate.name === DEAD_LETTER_TABLE);
		expect(table).toBeDefined();

		const editor = await context!.newPage();
		// wider than the other pages: more of the row's columns
		await editor.setViewportSize({ width: 1920, height: 640 });
		await editor.goto(`${demo!.editorUrl}/projects/${table.projectId}/datatables/${table.id}`);
		const order = demo!.woo.orders.find((candidate) => candidate.number === number)!;
		await editor.getByText(order.billing.email).first().waitFor({ timeout: 30_000 });
		await editor.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
		await dismissPopups(editor);
		await shot(editor, 'demo-n8n-dead-letters');
		// both pages again, now with the refused order and Zoho's 400
		await store.reload();
		await store.locator('#orders tr', { hasText: `#${number}` }).waitFor({ timeout: 10_000 });
		await shot(store, 'demo-store');
		const zoho = await context!.newPage();
		await zoho.goto(`${demo!.zohoUrl}/`);
		await zoho.locator('#calls .bad', { hasText: '400' }).first().waitFor({ timeout: 10_000 });
		await shot(zoho, 'demo-zoho');

		const rows = await n8n.dataTableRows(DEAD_LETTER_TABLE);
		expect(rows.filter((row) => String(row.orderId) === number)).toHaveLength(1);
		expect(demo!.zoho.records('Deals').filter((deal) => deal.WooCommerce_Order_ID === number)).toEqual([]);
	});
});
