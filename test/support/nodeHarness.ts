/**
 * Runs the Zoho CRM Order Sync node as n8n 2.40.7 would, against the Zoho emulator over real HTTP.
 *
 * - Parameters: the node's description defaults are applied by n8n-workflow's own `Workflow` (as n8n does when it
 *   loads a workflow), and n8n-core's `getNodeParameter` evaluates `={{ … }}` expressions per item, so tests
 *   exercise the real default mapping (`$json.billing.email` …).
 * - HTTP and credentials: test/support/fakeExecuteContext.ts (n8n's request helpers, token refresh). The stored
 *   credential data is kept per emulator and credential type between runs, as n8n keeps it in its database.
 * - Output routing, copied from n8n-core/dist/execution-engine/workflow-execute.js:
 *   `handleNodeErrorOutput` (onError continueErrorOutput: items with `item.error`, or whose json has only the keys
 *   error / message / details, go to the last output, their json merged over the paired input item's json);
 *   `handleNodeExecutionError` (a node that throws in a continue mode passes its input items to output 0);
 *   retry-on-fail (`getRetryParams`: 2–5 tries; the node runs again when it throws or when `checkFailure` sees a
 *   truthy `json.error` on the first item of the first output), with a new execute context per try.
 * - `runWorkflow`: several Zoho nodes connected one after another as one execution (one workflow, execution id and
 *   flow context), for what a node does because of the nodes before or after it.
 */
import { randomUUID } from 'crypto';
import {
	Workflow,
	createRunExecutionData,
	type IConnections,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type IRunExecutionData,
} from 'n8n-workflow';

import { ZohoCrmOrderSync } from '../../nodes/ZohoCrmOrderSync/ZohoCrmOrderSync.node';
import type { ZohoEmulator } from '../emulators/zoho';
import {
	executeContext,
	TestCredentialsHelper,
	zohoCredentials,
	type ZohoCredentialType,
} from './n8nCoreContext';

export type HarnessOnError = 'continueErrorOutput' | 'continueRegularOutput' | 'stopWorkflow';

export interface RunNodeOptions {
	emulator: ZohoEmulator;
	credentialType: ZohoCredentialType;
	/** Node parameters as a workflow file holds them; anything not given gets the description's default. */
	parameters: IDataObject;
	/** Input items: plain JSON objects (e.g. WooCommerce orders) or full INodeExecutionData. */
	items: Array<IDataObject | INodeExecutionData>;
	/** Default 'continueErrorOutput'. */
	onError?: HarnessOnError;
	/** Default: a new id per runNode call (the same id for every retry-on-fail try of that call). */
	executionId?: string;
	/** Default 'Upsert Contact'. */
	nodeName?: string;
	/** n8n's node setting "Retry On Fail"; maxTries is clamped to 2–5 as n8n does (default 3). */
	retryOnFail?: { maxTries?: number };
	/** The workflow's static data (getWorkflowStaticData), as n8n keeps it between executions; default a new {}. */
	staticData?: IDataObject;
	/** The node's typeVersion (default 1; 2 has the resource locators and the "Zoho Fields" mapper). */
	typeVersion?: number;
}

export interface RunNodeResult {
	/** What the node's outputs carry after n8n's routing: [success] or, with continueErrorOutput, [success, error]. */
	output: INodeExecutionData[][];
	successItems: INodeExecutionData[];
	/** The error output (continueErrorOutput), or items with json.error on the main output in other modes. */
	errorItems: INodeExecutionData[];
	/** What the node itself returned on its last try (before n8n's error-output routing). */
	raw: INodeExecutionData[][] | undefined;
	/** The error the node threw on its last try, if it threw. */
	thrown: Error | undefined;
	/** How many times n8n ran the node (1 without retry-on-fail). */
	tries: number;
	executionId: string;
}

const NODE_TYPE = 'n8n-nodes-woocommerce-zohocrm.zohoCrmOrderSync';
const nodeType: INodeType = new ZohoCrmOrderSync();
const nodeTypes = {
	getByName: () => nodeType,
	getByNameAndVersion: (type: string) => (type === NODE_TYPE ? nodeType : undefined),
	getKnownTypes: () => ({}),
} as never;

/** Stored credential data per emulator and type: what n8n's database would hold between executions. */
const storedCredentials = new WeakMap<ZohoEmulator, Map<ZohoCredentialType, IDataObject>>();

/** The credential id the harness gives the node for this emulator (so caches and locks are per emulator). */
export function harnessCredentialId(emulator: ZohoEmulator): string {
	return `zoho-${new URL(emulator.url).port}`;
}

/** The stored credential data the next run will use (tests may read or change it). */
export function storedCredential(emulator: ZohoEmulator, credentialType: ZohoCredentialType): IDataObject {
	let byType = storedCredentials.get(emulator);
	if (!byType) {
		byType = new Map();
		storedCredentials.set(emulator, byType);
	}
	let stored = byType.get(credentialType);
	if (!stored) {
		const common = {
			dataCenter: 'custom',
			customAccountsUrl: emulator.url,
			customApiDomain: emulator.url,
			clientId: emulator.clientId,
			clientSecret: emulator.clientSecret,
		};
		stored =
			credentialType === 'zohoCrmOAuth2Api'
				? {
						...common,
						// as n8n stores it after "Connect": Zoho's token answer
						oauthTokenData: {
							access_token: emulator.issueAccessToken(),
							refresh_token: emulator.refreshToken,
							api_domain: emulator.url,
							token_type: 'Bearer',
							expires_in: 3600,
						},
					}
				: { ...common, refreshToken: emulator.refreshToken, accessToken: '', apiDomain: '' };
		byType.set(credentialType, stored);
	}
	return stored;
}

const isExecutionData = (item: IDataObject | INodeExecutionData): item is INodeExecutionData =>
	typeof item.json === 'object' && item.json !== null && !Array.isArray(item.json);

/** workflow-execute.js handleNodeErrorOutput for a one-output node (error output = index 1). */
function routeErrorOutput(returned: INodeExecutionData[][], inputItems: INodeExecutionData[]): INodeExecutionData[][] {
	const success: INodeExecutionData[] = [];
	const errors: INodeExecutionData[] = [];
	for (const item of returned[0] ?? []) {
		let isError = false;
		if (item.error) isError = true;
		else if (item.json.error && Object.keys(item.json).every((key) => ['error', 'message', 'details'].includes(key))) {
			isError = true;
		}
		if (!isError) {
			success.push(item);
			continue;
		}
		const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
		const pairedIndex = typeof paired === 'object' && paired !== null ? paired.item : undefined;
		const source = pairedIndex === undefined ? undefined : inputItems[pairedIndex];
		errors.push(source ? { ...item, json: { ...source.json, ...item.json } } : item);
	}
	return [success, errors];
}

/** checkFailure in workflow-execute.js: does n8n's retry-on-fail run the node again? */
function checkFailure(returned: INodeExecutionData[][] | undefined): boolean {
	const error = returned?.[0]?.[0]?.json?.error;
	return error !== undefined && error !== null && error !== false;
}

/** The Zoho node as a workflow file holds it, with the harness's credential for `emulator`. */
function harnessNode(options: RunNodeOptions): INode {
	const { emulator, credentialType } = options;
	const onError = options.onError ?? 'continueErrorOutput';
	return {
		id: `zoho-node-${options.nodeName ?? 'Upsert Contact'}`,
		name: options.nodeName ?? 'Upsert Contact',
		type: NODE_TYPE,
		typeVersion: options.typeVersion ?? 1,
		position: [0, 0],
		parameters: {
			authentication: credentialType === 'zohoCrmOAuth2Api' ? 'oAuth2' : 'refreshToken',
			...(JSON.parse(JSON.stringify(options.parameters)) as INodeParameters),
		},
		credentials: { [credentialType]: { id: harnessCredentialId(emulator), name: 'Zoho test' } },
		onError: onError === 'stopWorkflow' ? undefined : onError,
		retryOnFail: options.retryOnFail !== undefined,
		maxTries: options.retryOnFail?.maxTries,
	};
}

/**
 * n8n's Workflow around `nodes`, each one's first (success) output connected to the next. n8n's Workflow adds
 * every visible parameter's default to node.parameters (NodeHelpers.getNodeParameters).
 */
function harnessWorkflow(nodes: INode[], staticData: IDataObject | undefined): Workflow {
	const connections: IConnections = {};
	nodes.slice(1).forEach((next, index) => {
		connections[nodes[index].name] = { main: [[{ node: next.name, type: 'main', index: 0 }]] };
	});
	return new Workflow({
		id: 'wf-harness',
		name: 'Harness',
		nodes,
		connections,
		active: true,
		nodeTypes,
		// n8n-workflow wraps this object (ObservableObject), so what the node stores lands in it: pass one object to
		// several runs to keep it between executions, as n8n's database does
		staticData: staticData ?? {},
	});
}

export async function runNode(options: RunNodeOptions): Promise<RunNodeResult> {
	const node = harnessNode(options);
	const workflow = harnessWorkflow([node], options.staticData);
	return await runNodeOf(workflow, node.name, options, createRunExecutionData());
}

export interface WorkflowStep {
	name: string;
	/** Node parameters as a workflow file holds them. */
	parameters: IDataObject;
	onError?: HarnessOnError;
}

export type RunWorkflowOptions = Omit<RunNodeOptions, 'parameters' | 'nodeName' | 'onError' | 'retryOnFail'> & {
	/** Zoho nodes in the order they are connected: each one's success output feeds the next. */
	steps: WorkflowStep[];
};

/**
 * One n8n execution of Zoho nodes connected one after another: one Workflow holding all of them (a node sees the
 * nodes after it, getChildNodes), one execution id and one run-execution data (the flow context n8n keeps per
 * execution). A node runs when the one before it put items on its success output, as n8n runs them; the results
 * of the nodes that ran are returned in order.
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<RunNodeResult[]> {
	const stepOptions = options.steps.map((step) => ({ ...options, parameters: step.parameters, nodeName: step.name, onError: step.onError }));
	const workflow = harnessWorkflow(stepOptions.map(harnessNode), options.staticData);
	const runExecutionData = createRunExecutionData();
	const executionId = options.executionId ?? randomUUID();
	const results: RunNodeResult[] = [];
	let items = options.items;
	for (const step of stepOptions) {
		if (!items.length) break;
		const result = await runNodeOf(workflow, step.nodeName, { ...step, items, executionId }, runExecutionData);
		results.push(result);
		items = result.successItems;
	}
	return results;
}

/** Runs the node `nodeName` of `workflow` once, with n8n's retry-on-fail and output routing (see the file comment). */
async function runNodeOf(
	workflow: Workflow,
	nodeName: string,
	options: RunNodeOptions,
	runExecutionData: IRunExecutionData,
): Promise<RunNodeResult> {
	const { emulator, credentialType } = options;
	const onError = options.onError ?? 'continueErrorOutput';
	const executionId = options.executionId ?? randomUUID();
	const inputItems: INodeExecutionData[] = options.items.map((item, index) =>
		isExecutionData(item)
			? (JSON.parse(JSON.stringify(item)) as INodeExecutionData)
			: { json: JSON.parse(JSON.stringify(item)) as IDataObject, pairedItem: { item: index } },
	);
	const workflowNode = workflow.getNode(nodeName) as INode;
	const runOnce = async (): Promise<INodeExecutionData[][]> => {
		// n8n persists refreshed tokens (preAuthentication / OAuth2 refresh) in its database: the helper writes to `stored`
		const store = { stored: storedCredential(emulator, credentialType), tokenRequests: 0 };
		const credentialsHelper = new TestCredentialsHelper(zohoCredentials[credentialType], store);
		const context = executeContext({ workflow, node: workflowNode, credentialsHelper, executionId, items: inputItems, runExecutionData });
		return (await nodeType.execute!.call(context)) as INodeExecutionData[][];
	};

	// workflow-execute.js getRetryParams + the try loop around runNode
	const maxTries = options.retryOnFail ? Math.min(5, Math.max(2, options.retryOnFail.maxTries || 3)) : 1;
	let raw: INodeExecutionData[][] | undefined;
	let thrown: Error | undefined;
	let tries = 0;
	for (let tryIndex = 0; tryIndex < maxTries; tryIndex++) {
		thrown = undefined;
		raw = undefined;
		try {
			tries++;
			raw = await runOnce();
			while (checkFailure(raw) && tryIndex !== maxTries - 1) {
				tries++;
				raw = await runOnce();
				tryIndex++;
			}
			break;
		} catch (error) {
			thrown = error as Error;
		}
	}

	let output: INodeExecutionData[][];
	if (thrown) {
		if (onError === 'stopWorkflow') output = [];
		// handleNodeExecutionError: the input items go on, unprocessed, to output 0
		else output = onError === 'continueErrorOutput' ? [inputItems, []] : [inputItems];
	} else if (onError === 'continueErrorOutput') {
		output = routeErrorOutput(raw ?? [[]], inputItems);
	} else {
		output = raw ?? [[]];
	}
	const successItems =
		onError === 'continueErrorOutput' ? (output[0] ?? []) : (output[0] ?? []).filter((item) => !item.json.error);
	const errorItems =
		onError === 'continueErrorOutput' ? (output[1] ?? []) : (output[0] ?? []).filter((item) => item.json.error);
	return { output, successItems, errorItems, raw, thrown, tries, executionId };
}
