/**
 * Lets plain node require the project's TypeScript test code (the emulators, the demo, the node harness) — for
 * `npm start`, `npm run screenshot` and the bench: each .ts file is
 * transpiled on load with the compiler already in devDependencies, without type checking (`npm run typecheck`
 * does that). Extensionless requires find .ts files and folders with an index.ts too.
 */
'use strict';

const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
	module: ts.ModuleKind.CommonJS,
	target: ts.ScriptTarget.ES2021,
	esModuleInterop: true,
	resolveJsonModule: true,
	inlineSourceMap: true,
};

// Extensionless requires try the extensions in this object's key order. `Foo.node` names both a node's Foo.node.ts and
// its codex Foo.node.json: .ts goes before .json and .node, as in jest's moduleFileExtensions.
const { '.json': loadJson, '.node': loadNative } = require.extensions;
delete require.extensions['.json'];
delete require.extensions['.node'];
require.extensions['.ts'] = (module, filename) => {
	const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
	module._compile(outputText, filename);
};
require.extensions['.json'] = loadJson;
require.extensions['.node'] = loadNative;
