/**
 * Lets the bench scripts (plain Node) load the project's TypeScript emulators and sources: `.ts` files are
 * transpiled in memory with the project's own TypeScript (a devDependency), JSON imports as CommonJS.
 */
const fs = require('fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, {
		fileName: filename,
		compilerOptions: {
			module: ts.ModuleKind.CommonJS,
			target: ts.ScriptTarget.ES2022,
			esModuleInterop: true,
			resolveJsonModule: true,
		},
	});
	module._compile(outputText, filename);
};
