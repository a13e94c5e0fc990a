#!/usr/bin/env node
/**
 * `npm start`: the demo (test/demo/demo.ts) — n8n with this package, a demo WooCommerce store and a demo Zoho CRM
 * org on local ports, the deal workflow published against them. Prints the three URLs and the login.
 *
 *   npm start                    the demo; state kept in .n8n-demo/ between starts
 *   npm start -- --fresh         the demo from a clean state
 *   npm start -- --no-demo       n8n alone, as for real credentials (test/n8n/start-local.js); or N8N_DEMO=false
 *
 * Ports: N8N_PORT (5678), DEMO_STORE_PORT (5690), DEMO_ZOHO_PORT (5691).
 */
'use strict';

const path = require('node:path');

const args = process.argv.slice(2);
const unknown = args.filter((arg) => !['--fresh', '--no-demo'].includes(arg));
if (unknown.length > 0) {
	console.error(`[npm start] unknown option ${unknown.join(' ')} (known: --fresh, --no-demo)`);
	process.exit(2);
}

if (args.includes('--no-demo') || /^(0|false|no|off)$/i.test(process.env.N8N_DEMO ?? '')) {
	require('../n8n/start-local');
} else {
	require('../support/register-ts');
	const { runDemo } = require('./run');
	runDemo({
		folder: path.join(__dirname, '..', '..', '.n8n-demo'),
		fresh: args.includes('--fresh'),
		n8nPort: Number(process.env.N8N_PORT || 5678),
		storePort: Number(process.env.DEMO_STORE_PORT || 5690),
		zohoPort: Number(process.env.DEMO_ZOHO_PORT || 5691),
	}).catch((error) => {
		console.error(`[npm start] ${error.stack || error.message}`);
		process.exit(1);
	});
}
