/**
 * Headless Debian Chromium for the browser tests and `npm run screenshot` (playwright-core drives it; it downloads
 * no browser). /usr/bin/chromium (apt-get install chromium), or CHROMIUM_PATH.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps calling Google services, which a closed network refuses.
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
	'--hide-scrollbars',
];

function assertChromium() {
	if (!fs.existsSync(CHROMIUM_PATH)) {
		throw new Error(`no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
	}
}

/**
 * Chromium with a fresh profile (playwright passes it as --user-data-dir); close() also removes the profile.
 * @returns {Promise<{ context: import('playwright-core').BrowserContext, close(): Promise<void> }>}
 */
async function launchChromium(viewport) {
	assertChromium();
	const { chromium } = require('playwright-core');
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-test-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM_PATH,
		args: CHROMIUM_ARGS,
		viewport,
		deviceScaleFactor: 1,
		locale: 'en-US',
	});
	return {
		context,
		async close() {
			await context.close();
			fs.rmSync(profile, { recursive: true, force: true });
		},
	};
}

/**
 * Closes whatever the n8n editor pops up over the canvas on a first visit (modals, notifications, tours).
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

module.exports = { CHROMIUM_PATH, CHROMIUM_ARGS, assertChromium, launchChromium, dismissPopups };
