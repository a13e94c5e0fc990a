#!/usr/bin/env node
/**
 * `npm run screenshot`: pictures of the bundled workflows open in the real n8n editor, for the README.
 *
 * - starts the pinned n8n with the built package through the harness (fresh user folder, nothing published);
 * - imports workflows/*.json unchanged plus placeholder credentials with the ids they reference, so the canvas
 *   shows no "credentials not set" warnings (the placeholder data is never sent anywhere: nothing runs);
 * - opens each workflow in headless Debian Chromium (playwright-core drives it; it downloads no browser),
 *   closes any first-run popups, zooms to fit and writes workflows/<name>.png (1600x900).
 *
 * - then opens the panel (node details view) of every node of the package, the Zoho node as version 2 with its
 *   resource locator and resource mapper loaded from a Zoho CRM emulator, checks that the panel shows its parameters
 *   and no error, and writes test/n8n/panels/<node>.png.
 *
 * Chromium: see chromium.js.
 * Only some workflows: `node test/n8n/screenshot.js woocommerce-to-zohocrm`; only the panels: `… --panels`.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { assertChromium, dismissPopups, launchChromium } = require('./chromium');
const harness = require('./harness');

const WORKFLOWS_DIR = path.join(harness.REPO_ROOT, 'workflows');
const PANELS_DIR = path.join(harness.REPO_ROOT, 'test', 'n8n', 'panels');
const VIEWPORT = { width: 1600, height: 900 };

/** workflow file (without .json) → picture written next to it */
const SHOTS = ['woocommerce-to-zohocrm', 'dead-letter-replay'];

/** Placeholders for the credential ids the workflow files reference; the values are dummies. */
const PLACEHOLDER_CREDENTIALS = [
	{
		id: 'wooCommerceStore',
		name: 'WooCommerce Store',
		type: 'wooCommerceStoreApi',
		data: {
			url: 'https://shop.example.com',
			consumerKey: 'ck_placeholder',
			consumerSecret: 'cs_placeholder',
			includeCredentialsInQuery: false,
		},
	},
	{
		id: 'zohoCrmSelfClient',
		name: 'Zoho CRM Self Client',
		type: 'zohoCrmRefreshTokenApi',
		data: {
			dataCenter: 'com',
			clientId: '1000.PLACEHOLDER',
			clientSecret: 'placeholder',
			refreshToken: '1000.placeholder.placeholder',
		},
	},
];

function say(message) {
	process.stdout.write(`[screenshot] ${message}\n`);
}

function readWorkflow(name) {
	return JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, `${name}.json`), 'utf8'));
}

async function shoot(context, baseUrl, workflow, file) {
	const page = await context.newPage();
	const problems = [];
	page.on('pageerror', (error) => problems.push(error.message));
	page.on('console', (message) => {
		if (message.type() === 'error') problems.push(`console: ${message.text()}`);
	});
	await page.goto(`${baseUrl}/workflow/${workflow.id}`, { waitUntil: 'domcontentloaded' });
	if (/\/signin|\/setup/.test(new URL(page.url()).pathname)) {
		throw new Error(`the editor sent the browser to ${page.url()} instead of the workflow (not signed in?)`);
	}
	// Vue Flow renders every node, sticky notes included, as .vue-flow__node
	const nodes = page.locator('.vue-flow__node');
	const expected = workflow.nodes.length;
	try {
		await page.waitForFunction(
			(count) => document.querySelectorAll('.vue-flow__node').length >= count,
			expected,
			{ timeout: 60000 },
		);
	} catch (error) {
		const failed = path.join(os.tmpdir(), `n8n-screenshot-failed-${workflow.id}.png`);
		await page.screenshot({ path: failed }).catch(() => undefined);
		const errors = problems.length > 0 ? `; page errors: ${problems.join(' | ')}` : '';
		throw new Error(`the canvas of ${workflow.id} did not render (${page.url()}, see ${failed})${errors}`, { cause: error });
	}
	// node icons are fetched separately; wait for them so no node is pictured with a placeholder
	await page.waitForLoadState('networkidle', { timeout: 15000 }).catch(() => undefined);
	await dismissPopups(page);
	await page.mouse.move(VIEWPORT.width - 2, VIEWPORT.height / 2); // no hover highlight on a node
	await page.locator('[data-test-id="zoom-to-fit"]').click();
	// no focus ring on the button in the picture
	await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
	await page.waitForTimeout(800); // the fit-view transition
	await dismissPopups(page);
	await page.mouse.move(VIEWPORT.width - 2, VIEWPORT.height / 2);
	const shown = await nodes.count();
	if (shown < expected) throw new Error(`the canvas shows ${shown} of ${expected} nodes`);
	const overlays = await page.locator('.el-overlay:visible, [role="dialog"]:visible').count();
	if (overlays > 0) throw new Error(`a dialog still covers the canvas of ${workflow.id}`);
	await page.screenshot({ path: file, type: 'png' });
	if (problems.length > 0) say(`page errors while rendering ${workflow.id}: ${problems.join(' | ')}`);
	await page.close();
}

/** One node of each type of the package (the Zoho node twice: a deal and a contact, version 2). */
function panelsWorkflow(zohoCredential) {
	const zoho = { zohoCrmRefreshTokenApi: { id: zohoCredential.id, name: zohoCredential.name } };
	const woo = { wooCommerceStoreApi: { id: 'wooCommerceStore', name: 'WooCommerce Store' } };
	const node = (name, type, typeVersion, x, parameters, extra = {}) => ({
		id: `panel-${x}`,
		name,
		type: `${harness.NODE_TYPE_PREFIX}${type}`,
		typeVersion,
		position: [x, 0],
		parameters,
		...extra,
	});
	return {
		id: 'panelsOfEveryNode',
		name: 'Panels of every node',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('WooCommerce Order Trigger', 'wooCommerceOrderTrigger', 1, 0, { events: ['order.created', 'order.updated'] }, {
				webhookId: '5d0c7a52-2a4e-4d0e-9c3e-7b1b2f0e9a11',
				credentials: woo,
			}),
			node('WooCommerce Order Poll Trigger', 'wooCommerceOrderPollTrigger', 1, 300, {}, { credentials: woo }),
			// the "Zoho Fields" mapper as a new node has it: n8n loads the org's fields into it when the panel opens
			node('Create Deal', 'zohoCrmOrderSync', 2, 600, { authentication: 'refreshToken', resource: 'deal', operation: 'create' }, {
				credentials: zoho,
			}),
			node('Upsert Contact', 'zohoCrmOrderSync', 2, 900, { authentication: 'refreshToken', resource: 'contact', operation: 'upsert' }, {
				credentials: zoho,
			}),
			node('Zoho Sync Dead Letter', 'zohoSyncDeadLetter', 1, 1200, { operation: 'buildRecord' }),
		],
		connections: {},
	};
}

/** Opens one node's panel, checks it shows parameters and no error, pictures it. */
async function shootPanel(page, nodeName, file) {
	const canvasNode = page.locator('.vue-flow__node', { hasText: nodeName }).first();
	await canvasNode.dblclick();
	const panel = page.locator('[data-test-id="ndv"]');
	await panel.waitFor({ state: 'visible', timeout: 30000 });
	await page.locator('[data-test-id="node-parameters"]').first().waitFor({ state: 'visible', timeout: 30000 });
	await page.waitForLoadState('networkidle', { timeout: 15000 }).catch(() => undefined);
	await page.waitForTimeout(1500); // options and mapper fields load after the panel opens
	const parameterCount = await page.locator('[data-test-id="node-parameters"] [data-test-id="parameter-item"]').count();
	if (parameterCount === 0) throw new Error(`the panel of ${nodeName} shows no parameters`);
	const errors = await page
		.locator('[data-test-id="ndv"] .el-alert--error:visible, [data-test-id="ndv"] [data-test-id="node-parameters"] .has-issues:visible')
		.allInnerTexts();
	await page.screenshot({ path: file, type: 'png' });
	// long panels: a second picture scrolled to the end (the Zoho node's locators and field mapper)
	let lowerFile = null;
	if (parameterCount > 12) {
		await page.evaluate(() => {
			let element = document.querySelector('[data-test-id="node-parameters"]');
			while (element && element.scrollHeight <= element.clientHeight + 1) element = element.parentElement;
			if (element) element.scrollTop = element.scrollHeight;
		});
		await page.waitForTimeout(800);
		lowerFile = file.replace(/\.png$/, '-end.png');
		await page.screenshot({ path: lowerFile, type: 'png' });
		// the field mapper: open its field list (loaded from the org) and picture it
		const addField = page.getByText('Add field to send', { exact: false }).first();
		if (await addField.isVisible().catch(() => false)) {
			await addField.click();
			await page.waitForTimeout(1500);
			await page.screenshot({ path: file.replace(/\.png$/, '-fields.png'), type: 'png' });
			await page.keyboard.press('Escape');
			await page.waitForTimeout(300);
		}
	}
	await page.keyboard.press('Escape');
	await panel.waitFor({ state: 'hidden', timeout: 10000 }).catch(() => undefined);
	return { parameterCount, errors, lowerFile };
}

async function shootPanels(context, baseUrl, workflow) {
	fs.mkdirSync(PANELS_DIR, { recursive: true });
	const page = await context.newPage();
	await page.goto(`${baseUrl}/workflow/${workflow.id}`, { waitUntil: 'domcontentloaded' });
	await page.waitForFunction((count) => document.querySelectorAll('.vue-flow__node').length >= count, workflow.nodes.length, {
		timeout: 60000,
	});
	await page.waitForLoadState('networkidle', { timeout: 15000 }).catch(() => undefined);
	await dismissPopups(page);
	const results = [];
	for (const node of workflow.nodes) {
		const slug = node.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
		const file = path.join(PANELS_DIR, `${slug}.png`);
		const { parameterCount, errors } = await shootPanel(page, node.name, file);
		results.push({ node: node.name, parameterCount, errors });
		say(`${path.relative(process.cwd(), file)}: ${parameterCount} parameters${errors.length ? `, ERRORS: ${errors.join(' | ')}` : ''}`);
	}
	await page.close();
	const failed = results.filter((result) => result.errors.length > 0);
	if (failed.length) throw new Error(`panels with errors: ${failed.map((result) => result.node).join(', ')}`);
	return results;
}

async function main() {
	const started = Date.now();
	const panelsOnly = process.argv.includes('--panels');
	const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
	const names = panelsOnly ? [] : requested.length > 0 ? requested : SHOTS;
	for (const name of names) {
		if (!fs.existsSync(path.join(WORKFLOWS_DIR, `${name}.json`))) throw new Error(`no workflows/${name}.json`);
	}
	assertChromium();
	const workflows = names.map(readWorkflow);

	// the panels load Zoho options, the resource locator and the resource mapper from an emulated org
	require('../support/register-ts'); // this script runs on plain Node
	const { ZohoEmulator } = require('../emulators/zoho');
	const zohoOrg = await ZohoEmulator.start({ pipelines: true });
	const zohoCredential = {
		id: 'zohoPanelsOrg',
		name: 'Zoho CRM (emulated org)',
		type: 'zohoCrmRefreshTokenApi',
		data: {
			dataCenter: 'custom',
			customAccountsUrl: zohoOrg.url,
			customApiDomain: zohoOrg.url,
			clientId: zohoOrg.clientId,
			clientSecret: zohoOrg.clientSecret,
			refreshToken: zohoOrg.refreshToken,
		},
	};
	const panels = panelsWorkflow(zohoCredential);

	const n8n = await harness.startN8n({
		workflows: [...workflows, panels],
		credentials: [...PLACEHOLDER_CREDENTIALS, zohoCredential],
		publish: [],
	});
	let browser;
	try {
		// creates the owner account on this fresh user folder
		await n8n.rest('GET', '/login');
		browser = await launchChromium(VIEWPORT);
		const { context } = browser;
		// the browser context signs in itself, so the n8n-auth cookie lands in its own cookie jar
		const login = await context.request.post(`${n8n.baseUrl}/rest/login`, {
			data: { emailOrLdapLoginId: harness.OWNER.email, password: harness.OWNER.password },
		});
		if (!login.ok()) throw new Error(`sign-in failed: ${login.status()} ${await login.text()}`);

		for (const [index, workflow] of workflows.entries()) {
			const file = path.join(WORKFLOWS_DIR, `${names[index]}.png`);
			await shoot(context, n8n.baseUrl, workflow, file);
			say(`${path.relative(process.cwd(), file)} (${Math.round(fs.statSync(file).size / 1024)} KB)`);
		}
		await shootPanels(context, n8n.baseUrl, panels);
	} catch (error) {
		process.stderr.write(`--- n8n log tail ---\n${n8n.logsTail(40)}\n`);
		throw error;
	} finally {
		await browser?.close();
		await n8n.stop();
		await zohoOrg.stop();
	}
	say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().then(
	() => process.exit(0),
	(error) => {
		process.stderr.write(`[screenshot] ${error.stack || error}\n`);
		process.exit(1);
	},
);
