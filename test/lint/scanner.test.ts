import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The second leg of n8n's verification scan: the package as `npm pack` builds it, its `**\/*.js` and package.json
 * linted with the scanner's exact rules (test/lint/scanTarball.mjs, config from eslint.config.mjs), inline
 * `eslint-disable` comments ignored. The first leg (the source) is `npm run lint`. Needs `npm run build` first,
 * which `npm test` does.
 */
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(REPO_ROOT, 'test', 'lint', 'scanTarball.mjs');
const ALLOWED = ['@n8n/community-nodes/valid-author']; // eslint.config.mjs ALLOWED_EXCEPTIONS (no maintainer e-mail yet)

interface ScanReport {
	errorCount: number;
	warningCount: number;
	files: string[];
	packedFiles?: string[];
	messages: Array<{ file: string; line: number; severity: string; ruleId: string; message: string }>;
}

function scan(args: string[] = []): ScanReport {
	const run = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120000 });
	const line = run.stdout.trim().split('\n').pop() ?? '';
	if (!line.startsWith('{')) throw new Error(`scanTarball failed: ${run.stderr || run.stdout}`);
	return JSON.parse(line) as ScanReport;
}

describe("n8n's scanner, tarball leg", () => {
	it('the packed package has no errors beyond the allowed valid-author, and ships codex, themed icons and workflows', () => {
		const report = scan();
		const errors = report.messages.filter((message) => message.severity === 'error');
		expect(errors.filter((message) => !ALLOWED.includes(message.ruleId))).toEqual([]);
		expect(report.files).toEqual(expect.arrayContaining(['package.json']));
		expect(report.files.filter((file) => file.endsWith('.js')).length).toBeGreaterThan(20);
		const packageJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
		const packed = report.packedFiles ?? [];
		for (const entry of [...packageJson.n8n.nodes, ...packageJson.n8n.credentials]) expect(packed).toContain(entry);
		for (const node of packageJson.n8n.nodes as string[]) {
			expect(packed).toContain(node.replace(/\.js$/, '.json'));
		}
		expect(packed.filter((file) => file.endsWith('.dark.svg')).length).toBeGreaterThanOrEqual(4);
		expect(packed).toEqual(expect.arrayContaining(['workflows/woocommerce-to-zohocrm.json']));
	});

	it('finds what the scanner finds: a deprecated helper in compiled code is an error, eslint-disable or not', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-planted-'));
		try {
			fs.mkdirSync(path.join(dir, 'dist', 'nodes', 'Bad'), { recursive: true });
			fs.writeFileSync(
				path.join(dir, 'package.json'),
				JSON.stringify({ name: 'n8n-nodes-planted', version: '1.0.0', author: { name: 'x' } }),
			);
			fs.writeFileSync(
				path.join(dir, 'dist', 'nodes', 'Bad', 'Bad.node.js'),
				[
					'"use strict";',
					'class Bad {',
					'  async execute() {',
					'    // eslint-disable-next-line',
					'    return await this.helpers.request({ uri: "https://example.com" });',
					'  }',
					'}',
					'exports.Bad = Bad;',
					'',
				].join('\n'),
			);
			const report = scan([dir]);
			expect(report.messages.map((message) => message.ruleId)).toEqual(
				expect.arrayContaining([
					'@n8n/community-nodes/no-deprecated-workflow-functions',
					'@n8n/community-nodes/valid-author',
				]),
			);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
