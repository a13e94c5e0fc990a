const path = require('path');
const { task, src, dest, parallel } = require('gulp');

// n8n loads node and credential icons, and each node's codex (X.node.json next to X.node.js), from dist/.
task('build:icons', parallel(copyNodeAssets, copyCredentialIcons));

function copyNodeAssets() {
	const nodeSource = [path.resolve('nodes', '**', '*.{png,svg}'), path.resolve('nodes', '**', '*.node.json')];
	return src(nodeSource, { encoding: false }).pipe(dest(path.resolve('dist', 'nodes')));
}

function copyCredentialIcons() {
	const credSource = path.resolve('credentials', '**', '*.{png,svg}');
	return src(credSource, { encoding: false }).pipe(dest(path.resolve('dist', 'credentials')));
}
