/** Shared by the real-n8n test files: a test wrapper that shows n8n's log on failure, credentials for the emulators. */
import { startN8n, type N8nInstance } from '../n8n/harness';
import type { WooCommerceEmulator } from '../emulators/woocommerce';
import type { ZohoEmulator } from '../emulators/zoho';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `test` whose failure message ends with the tail of n8n's log. */
export function e2eTest(instance: () => N8nInstance | undefined, defaultTimeoutMs = 90_000) {
	return (name: string, body: () => Promise<void>, timeoutMs = defaultTimeoutMs): void => {
		test(
			name,
			async () => {
				try {
					await body();
				} catch (error) {
					const n8n = instance();
					if (error instanceof Error && n8n) error.message += `\n--- n8n log tail ---\n${n8n.logsTail(60)}`;
					throw error;
				}
			},
			timeoutMs,
		);
	};
}

type CredentialRef = { id: string; name: string };

export function wooCommerceCredential(ref: CredentialRef, woo: WooCommerceEmulator) {
	return {
		...ref,
		type: 'wooCommerceStoreApi',
		data: { url: woo.url, consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret, includeCredentialsInQuery: false },
	};
}

/** A Zoho Self Client credential pointed at the emulator (data center "custom"). */
export function zohoRefreshTokenCredential(ref: CredentialRef, zoho: ZohoEmulator) {
	return {
		...ref,
		type: 'zohoCrmRefreshTokenApi',
		data: {
			dataCenter: 'custom',
			customAccountsUrl: zoho.url,
			customApiDomain: zoho.url,
			clientId: zoho.clientId,
			clientSecret: zoho.clientSecret,
			refreshToken: zoho.refreshToken,
		},
	};
}

/** The credential reference of `type` exactly as a workflow file has it. */
export function credentialRef(workflow: { nodes: Array<{ credentials?: Record<string, CredentialRef> }> }, type: string): CredentialRef {
	const node = workflow.nodes.find((candidate) => candidate.credentials?.[type]);
	if (!node) throw new Error(`no node uses a ${type} credential`);
	return node.credentials![type];
}

export const SET_UP_WORKFLOW_ID = 'e2eSetUpOrderIdFields';
const SET_UP_TRIGGER = 'Set up once';

/**
 * What a user runs once on a new Zoho org: the node's own "Set Up Order ID Field" for Deals and for Sales Orders, from
 * a manual trigger. (A new org has no order-id field; the emulator starts like one.)
 */
export function setUpOrderIdFieldWorkflow(zohoCredential: CredentialRef, resources: Array<'deal' | 'salesOrder'> = ['deal', 'salesOrder']) {
	const setUpNode = (resource: string, index: number) => ({
		id: `5e7a0000-0000-4000-8000-00000000000${index + 2}`,
		name: `Set Up Order ID Field (${resource})`,
		type: 'n8n-nodes-woocommerce-zohocrm.zohoCrmOrderSync',
		// what the editor adds today, like the bundled workflows
		typeVersion: 2,
		position: [220 + 220 * index, 0],
		parameters: { authentication: 'refreshToken', resource, operation: 'setUpOrderIdField' },
		credentials: { zohoCrmRefreshTokenApi: zohoCredential },
	});
	const nodes = [
		{ id: '5e7a0000-0000-4000-8000-000000000001', name: SET_UP_TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		...resources.map(setUpNode),
	];
	const connections: Record<string, unknown> = {};
	nodes.slice(0, -1).forEach((node, index) => {
		connections[node.name] = { main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] };
	});
	return { id: SET_UP_WORKFLOW_ID, name: 'E2E: set up the order-id fields', nodes, connections, settings: { executionOrder: 'v1' } };
}

/** Runs the set-up workflow in n8n and returns the API names Zoho gave the fields, by resource. */
export async function setUpOrderIdFields(n8n: N8nInstance): Promise<Record<string, string>> {
	const { executionId } = await n8n.runManualWorkflow(SET_UP_WORKFLOW_ID, SET_UP_TRIGGER);
	const deadline = Date.now() + 60_000;
	let execution = await n8n.execution(executionId);
	while (!['success', 'error', 'crashed'].includes(execution.status) && Date.now() < deadline) {
		await sleep(200);
		execution = await n8n.execution(executionId);
	}
	if (execution.status !== 'success') throw new Error(`set-up run ${executionId} ended ${execution.status}: ${JSON.stringify(execution.error)}`);
	const names: Record<string, string> = {};
	for (const nodeName of Object.keys(execution.data).filter((name) => name.startsWith('Set Up Order ID Field'))) {
		const [output] = await n8n.nodeOutput(executionId, nodeName);
		names[String(output.module)] = String(output.apiName);
	}
	return names;
}

/** Stops what a test file started (n8n first, then the emulators it talks to), each if it was started at all. */
export function stopAllAfterwards(started: () => Array<{ stop(): Promise<unknown> } | undefined>) {
	afterAll(async () => {
		for (const service of started()) await service?.stop();
	}, 60_000);
}

/**
 * Starts n8n with the package, the two emulators' credentials (taken from `workflows[0]`) and `workflows`, publishing
 * `publish`; or, given the user folder (and port) of one that was killed, restarts that n8n as it was left.
 */
export async function startOrRestartN8n(
	options: { woo: WooCommerceEmulator; zoho: ZohoEmulator; workflows: Array<{ id: string; nodes: Array<{ credentials?: Record<string, CredentialRef> }> }>; publish: string[] },
	restart?: { userFolder: string; port: number },
) {
	const first = restart === undefined;
	const [main] = options.workflows;
	return await startN8n({
		userFolder: restart?.userFolder,
		port: restart?.port,
		installPackage: first,
		credentials: first
			? [
					wooCommerceCredential(credentialRef(main, 'wooCommerceStoreApi'), options.woo),
					zohoRefreshTokenCredential(credentialRef(main, 'zohoCrmRefreshTokenApi'), options.zoho),
				]
			: [],
		workflows: first ? options.workflows : [],
		publish: options.publish,
	});
}

