#!/usr/bin/env node
/**
 * `npm start`: runs the pinned n8n with this package installed, for trying the nodes in the editor.
 *
 * - user folder `.n8n-local/` (kept between starts: owner account, credentials, executions);
 * - port 5678, or N8N_PORT;
 * - installs the freshly built package (npm start runs `npm run build` first);
 * - imports every workflows/*.json on each start (same id → updated in place); nothing is published,
 *   because the credentials they need exist only once you create them in the editor;
 * - stays in the foreground streaming n8n's output; Ctrl-C stops n8n.
 */
'use strict';

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const installer = require('./install-n8n');
const harness = require('./harness');

const USER_FOLDER = path.join(harness.REPO_ROOT, '.n8n-local');
const WORKFLOWS_DIR = path.join(harness.REPO_ROOT, 'workflows');

function say(message) {
	process.stdout.write(`[npm start] ${message}\n`);
}

/** Workflow files; a file without an id gets one derived from its name so re-imports update it. */
function readWorkflowFiles() {
	if (!fs.existsSync(WORKFLOWS_DIR)) return [];
	return fs
		.readdirSync(WORKFLOWS_DIR)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => {
			const workflow = JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, name), 'utf8'));
			if (!workflow.id) {
				workflow.id = `wf${crypto.createHash('sha256').update(name).digest('hex').slice(0, 14)}`;
			}
			return { name, workflow };
		});
}

async function portIsFree(port) {
	const net = require('node:net');
	return await new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

async function main() {
	const started = Date.now();
	if (!installer.isInstalled()) installer.install();
	const port = Number(process.env.N8N_PORT || 5678);
	if (!(await portIsFree(port))) {
		throw new Error(`port ${port} is in use (another n8n?). Stop it or run with N8N_PORT=<port> npm start`);
	}
	let brokerPort = await harness.getFreePort();
	while (brokerPort === port) brokerPort = await harness.getFreePort();
	fs.mkdirSync(USER_FOLDER, { recursive: true });

	const editorUrl = `http://localhost:${port}`;
	const env = harness.n8nEnv({
		userFolder: USER_FOLDER,
		port,
		brokerPort,
		extra: {
			N8N_WEBHOOK_URL: `${editorUrl}/`,
			N8N_EDITOR_BASE_URL: `${editorUrl}/`,
		},
	});

	say('installing the built package into .n8n-local/.n8n/nodes');
	harness.installPackageInto(USER_FOLDER, await harness.packPackage());

	const workflowFiles = readWorkflowFiles();
	if (workflowFiles.length > 0) {
		say(`importing ${workflowFiles.map((file) => `workflows/${file.name}`).join(', ')} (not published)`);
		await harness.importWorkflows(
			env,
			workflowFiles.map((file) => file.workflow),
		);
	}

	say(`starting n8n ${installer.N8N_VERSION} (prepared in ${((Date.now() - started) / 1000).toFixed(1)}s)`);
	// Same process group as this script: Ctrl-C in the terminal reaches n8n directly and it shuts down cleanly.
	const child = spawn(harness.NODE24_BIN, [harness.N8N_BIN, 'start'], {
		cwd: USER_FOLDER,
		env,
		stdio: ['inherit', 'pipe', 'pipe'],
	});
	let announced = false;
	const forward = (target) => (chunk) => {
		target.write(chunk);
		if (!announced && String(chunk).includes('Editor is now accessible via')) {
			announced = true;
			say(
				`n8n is ready after ${((Date.now() - started) / 1000).toFixed(1)}s.\n` +
					`\n    Editor: ${editorUrl}\n` +
					`    User folder: .n8n-local/ (first visit: create the owner account)\n` +
					`    Node types: ${harness.NODE_TYPE_PREFIX}<node>\n` +
					`    Stop: Ctrl-C\n`,
			);
		}
	};
	child.stdout.on('data', forward(process.stdout));
	child.stderr.on('data', forward(process.stderr));

	// A terminal Ctrl-C already signals n8n (same process group); other signals are forwarded.
	process.on('SIGINT', () => say('stopping n8n…'));
	for (const signal of ['SIGTERM', 'SIGHUP']) {
		process.on(signal, () => {
			say('stopping n8n…');
			child.kill(signal);
		});
	}
	child.on('exit', (code, signal) => {
		say(`n8n exited (${signal ?? `code ${code}`})`);
		process.exit(code ?? 0);
	});
}

main().catch((error) => {
	console.error(`[npm start] ${error.message}`);
	process.exit(1);
});
