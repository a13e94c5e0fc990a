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
 * Chromium: see chromium.js.
 * Only some workflows: `node test/n8n/screenshot.js woocommerce-to-zohocrm`.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { chromium } = require('playwright-core');
const { CHROMIUM_ARGS, CHROMIUM_PATH, assertChromium } = require('./chromium');
const harness = require('./harness');

const WORKFLOWS_DIR = path.join(harness.REPO_ROOT, 'workflows');
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

/**
 * Closes whatever the editor pops up over the canvas on a first visit (modals, notifications, tours).
 * Escape closes Element Plus dialogs; the close buttons catch the rest.
 */
async function dismissPopups(page) {
	for (let round = 0; round < 3; round++) {
		await page.keyboard.press('Escape');
		const closers = page.locator(
			[
				'.el-dialog__headerbtn:visible',
				'.el-message-box__headerbtn:visible',
				'.el-notification__closeBtn:visible',
				'[data-test-id="close-button"]:visible',
				'[data-test-id="modal-close-button"]:visible',
			].join(', '),
		);
		const count = await closers.count();
		if (count === 0) return;
		for (let index = count - 1; index >= 0; index--) {
			await closers
				.nth(index)
				.click({ timeout: 2000 })
				.catch(() => undefined);
		}
		await page.waitForTimeout(300);
	}
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

async function main() {
	const started = Date.now();
	const requested = process.argv.slice(2);
	const names = requested.length > 0 ? requested : SHOTS;
	for (const name of names) {
		if (!fs.existsSync(path.join(WORKFLOWS_DIR, `${name}.json`))) throw new Error(`no workflows/${name}.json`);
	}
	assertChromium();
	const workflows = names.map(readWorkflow);

	const n8n = await harness.startN8n({ workflows, credentials: PLACEHOLDER_CREDENTIALS, publish: [] });
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-screenshot-chromium-'));
	let context;
	try {
		// creates the owner account on this fresh user folder
		await n8n.rest('GET', '/login');
		// a fresh profile each time (playwright passes it as --user-data-dir)
		context = await chromium.launchPersistentContext(userDataDir, {
			executablePath: CHROMIUM_PATH,
			args: CHROMIUM_ARGS,
			viewport: VIEWPORT,
			deviceScaleFactor: 1,
			locale: 'en-US',
		});
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
	} catch (error) {
		process.stderr.write(`--- n8n log tail ---\n${n8n.logsTail(40)}\n`);
		throw error;
	} finally {
		if (context) await context.close();
		await n8n.stop();
		fs.rmSync(userDataDir, { recursive: true, force: true });
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
