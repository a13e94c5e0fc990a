/** `npm start` in the foreground: starts the demo, prints where everything is, stops cleanly on Ctrl-C. */
import { startDemo } from './demo';
import type { DemoOptions } from './demo';

const say = (message: string) => process.stdout.write(`[npm start] ${message}\n`);

export async function runDemo(options: DemoOptions): Promise<void> {
	say(
		`starting the demo${options.fresh ? ' from a clean state' : ''}: n8n, a demo WooCommerce store and a demo Zoho CRM org` +
			' (n8n alone for real credentials: npm start -- --no-demo)',
	);
	const demo = await startDemo(options);
	say(
		`ready after ${demo.startSeconds.toFixed(1)} s.\n\n` +
			`    n8n editor:      ${demo.editorUrl}    login ${demo.login.email} / ${demo.login.password}\n` +
			`    Demo store:      ${demo.storeUrl}/    (click "Place an order")\n` +
			`    Demo Zoho org:   ${demo.zohoUrl}/\n\n` +
			`    The workflow "WooCommerce → Zoho CRM: contact + deal per order" is published; its trigger registered\n` +
			`    its webhook with the demo store. State is kept in ${options.folder} (start clean: npm start -- --fresh).\n` +
			`    n8n's log: ${demo.n8n.userFolder}/n8n.log (written on stop). Stop: Ctrl-C\n`,
	);
	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		say(`stopping (${signal})…`);
		demo.stop().then(
			() => {
				say('stopped; the demo state is kept for the next start');
				process.exit(0);
			},
			(error) => {
				console.error(error);
				process.exit(1);
			},
		);
	};
	// instead of the harness's handlers, which kill n8n at once: the state is saved and n8n shuts down cleanly
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.removeAllListeners(signal);
		process.on(signal, () => stop(signal));
	}
}
