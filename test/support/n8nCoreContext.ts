/**
 * Node contexts from n8n-core itself (the version n8n 2.40.7 ships): `ExecuteContext` and `LoadOptionsContext`
 * with n8n-core's own request helpers — httpRequest, httpRequestWithAuthentication with the OAuth2 refresh
 * (requestOAuth2) and preAuthentication retries — and n8n-workflow's parameter and expression handling.
 *
 * The one imitation left is the credentials helper (`TestCredentialsHelper`): n8n's lives in the `n8n` CLI
 * package (credentials-helper.ts, with its database and encryption), not in n8n-core, so it cannot be used
 * outside n8n. It does what that one does for these credentials: stored data plus property defaults with
 * `={{ }}` expressions resolved ($self), generic `authenticate` rules, preAuthentication when the expirable field
 * is empty or the token expired, and storing what preAuthentication and OAuth2 refreshes return.
 */
import {
	ICredentialsHelper,
	Workflow,
	createRunExecutionData,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialType,
	type IDataObject,
	type IExecuteData,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type IPollFunctions,
	type IRequestOptionsSimplified,
	type IRunExecutionData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Request, Response } from 'express';
import {
	CredentialTestContext,
	ExecuteContext,
	HookContext,
	LoadOptionsContext,
	PollContext,
	WebhookContext,
} from 'n8n-core';

import { ZohoCrmOAuth2Api } from '../../credentials/ZohoCrmOAuth2Api.credentials';
import { ZohoCrmRefreshTokenApi } from '../../credentials/ZohoCrmRefreshTokenApi.credentials';
import { ZohoCrmOrderSync } from '../../nodes/ZohoCrmOrderSync/ZohoCrmOrderSync.node';

// n8n-core's InstanceSettings keeps a settings file in the n8n user folder: a throw-away one, not ~/.n8n
process.env.N8N_USER_FOLDER ??= mkdtempSync(path.join(tmpdir(), 'n8n-core-test-'));

export interface CredentialStore {
	/** What n8n's database holds for the credential: preAuthentication and OAuth2 refreshes write here. */
	stored: IDataObject;
	/** Token requests made so far: OAuth2 refreshes and preAuthentication calls. */
	tokenRequests: number;
}

/** n8n's CredentialsHelper for one credential (see the file comment for why this is not n8n's own). */
export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly type: string;

	constructor(
		private readonly credential: ICredentialType,
		private readonly store: CredentialStore,
	) {
		super();
		this.type = credential.name;
	}

	getParentTypes(name: string): string[] {
		return name === this.type ? [...(this.credential.extends ?? [])] : [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	/** Stored data + defaults, expressions resolved with $self (applyDefaultsAndOverwrites). */
	resolved(): ICredentialDataDecryptedObject {
		const data: IDataObject = {};
		for (const property of this.credential.properties) data[property.name] = property.default as IDataObject[string];
		Object.assign(data, JSON.parse(JSON.stringify(this.store.stored)) as IDataObject);
		const resolved = expressionWorkflow.expression.getComplexParameterValue(
			mockNode,
			data as INodeParameters,
			'internal',
			{},
			undefined,
			undefined,
			data,
		) as IDataObject;
		if (this.store.stored.oauthTokenData !== undefined) resolved.oauthTokenData = this.store.stored.oauthTokenData;
		return resolved as ICredentialDataDecryptedObject;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		if (type !== this.type) throw new Error(`No credential of type "${type}" in this test`);
		return this.resolved();
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used by these nodes');
	}

	getCredentialsProperties(): INodeProperties[] {
		return this.credential.properties;
	}

	async updateCredentials(_details: INodeCredentialsDetails, _type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		Object.assign(this.store.stored, data);
	}

	async updateCredentialsOauthTokenData(
		_details: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store.tokenRequests++;
		this.store.stored.oauthTokenData = data.oauthTokenData;
	}

	/** A generic `authenticate` (headers, qs, body, auth with `={{ $credentials.x }}`) or the credential's function. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
	): Promise<IHttpRequestOptions> {
		const authenticate = this.credential.authenticate;
		const options = requestOptions as IHttpRequestOptions;
		if (typeof authenticate === 'function') return await authenticate(credentials, options);
		if (!authenticate || authenticate.type !== 'generic') return options;
		const resolve = (value: unknown) =>
			typeof value === 'string' && value.startsWith('=')
				? String(
						expressionWorkflow.expression.getSimpleParameterValue(
							mockNode,
							value,
							'internal',
							{ $credentials: credentials } as never,
							undefined,
							'',
						) ?? '',
					)
				: value;
		const signed: IDataObject = { ...(options as unknown as IDataObject) };
		for (const [key, values] of Object.entries(authenticate.properties)) {
			const target = { ...((signed[key] as IDataObject | undefined) ?? {}) };
			for (const [name, value] of Object.entries(values as IDataObject)) target[String(resolve(name))] = resolve(value) as string;
			signed[key] = target;
		}
		return signed as unknown as IHttpRequestOptions;
	}

	/** credentials-helper preAuthentication: when the expirable field is empty, or after a 401. */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		if (typeName !== this.type || typeof this.credential.preAuthentication !== 'function') return undefined;
		const expirable = this.credential.properties.find((property) => property.typeOptions?.expirable === true);
		if (!expirable) return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		return await this.runPreAuthentication(helpers, credentials);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const expirable = this.credential.properties.find((property) => property.typeOptions?.expirable === true);
		if (!expirable || typeof this.credential.preAuthentication !== 'function') return undefined;
		this.store.tokenRequests++;
		const output = await this.credential.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		Object.assign(this.store.stored, output);
		return output as ICredentialDataDecryptedObject;
	}
}

/**
 * A workflow around one node, as n8n builds it (description defaults filled in by n8n-workflow). `staticData`
 * becomes the node's static data (getWorkflowStaticData('node')), so a test can read what the node kept.
 */
export function workflowFor(
	node: INode,
	nodeType: INodeType,
	{ staticData, name = 'Test', id = 'wf-test' }: { staticData?: IDataObject; name?: string; id?: string } = {},
): Workflow {
	return new Workflow({
		id,
		name,
		nodes: [node],
		connections: {},
		active: true,
		staticData: staticData ? { [`node:${node.name}`]: staticData } : undefined,
		nodeTypes: {
			getByName: () => nodeType,
			getByNameAndVersion: () => nodeType,
			getKnownTypes: () => ({}),
		} as never,
	});
}

export interface CoreContextOptions {
	workflow: Workflow;
	node: INode;
	credentialsHelper: ICredentialsHelper;
	executionId?: string;
	/** Input items of an execute context. */
	items?: INodeExecutionData[];
	/** The node the items come from ($prevNode), default 'Start'. */
	previousNode?: string;
	/** What n8n keeps of the running execution (its flow context included); default a new one per context. */
	runExecutionData?: IRunExecutionData;
	/** Base of getNodeWebhookUrl(): `<webhookBaseUrl>/<node.webhookId>/<path>`. */
	webhookBaseUrl?: string;
	/** The express request and response of a webhook call. */
	request?: Request;
	response?: Response;
}

function additionalDataFor(options: CoreContextOptions): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: options.credentialsHelper,
		executionId: options.executionId,
		restApiUrl: 'http://127.0.0.1',
		instanceBaseUrl: 'http://127.0.0.1',
		webhookBaseUrl: options.webhookBaseUrl ?? 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		variables: {},
		httpRequest: options.request,
		httpResponse: options.response,
	} as unknown as IWorkflowExecuteAdditionalData;
}

/** n8n-core's ExecuteContext for one run of `node` over `items`. */
export function executeContext(options: CoreContextOptions): ExecuteContext {
	const node = options.workflow.getNode(options.node.name) as INode;
	const items = options.items ?? [{ json: {} }];
	const executeData: IExecuteData = { node, data: { main: [items] }, source: { main: [{ previousNode: options.previousNode ?? 'Start' }] } };
	return new ExecuteContext(
		options.workflow,
		node,
		additionalDataFor(options),
		'trigger',
		options.runExecutionData ?? createRunExecutionData(),
		0,
		items,
		{ main: [items] },
		executeData,
		[],
	);
}

/** n8n-core's LoadOptionsContext for `node` (the editor's dropdowns). */
export function loadOptionsContext(options: CoreContextOptions): LoadOptionsContext {
	const node = options.workflow.getNode(options.node.name) as INode;
	return new LoadOptionsContext(options.workflow, node, additionalDataFor(options), '');
}

/**
 * n8n-core's PollContext (a poll trigger's run). `emit` / `emitError` stand in for what n8n's CLI passes as
 * `__emit` / `__emitError` (start an execution; record a failed one); without them n8n-core's own throw.
 */
export function pollContext(
	options: CoreContextOptions,
	mode: 'manual' | 'trigger' = 'trigger',
	engine: { emit?: IPollFunctions['__emit']; emitError?: IPollFunctions['__emitError'] } = {},
): PollContext {
	const node = options.workflow.getNode(options.node.name) as INode;
	return new PollContext(options.workflow, node, additionalDataFor(options), mode, 'activate', engine.emit, engine.emitError);
}

/** n8n-core's HookContext (webhook checkExists / create / delete on activation). */
export function hookContext(options: CoreContextOptions): HookContext {
	const node = options.workflow.getNode(options.node.name) as INode;
	return new HookContext(options.workflow, node, additionalDataFor(options), 'trigger', 'activate');
}

/** n8n-core's WebhookContext for one request to the node's `default` webhook. */
export function webhookContext(options: CoreContextOptions & { request: Request; response: Response }): WebhookContext {
	const node = options.workflow.getNode(options.node.name) as INode;
	const webhookData = {
		httpMethod: 'POST',
		node: node.name,
		path: 'webhook',
		webhookDescription: { name: 'default', httpMethod: 'POST', path: 'webhook' },
		workflowId: options.workflow.id,
		workflowExecuteAdditionalData: additionalDataFor(options),
	} as never;
	return new WebhookContext(options.workflow, node, additionalDataFor(options), 'trigger', webhookData, [], null);
}

/** n8n-core's `helpers.httpRequest` (axios through n8n's outbound HTTP client), as any node context has it. */
export async function n8nHttpRequest(options: IHttpRequestOptions): Promise<any> {
	const node: INode = { ...mockNode, name: 'HTTP' };
	const workflow = workflowFor(node, { description: { properties: [] } } as unknown as INodeType);
	const context = executeContext({ workflow, node, credentialsHelper: undefined as never });
	return await context.helpers.httpRequest(options);
}

/** n8n-core's CredentialTestContext: what a credential test (`testedBy`) runs in, with n8n's legacy `helpers.request`. */
export function credentialTestContext(): CredentialTestContext {
	const context = new CredentialTestContext(
		additionalDataFor({ workflow: expressionWorkflow, node: mockNode, credentialsHelper: undefined as never }),
	);
	recordedLogger(context);
	return context;
}

/**
 * Gives a context a logger whose calls a test can read (n8n's own is one process-wide instance that jest cannot
 * spy on): what the node logs through `this.logger` is recorded, not printed.
 */
export function recordedLogger(context: object) {
	const logger = { warn: jest.fn(), debug: jest.fn(), info: jest.fn(), error: jest.fn(), verbose: jest.fn() };
	Object.defineProperty(context, 'logger', { value: logger });
	return logger;
}

// ---- Zoho credentials -------------------------------------------------------------------------------------------

export type ZohoCredentialType = 'zohoCrmOAuth2Api' | 'zohoCrmRefreshTokenApi';

export const zohoCredentials: Record<ZohoCredentialType, ICredentialType> = {
	zohoCrmOAuth2Api: new ZohoCrmOAuth2Api(),
	zohoCrmRefreshTokenApi: new ZohoCrmRefreshTokenApi(),
};

export const mockNode: INode = {
	id: 'mock',
	name: 'mock',
	typeVersion: 1,
	type: 'mock',
	position: [0, 0],
	parameters: {},
};

/** A workflow with one mock node, only to evaluate `={{ }}` expressions with n8n's own engine. */
export const expressionWorkflow = new Workflow({
	nodes: [mockNode],
	connections: {},
	active: false,
	nodeTypes: {
		getByName: () => ({ description: { properties: [] } }),
		getByNameAndVersion: () => ({ description: { properties: [] } }),
		getKnownTypes: () => ({}),
	} as never,
});

/** A Zoho credential's data as n8n hands it to a node: stored data + defaults, expressions resolved. */
export function resolveCredentialData(type: ZohoCredentialType, stored: IDataObject): IDataObject {
	const helper = new TestCredentialsHelper(zohoCredentials[type], { stored, tokenRequests: 0 });
	return helper.resolved();
}

const zohoNodeType: INodeType = new ZohoCrmOrderSync();

export interface ZohoContextOptions {
	credentialType: ZohoCredentialType;
	/** Stored credential data (what n8n keeps in its database, before defaults and expressions). */
	credentials: IDataObject;
	credentialId?: string;
	/** Node parameters; 'authentication' is derived from credentialType unless given. */
	nodeParameters?: IDataObject;
	/** A LoadOptionsContext (the editor's dropdowns) instead of an ExecuteContext. */
	kind?: 'execute' | 'loadOptions';
	/** The node type (its credentials and parameter defaults); default the Zoho CRM Order Sync node. */
	nodeType?: INodeType;
	items?: INodeExecutionData[];
	executionId?: string;
	nodeName?: string;
}

export interface ZohoContext<T> {
	context: T;
	/** The stored credential data; preAuthentication and OAuth2 refreshes write here, as n8n persists them. */
	stored: IDataObject;
	/** How many token requests were made (OAuth2 refreshes and preAuthentication calls). */
	tokenRequests: () => number;
	workflow: Workflow;
	node: INode;
}

/** An n8n-core context for a node using a Zoho credential (stored data is copied: read it back from `stored`). */
export function createZohoContext(options: ZohoContextOptions & { kind: 'loadOptions' }): ZohoContext<LoadOptionsContext>;
export function createZohoContext(options: ZohoContextOptions): ZohoContext<ExecuteContext>;
export function createZohoContext(options: ZohoContextOptions): ZohoContext<ExecuteContext | LoadOptionsContext> {
	const { credentialType } = options;
	const store: CredentialStore = { stored: JSON.parse(JSON.stringify(options.credentials)) as IDataObject, tokenRequests: 0 };
	const node: INode = {
		id: 'node-1',
		name: options.nodeName ?? 'Zoho CRM Order Sync',
		type: 'n8n-nodes-woocommerce-zohocrm.zohoCrmOrderSync',
		typeVersion: 1,
		position: [0, 0],
		parameters: {
			authentication: credentialType === 'zohoCrmOAuth2Api' ? 'oAuth2' : 'refreshToken',
			...(JSON.parse(JSON.stringify(options.nodeParameters ?? {})) as INodeParameters),
		},
		credentials: { [credentialType]: { id: options.credentialId ?? 'cred-1', name: 'Zoho test' } },
	};
	const workflow = workflowFor(node, options.nodeType ?? zohoNodeType);
	const credentialsHelper = new TestCredentialsHelper(zohoCredentials[credentialType], store);
	const coreOptions = { workflow, node, credentialsHelper, executionId: options.executionId, items: options.items };
	const context = options.kind === 'loadOptions' ? loadOptionsContext(coreOptions) : executeContext(coreOptions);
	return {
		context,
		stored: store.stored,
		tokenRequests: () => store.tokenRequests,
		workflow,
		node: workflow.getNode(node.name) as INode,
	};
}
