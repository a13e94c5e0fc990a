/** Types for harness.js (a real, pinned n8n for end-to-end tests). */

export interface StartOptions {
	/** default: a fresh temp dir under .n8n-test/ */
	userFolder?: string;
	/** default: a free port */
	port?: number;
	/** n8n credential export objects { id, name, type, data } with plain `data` (encrypted on import) */
	credentials?: object[];
	/** workflow JSON objects, each with an id */
	workflows?: object[];
	/** workflow ids published before start; default: every imported workflow with a trigger other than manual */
	publish?: string[];
	/** extra / overriding environment for n8n */
	env?: Record<string, string>;
	/** install the packed package into the user folder (default true; needs `npm run build`) */
	installPackage?: boolean;
	/** do not fail start when a published workflow fails to activate (default false) */
	allowActivationErrors?: boolean;
	/** echo n8n's output to this process's stdout (default: N8N_HARNESS_ECHO=1) */
	echo?: boolean;
	/** default 120000 */
	startTimeoutMs?: number;
}

export interface ExecutionSummary {
	id: string;
	status: string;
	workflowId: string;
	mode: string;
	startedAt: string;
	stoppedAt?: string;
	finished?: boolean;
}

export interface NodeRun {
	startTime: number;
	executionTime: number;
	executionStatus?: string;
	error?: { message: string; description?: string; [key: string]: unknown };
	data?: { main?: Array<Array<{ json: Record<string, any>; [key: string]: unknown }> | null> };
	[key: string]: unknown;
}

export interface ExecutionDetail {
	id: string;
	status: string;
	workflowId: string;
	mode: string;
	/** resultData.runData: node name → runs */
	data: Record<string, NodeRun[]>;
	/** resultData.error, if the execution failed */
	error?: { message: string; [key: string]: unknown };
	lastNodeExecuted?: string;
	/** the whole parsed execution data */
	full: any;
}

export interface PublicationStatus {
	status: 'not_published' | 'in_progress' | 'published' | 'partial' | 'failed';
	liveVersionId: string | null;
	pendingVersionId: string | null;
	triggers: Array<{ nodeId: string; status: string; errorMessage: string | null }>;
}

export interface HttpResult {
	status: number;
	text: string;
	json: any;
}

export interface N8nInstance {
	readonly baseUrl: string;
	readonly port: number;
	readonly userFolder: string;
	/** the environment n8n runs with (use it for runCli) */
	readonly env: Record<string, string>;
	/** `${baseUrl}/webhook/${webhookId}/${path ?? 'webhook'}` */
	webhookUrl(webhookId: string, path?: string): string;
	/** internal REST (`/rest` + path) with the owner session (set up on first use); returns the parsed `.data` */
	rest(method: string, path: string, body?: unknown): Promise<any>;
	/** any request with the owner session; does not throw on HTTP errors */
	request(method: string, path: string, body?: unknown): Promise<HttpResult>;
	/** GET /types/nodes.json: the node type descriptions the editor sees */
	nodeTypes(): Promise<Array<{ name: string; displayName: string; [key: string]: any }>>;
	/** GET /types/credentials.json */
	credentialTypes(): Promise<Array<{ name: string; displayName: string; [key: string]: any }>>;
	executions(workflowId?: string): Promise<ExecutionSummary[]>;
	execution(id: string): Promise<ExecutionDetail>;
	/** json of the items on that output of that node's last run; throws if the node did not run */
	nodeOutput(executionId: string, nodeName: string, outputIndex?: number): Promise<Array<Record<string, any>>>;
	/** polls until at least `count` executions exist (finished ones only unless finished: false); default 30 s */
	waitForExecutions(
		count: number,
		options?: { workflowId?: string; timeoutMs?: number; finished?: boolean },
	): Promise<ExecutionSummary[]>;
	/** runs a workflow from a manual trigger inside the server, as the editor's button does */
	runManualWorkflow(workflowId: string, triggerNodeName: string): Promise<{ executionId: string }>;
	publicationStatus(workflowId: string): Promise<PublicationStatus>;
	waitForPublication(
		workflowId: string,
		options?: { timeoutMs?: number; expect?: Array<PublicationStatus['status']> },
	): Promise<PublicationStatus>;
	/** publishes the current version (POST /rest/workflows/<id>/activate) and waits until its triggers are settled */
	activateWorkflow(workflowId: string): Promise<PublicationStatus>;
	/** unpublishes (POST /rest/workflows/<id>/deactivate; runs webhook `delete`) and waits until not_published */
	deactivateWorkflow(workflowId: string): Promise<PublicationStatus>;
	/** an n8n Data Table by name (id, projectId …); undefined if there is none */
	dataTable(tableName: string): Promise<{ id: string; projectId: string; name: string } | undefined>;
	/** inserts rows into an n8n Data Table by name, as the editor does; answers what n8n answers (the count) */
	dataTableInsert(tableName: string, rows: Array<Record<string, unknown>>): Promise<unknown>;
	/** rows of an n8n Data Table by name; [] if the table does not exist */
	dataTableRows(tableName: string): Promise<Array<Record<string, any>>>;
	/** n8n stdout + stderr so far */
	logs(): string;
	/** the last `lines` lines of logs() (default 80) */
	logsTail(lines?: number): string;
	/** SIGTERM to n8n's process group, wait for exit (SIGKILL after 20 s); keeps the user folder */
	stop(): Promise<void>;
	/** SIGKILL to n8n's process group (a crash); keeps the user folder */
	kill(): Promise<void>;
	/** set by spawnN8nProcess (main, webhook, worker1 …); names the log file written at stop() */
	readonly label?: string;
	/** resolves when the process has exited */
	readonly exited: Promise<{ code: number | null; signal: string | null }>;
}

export function startN8n(options?: StartOptions): Promise<N8nInstance>;
/** `npm pack` of the built repo into a temp dir, once per process; returns the .tgz path */
export function packPackage(): Promise<string>;
/** extracts the tarball into <userFolder>/.n8n/nodes/node_modules/<name> and lists it in .n8n/nodes/package.json */
export function installPackageInto(userFolder: string, tgz: string): void;
/** the environment n8n runs with (server and CLI) */
export function n8nEnv(options: {
	userFolder: string;
	port: number;
	brokerPort: number;
	extra?: Record<string, string>;
}): Record<string, string>;
/** runs `n8n <args>` on Node 24 with that environment; resolves with its output */
export function runCli(env: Record<string, string>, args: string[]): Promise<string>;
export function importCredentials(env: Record<string, string>, credentials: object[]): Promise<void>;
export function importWorkflows(env: Record<string, string>, workflows: object[]): Promise<void>;
export function publishWorkflow(env: Record<string, string>, workflowId: string): Promise<void>;
/** ids of the workflows that the default `publish` would publish */
export function publishableWorkflowIds(workflows: object[]): string[];
export function getFreePort(): Promise<number>;
/** a UUID, as n8n uses for node webhook ids */
export function newWebhookId(): string;

export const NODE_TYPE_PREFIX: 'n8n-nodes-woocommerce-zohocrm.';
export const PACKAGE_NAME: string;
export const OWNER: Readonly<{ email: string; password: string; firstName: string; lastName: string }>;
export const TEST_ENCRYPTION_KEY: string;
export const REPO_ROOT: string;
export const RUNTIME_DIR: string;
export const N8N_BIN: string;
export const NODE24_BIN: string;
