import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/*
 * The layering of the package, checked on the real import graph (TypeScript's own import scanner, type-only
 * imports included): no cycle anywhere, and each layer imports only the layers below it (CONTRIBUTING.md).
 */

const ROOT = path.resolve(__dirname, '..', '..');
const ZOHO = 'nodes/ZohoCrmOrderSync';

function sourceFiles(dir: string): string[] {
	const absolute = path.join(ROOT, dir);
	if (!existsSync(absolute)) return [];
	return readdirSync(absolute).flatMap((name) => {
		const relative = path.posix.join(dir, name);
		if (name === 'node_modules') return [];
		if (statSync(path.join(ROOT, relative)).isDirectory()) return sourceFiles(relative);
		return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [relative] : [];
	});
}

function resolveImport(from: string, specifier: string): string | null {
	if (!specifier.startsWith('.')) return null;
	const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
	for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
		if (candidate.endsWith('.ts') && existsSync(path.join(ROOT, candidate))) return candidate;
	}
	return null;
}

const files = [...sourceFiles('nodes'), ...sourceFiles('credentials'), ...sourceFiles('test')];
const graph = new Map<string, string[]>(
	files.map((file) => {
		const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
		const targets = info.importedFiles
			.map((entry) => resolveImport(file, entry.fileName))
			.filter((target): target is string => target !== null);
		return [file, [...new Set(targets)]];
	}),
);

/** Every import cycle, each as the path of files that closes it (Tarjan's strongly connected components). */
function findCycles(): string[][] {
	let counter = 0;
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const onStack = new Set<string>();
	const cycles: string[][] = [];
	const visit = (file: string) => {
		index.set(file, counter);
		low.set(file, counter);
		counter++;
		stack.push(file);
		onStack.add(file);
		for (const target of graph.get(file) ?? []) {
			if (!index.has(target)) {
				visit(target);
				low.set(file, Math.min(low.get(file)!, low.get(target)!));
			} else if (onStack.has(target)) {
				low.set(file, Math.min(low.get(file)!, index.get(target)!));
			}
		}
		if (low.get(file) === index.get(file)) {
			const component: string[] = [];
			let member: string;
			do {
				member = stack.pop()!;
				onStack.delete(member);
				component.push(member);
			} while (member !== file);
			const selfImport = (graph.get(file) ?? []).includes(file);
			if (component.length > 1 || selfImport) cycles.push(component.reverse());
		}
	};
	for (const file of graph.keys()) if (!index.has(file)) visit(file);
	return cycles;
}

function importsWhere(fromFilter: (file: string) => boolean, targetFilter: (target: string, from: string) => boolean): string[] {
	const found: string[] = [];
	for (const [file, targets] of graph) {
		if (!fromFilter(file)) continue;
		for (const target of targets) if (targetFilter(target, file)) found.push(`${file} → ${target}`);
	}
	return found;
}

const nodeFolder = (file: string) => /^nodes\/([^/]+)\//.exec(file)?.[1];
const under = (folder: string) => (file: string) => file.startsWith(`${folder}/`);

describe('import graph', () => {
	it('reads the package and its tests', () => {
		expect(graph.size).toBeGreaterThan(50);
		expect(graph.get(`${ZOHO}/actions/router.ts`)).toContain(`${ZOHO}/transport/index.ts`);
	});

	it('has no import cycle', () => {
		expect(findCycles()).toEqual([]);
	});

	it('finds a cycle when there is one (the check can fail)', () => {
		graph.set('test/fake/a.ts', ['test/fake/b.ts']);
		graph.set('test/fake/b.ts', ['test/fake/a.ts']);
		try {
			expect(findCycles()).toEqual([['test/fake/a.ts', 'test/fake/b.ts']]);
		} finally {
			graph.delete('test/fake/a.ts');
			graph.delete('test/fake/b.ts');
		}
	});

	it('no node imports from another node’s folder (shared code lives in nodes/shared)', () => {
		expect(
			importsWhere(
				under('nodes'),
				(target, from) =>
					target.startsWith('nodes/') && nodeFolder(target) !== 'shared' && nodeFolder(target) !== nodeFolder(from),
			),
		).toEqual([]);
		expect(importsWhere(under('nodes/shared'), (target) => target.startsWith('nodes/') && !under('nodes/shared')(target))).toEqual([]);
	});

	it('no Zoho operation imports from another resource’s folder', () => {
		const resourceOf = (file: string) => new RegExp(`^${ZOHO}/actions/([^/]+)/`).exec(file)?.[1];
		expect(
			importsWhere(
				(file) => resourceOf(file) !== undefined,
				(target, from) => resourceOf(target) !== undefined && resourceOf(target) !== resourceOf(from),
			),
		).toEqual([]);
	});

	it('keeps the Zoho node’s layers: types ← mapping, transport ← helpers ← actions', () => {
		const zoho = (folder: string) => under(`${ZOHO}/${folder}`);
		// mapping is pure: it imports only itself (and n8n-workflow types)
		expect(importsWhere(zoho('mapping'), (target) => !zoho('mapping')(target))).toEqual([]);
		// types.ts imports nothing of ours
		expect(graph.get(`${ZOHO}/types.ts`)).toEqual([]);
		// transport talks HTTP and knows nothing of operations, helpers or mapping
		expect(
			importsWhere(zoho('transport'), (target) => [zoho('actions'), zoho('helpers'), zoho('mapping')].some((layer) => layer(target))),
		).toEqual([]);
		expect(importsWhere(zoho('helpers'), (target) => zoho('actions')(target))).toEqual([]);
		// the nodes never import test code
		expect(importsWhere(under('nodes'), (target) => target.startsWith('test/'))).toEqual([]);
	});
});
