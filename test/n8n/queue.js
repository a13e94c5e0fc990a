/**
 * Runs the pinned n8n in queue mode for tests: PostgreSQL + Redis (Debian packages, installed with apt-get when
 * missing and running as root), one main process (`n8n start`: editor, REST, trigger activation), one webhook
 * process (`n8n webhook`: receives the WooCommerce deliveries) and N workers (`n8n worker`: run the executions).
 *
 *   const deployment = await startQueueDeployment({ credentials, workflows, workers: 2 });
 *   deployment.webhookUrl(webhookId)        // the webhook process; also what WooCommerce is told (N8N_WEBHOOK_URL)
 *   deployment.main                          // an N8nInstance: REST, executions, data tables
 *   await deployment.killWorker(1);          // SIGKILL to one worker's process group
 *   deployment.workerOf(executionId)         // which worker ran an execution (from the workers' logs)
 *   await deployment.stop();
 *
 * Every process runs in its own process group, is killed by harness.js's exit handlers and watched by reaper.js,
 * so nothing outlives the test process, also when a test fails or jest is killed. Everything listens on 127.0.0.1
 * on free ports; the database and Redis live in throwaway folders removed at stop().
 * Recipe: n8n's "Configuring queue mode" page, https://docs.n8n.io/hosting/scaling/queue-mode/ (main, webhook
 * processes and workers sharing PostgreSQL, Redis and one encryption key).
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const harness = require('./harness');

const { getFreePort, log, sleep } = harness;
const POSTGRES_USER = 'postgres';
const DATABASE = 'n8n';

// ---------------------------------------------------------------------------------------------------------------
// Redis and PostgreSQL

function postgresBinDir() {
	const root = '/usr/lib/postgresql';
	let versions = [];
	try {
		versions = fs
			.readdirSync(root)
			.filter((name) => fs.existsSync(path.join(root, name, 'bin', 'postgres')))
			.sort((a, b) => Number(b) - Number(a));
	} catch {
		// not installed
	}
	return versions.length ? path.join(root, versions[0], 'bin') : null;
}

function hasCommand(command) {
	return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Installs redis-server and postgresql from the distribution when missing (needs root, as on CI). */
function ensureQueueServices() {
	const missing = [];
	if (!hasCommand('redis-server')) missing.push('redis-server');
	if (!postgresBinDir()) missing.push('postgresql');
	if (missing.length === 0) return;
	if (process.getuid && process.getuid() !== 0) {
		throw new Error(`queue-mode tests need ${missing.join(' and ')}: apt-get install -y ${missing.join(' ')}`);
	}
	log(`installing ${missing.join(', ')} with apt-get`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	let result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, encoding: 'utf8' });
	if (result.status !== 0) {
		spawnSync('apt-get', ['update'], { env, stdio: 'ignore' });
		result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, encoding: 'utf8' });
	}
	if (result.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed:\n${result.stderr}`);
	if (!postgresBinDir() || !hasCommand('redis-server')) throw new Error('redis-server / postgres still missing after apt-get');
}

const isRoot = () => Boolean(process.getuid && process.getuid() === 0);

/** Runs a PostgreSQL tool as the postgres user when we are root (initdb and postgres refuse root). */
function asPostgres(binary, args) {
	return isRoot() ? ['runuser', ['-u', POSTGRES_USER, '--', binary, ...args]] : [binary, args];
}

/** A spawned service in its own process group, reaped with the test process. */
function spawnService(name, command, args, options = {}) {
	const { child, output, exited } = harness.spawnInGroup(command, args, options);
	let exitStatus;
	exited.then((status) => (exitStatus = status));
	return {
		name,
		child,
		logs: () => output.join(''),
		exitStatus: () => exitStatus,
		async stop(signal = 'SIGTERM', timeoutMs = 15000) {
			if (exitStatus) return;
			harness.killGroup(child, signal);
			const timedOut = await Promise.race([exited.then(() => false), sleep(timeoutMs).then(() => true)]);
			if (timedOut) {
				harness.killGroup(child, 'SIGKILL');
				await exited;
			}
		},
	};
}

function tcpRequest(port, payload) {
	return new Promise((resolve, reject) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		let data = '';
		socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
		socket.on('connect', () => socket.write(payload));
		socket.on('data', (chunk) => {
			data += chunk;
			socket.end();
		});
		socket.on('error', reject);
		socket.on('close', () => resolve(data));
	});
}

async function startRedis(folder) {
	const port = await getFreePort();
	fs.mkdirSync(folder, { recursive: true });
	const service = spawnService('redis', 'redis-server', [
		'--port', String(port),
		'--bind', '127.0.0.1',
		'--save', '',
		'--appendonly', 'no',
		'--dir', folder,
	]);
	const deadline = Date.now() + 20000;
	for (;;) {
		try {
			if ((await tcpRequest(port, 'PING\r\n')).startsWith('+PONG')) break;
		} catch {
			// not listening yet
		}
		if (service.exitStatus() || Date.now() > deadline) throw new Error(`redis-server did not start:\n${service.logs()}`);
		await sleep(100);
	}
	return { ...service, port };
}

async function startPostgres(folder) {
	const bin = postgresBinDir();
	const dataDir = path.join(folder, 'data');
	fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	if (isRoot()) {
		// the folder and its parents must be reachable by the postgres user
		spawnSync('chown', ['-R', `${POSTGRES_USER}:${POSTGRES_USER}`, folder]);
		fs.chmodSync(folder, 0o755);
	}
	const [initCommand, initArgs] = asPostgres(path.join(bin, 'initdb'), [
		'-D', dataDir, '--auth=trust', '-U', POSTGRES_USER, '--encoding=UTF8', '--no-sync',
	]);
	const init = spawnSync(initCommand, initArgs, { encoding: 'utf8' });
	if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
	const port = await getFreePort();
	const [command, args] = asPostgres(path.join(bin, 'postgres'), [
		'-D', dataDir,
		'-p', String(port),
		'-k', dataDir,
		'-h', '127.0.0.1',
		'-c', 'fsync=off',
		'-c', 'synchronous_commit=off',
		'-c', 'full_page_writes=off',
		'-c', 'max_connections=200',
	]);
	const service = spawnService('postgres', command, args);
	const deadline = Date.now() + 30000;
	for (;;) {
		const ready = spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', POSTGRES_USER], {
			stdio: 'ignore',
		});
		if (ready.status === 0) break;
		if (service.exitStatus() || Date.now() > deadline) throw new Error(`postgres did not start:\n${service.logs()}`);
		await sleep(200);
	}
	const created = spawnSync(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', POSTGRES_USER, DATABASE], {
		encoding: 'utf8',
	});
	if (created.status !== 0) throw new Error(`createdb failed:\n${created.stderr}`);
	return {
		...service,
		port,
		// SIGINT = PostgreSQL's "fast shutdown"
		stop: async () => await service.stop('SIGINT'),
	};
}

// ---------------------------------------------------------------------------------------------------------------
// n8n in queue mode

/** The environment every n8n process of the deployment shares (documented in the README, "Scale out"). */
function queueEnv({ postgresPort, redisPort, webhookPort }) {
	return {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgresPort),
		DB_POSTGRESDB_USER: POSTGRES_USER,
		DB_POSTGRESDB_PASSWORD: '',
		DB_POSTGRESDB_DATABASE: DATABASE,
		// n8n's default pool of 2 connections starves under a webhook burst: its connection monitor's ping then
		// times out (5 s) three times, n8n tears the pool down and answers 503 ("Driver not Connected") meanwhile
		DB_POSTGRESDB_POOL_SIZE: '20',
		DB_POSTGRESDB_CONNECTION_TIMEOUT: '120000',
		// on a loaded 2-core test machine `SELECT 1` can take longer than the 5 s default; a false "database down"
		// makes n8n recreate its pool and answer 503 meanwhile
		DB_PING_TIMEOUT_MS: '30000',
		DB_PING_MAX_FAILURES_BEFORE_RECOVERY: '5',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		// n8n 2.40 evaluates expressions in isolated-vm isolates from a pool of 1 per process; every webhook request
		// holds one while it is handled, and a burst beyond the pool creates a fresh isolate per request (CPU-heavy)
		N8N_EXPRESSION_ENGINE_POOL_SIZE: '8',
		// manual runs (the replay workflow's button) go to the workers too
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		// what WooCommerce is told to call: the webhook process
		N8N_WEBHOOK_URL: `http://127.0.0.1:${webhookPort}/`,
	};
}

async function freePorts(count) {
	const ports = new Set();
	while (ports.size < count) ports.add(await getFreePort());
	return [...ports];
}

class QueueDeployment {
	constructor({ folder, postgres, redis, userFolder, sharedEnv }) {
		this.folder = folder;
		this.postgres = postgres;
		this.redis = redis;
		this.userFolder = userFolder;
		this.sharedEnv = sharedEnv;
		this.main = undefined;
		this.webhook = undefined;
		this.workers = [];
	}

	/** The webhook process's production URL of a webhook (what WooCommerce was told at activation). */
	webhookUrl(webhookId, webhookPath) {
		return this.webhook.webhookUrl(webhookId, webhookPath);
	}

	processes() {
		return [this.main, this.webhook, ...this.workers].filter(Boolean);
	}

	/** Starts worker `index` (0-based) with its own ports; waits for its health check. */
	async startWorker(index, { concurrency = 10, timeoutMs = 120000 } = {}) {
		const [port, brokerPort, healthPort] = await freePorts(3);
		const env = harness.n8nEnv({
			userFolder: this.userFolder,
			port,
			brokerPort,
			extra: { ...this.sharedEnv, QUEUE_HEALTH_CHECK_PORT: String(healthPort) },
		});
		const worker = harness.spawnN8nProcess(['worker', `--concurrency=${concurrency}`], {
			env,
			port,
			userFolder: this.userFolder,
			label: `worker${index + 1}`,
		});
		worker.healthPort = healthPort;
		this.workers[index] = worker;
		await harness.waitUntilServing(worker, timeoutMs, {
			readinessUrl: `http://127.0.0.1:${healthPort}/healthz/readiness`,
			readyLine: '',
		});
		return worker;
	}

	/** SIGKILL to worker `index`'s whole process group (n8n and its task runner), as an OOM kill would. */
	async killWorker(index) {
		const worker = this.workers[index];
		harness.killGroup(worker.child, 'SIGKILL');
		await worker.exited;
	}

	/** Execution ids each worker logged as started: `workerOf(id)` = 0, 1 … or -1. */
	workerOf(executionId) {
		const pattern = new RegExp(`execution (?:ID )?${executionId}\\b`, 'i');
		return this.workers.findIndex((worker) => worker && pattern.test(worker.logs()));
	}

	async stop() {
		for (const instance of this.processes().reverse()) {
			try {
				await instance.stop();
			} catch {
				// keep stopping the others
			}
		}
		await this.redis?.stop();
		await this.postgres?.stop();
		if (process.env.N8N_QUEUE_KEEP !== '1') fs.rmSync(this.folder, { recursive: true, force: true });
	}
}

/**
 * Starts PostgreSQL, Redis, then imports credentials and workflows into the (empty) database with the CLI,
 * publishes, and starts main, the webhook process and `workers` workers; resolves once every process is ready and
 * every published workflow is active.
 */
async function startQueueDeployment(options = {}) {
	const started = Date.now();
	harness.ensureRuntime();
	ensureQueueServices();
	// throwaway folder outside the repo: the postgres user must be able to reach it
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-queue-'));
	fs.chmodSync(folder, 0o755);
	const deployment = new QueueDeployment({ folder });
	try {
		deployment.postgres = await startPostgres(path.join(folder, 'pg'));
		deployment.redis = await startRedis(path.join(folder, 'redis'));
		const userFolder = path.join(folder, 'n8n');
		fs.mkdirSync(userFolder, { recursive: true });
		deployment.userFolder = userFolder;
		const [mainPort, mainBroker, webhookPort, webhookBroker] = await freePorts(4);
		deployment.sharedEnv = {
			...queueEnv({ postgresPort: deployment.postgres.port, redisPort: deployment.redis.port, webhookPort }),
			...(options.env || {}),
		};
		log(`postgres on ${deployment.postgres.port}, redis on ${deployment.redis.port} (${((Date.now() - started) / 1000).toFixed(1)}s)`);

		// one user folder for every process: the community package installed once under .n8n/nodes loads everywhere
		const mainEnv = harness.n8nEnv({ userFolder, port: mainPort, brokerPort: mainBroker, extra: deployment.sharedEnv });
		const publishedIds = await harness.prepareUserFolder(mainEnv, {
			credentials: options.credentials,
			workflows: options.workflows,
			publish: options.publish,
		});

		deployment.main = harness.spawnN8nProcess(['start'], {
			env: mainEnv,
			port: mainPort,
			userFolder,
			publishedIds,
			label: 'main',
		});
		// the CLI has run the migrations: the webhook process and the workers boot alongside main
		const webhookEnv = harness.n8nEnv({ userFolder, port: webhookPort, brokerPort: webhookBroker, extra: deployment.sharedEnv });
		deployment.webhook = harness.spawnN8nProcess(['webhook'], { env: webhookEnv, port: webhookPort, userFolder, label: 'webhook' });
		const workerCount = options.workers ?? 2;
		const timeoutMs = options.startTimeoutMs ?? 240000;
		await Promise.all([
			(async () => {
				await harness.waitUntilServing(deployment.main, timeoutMs);
				await harness.waitForActivation(deployment.main, publishedIds, { timeoutMs: 120000 });
			})(),
			harness.waitUntilServing(deployment.webhook, timeoutMs, { readyLine: '' }),
			...Array.from({ length: workerCount }, (_, index) =>
				deployment.startWorker(index, { concurrency: options.workerConcurrency ?? 10, timeoutMs }),
			),
		]);
		log(`queue deployment ready in ${((Date.now() - started) / 1000).toFixed(1)}s: main ${mainPort}, webhook ${webhookPort}, ${workerCount} workers`);
		return deployment;
	} catch (error) {
		if (deployment.processes().length) {
			error.message += `\n--- logs ---\n${deployment
				.processes()
				.map((instance) => `[${instance.label}]\n${instance.logsTail(30)}`)
				.join('\n')}`;
		}
		await deployment.stop();
		throw error;
	}
}

module.exports = { startQueueDeployment };
