#!/usr/bin/env node
/**
 * The second leg of n8n's scanner (`@n8n/scan-community-package` analyzePackageByName): pack the package as npm would
 * publish it, unpack the tarball and lint its `**\/*.js` and package.json with the scanner's config, inline
 * `eslint-disable` comments ignored. Run `npm run build` first (the tarball ships dist/).
 *
 * Usage: node test/lint/scanTarball.mjs [packageDir]   (default: the repo; a directory of an unpacked package
 * is linted as it is). Prints one JSON line: { errorCount, warningCount, files, messages }; exit 1 on errors.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

import { scanConfig, TARBALL_FILE_PATTERNS } from '../../eslint.config.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `npm pack` into a temporary folder and unpack it like the scanner (tar --strip-components=1). */
function packAndUnpack() {
	if (!fs.existsSync(path.join(repoRoot, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-tarball-'));
	const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', work], {
		cwd: repoRoot,
		encoding: 'utf8',
	});
	if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
	const [{ filename, files }] = JSON.parse(pack.stdout);
	const packageDir = path.join(work, 'package');
	fs.mkdirSync(packageDir);
	const untar = spawnSync('tar', ['-xzf', path.join(work, path.basename(filename)), '-C', packageDir, '--strip-components=1']);
	if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
	return { packageDir, packedFiles: files.map((file) => file.path), work };
}

export async function scanPackageDir(packageDir) {
	const eslint = new ESLint({
		cwd: packageDir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: scanConfig,
	});
	const results = await eslint.lintFiles(TARBALL_FILE_PATTERNS);
	return {
		errorCount: results.reduce((sum, result) => sum + result.errorCount, 0),
		warningCount: results.reduce((sum, result) => sum + result.warningCount, 0),
		files: results.map((result) => path.relative(packageDir, result.filePath)).sort(),
		messages: results.flatMap((result) =>
			result.messages.map((message) => ({
				file: path.relative(packageDir, result.filePath),
				line: message.line,
				severity: message.severity === 2 ? 'error' : 'warning',
				ruleId: message.ruleId,
				message: message.message,
			})),
		),
	};
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
	const given = process.argv[2];
	let packed = null;
	const packageDir = given ? path.resolve(given) : (packed = packAndUnpack()).packageDir;
	const report = await scanPackageDir(packageDir);
	if (packed) report.packedFiles = packed.packedFiles;
	process.stdout.write(JSON.stringify(report) + '\n');
	if (packed) fs.rmSync(packed.work, { recursive: true, force: true });
	process.exit(report.errorCount > 0 ? 1 : 0);
}
