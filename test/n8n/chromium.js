/**
 * Headless Debian Chromium for the browser tests and `npm run screenshot` (playwright-core drives it; it downloads
 * no browser). /usr/bin/chromium (apt-get install chromium), or CHROMIUM_PATH.
 */
'use strict';

const fs = require('node:fs');

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

module.exports = { CHROMIUM_PATH, CHROMIUM_ARGS, assertChromium };
