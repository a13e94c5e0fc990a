/**
 * A fake n8n execute / load-options context for unit tests. Its request helpers send real HTTP (axios, the
 * client n8n itself uses, so nock intercepts) and copy n8n 2.40.7's semantics, read from
 * n8n-core/dist/execution-engine/node-execution-context/utils/request-helpers/{authentication,oauth}.js,
 * @n8n/backend-network/dist/http/axios/request.js, @n8n/client-oauth2 and n8n/dist/credentials-helper.js:
 *
 * - httpRequest: throws axios' error on non-2xx unless ignoreHttpStatusErrors; returnFullResponse gives
 *   { body, headers, statusCode, statusMessage }.
 * - httpRequestWithAuthentication, OAuth2 credential (extends oAuth2Api): signs with the stored token
 *   (ClientOAuth2Token.sign: "Bearer <token>" header, or ?access_token= for any other token type; keepBearer
 *   false keeps only the token), and on a thrown 401 refreshes (POST accessTokenUrl grant_type=refresh_token,
 *   merges the new token data over the old, persists it) and retries once. Errors are wrapped in NodeApiError.
 * - other credentials: preAuthentication when the hidden expirable field is '' (and again with
 *   credentialsExpired after a thrown 401, then one retry), persisting every key it returns; then the
 *   credential's generic `authenticate`. Errors are wrapped in NodeApiError.
 * - getCredentials: stored data + property defaults, with `={{ }}` expressions resolved with `$self`, as
 *   credentials-helper applyDefaultsAndOverwrites does.
 */
import axios, { type AxiosRequestConfig, type AxiosResponse } from 'axios';
import {
	NodeApiError,
	NodeOperationError,
	UserError,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type INodeParameters,
	type IOAuth2Options,
	type IAdditionalCredentialOptions,
	type IAuthenticateGeneric,
} from 'n8n-workflow';

import { ZohoCrmOAuth2Api } from '../../credentials/ZohoCrmOAuth2Api.credentials';
import { ZohoCrmRefreshTokenApi } from '../../credentials/ZohoCrmRefreshTokenApi.credentials';

export type FakeCredentialType = 'zohoCrmOAuth2Api' | 'zohoCrmRefreshTokenApi';

export interface RecordedRequest {
	method: string;
	url: string;
	authorization: string | undefined;
	ignoreHttpStatusErrors: boolean;
}

export interface FakeContextOptions {
	credentialType: FakeCredentialType;
	/** Stored credential data (what n8n keeps in its database, before defaults and expressions). */
	credentials: IDataObject;
	credentialId?: string;
	/** Node parameters; 'authentication' is derived from credentialType unless given. */
	nodeParameters?: IDataObject;
	/** Build an ILoadOptionsFunctions-shaped context (getNodeParameter(name, fallback), no getInputData). */
	kind?: 'execute' | 'loadOptions';
}

export interface FakeContext<T> {
	context: T;
	/** The stored credential data; preAuthentication and OAuth2 refreshes write here, as n8n persists them. */
	stored: IDataObject;
	/** Every HTTP request the helpers sent (CRM and token calls). */
	requests: RecordedRequest[];
	/** How many token requests were made (OAuth2 refreshes and preAuthentication calls). */
	tokenRequests: () => number;
}

const credentialClasses: Record<FakeCredentialType, ICredentialType> = {
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

/** Stored data + defaults, expressions resolved with $self (credentials-helper applyDefaultsAndOverwrites). */
export function resolveCredentialData(type: FakeCredentialType, stored: IDataObject): IDataObject {
	const data: IDataObject = {};
	for (const property of credentialClasses[type].properties) {
		data[property.name] = property.default as IDataObject[string];
	}
	Object.assign(data, JSON.parse(JSON.stringify(stored)) as IDataObject);
	const resolved = expressionWorkflow.expression.getComplexParameterValue(
		mockNode,
		data as INodeParameters,
		'internal',
		{},
		undefined,
		undefined,
		data,
	) as IDataObject;
	if (stored.oauthTokenData !== undefined) resolved.oauthTokenData = stored.oauthTokenData;
	return resolved;
}

function resolveValue(value: string, credentials: IDataObject): string {
	if (!value.startsWith('=')) return value;
	const result = expressionWorkflow.expression.getSimpleParameterValue(
		mockNode,
		value,
		'internal',
		{ $credentials: credentials } as never,
		undefined,
		'',
	);
	return result ? String(result) : '';
}

interface AxiosLikeError extends Error {
	response?: { status: number; data: unknown; headers: unknown };
}

export function createFakeExecuteContext(options: FakeContextOptions): FakeContext<IExecuteFunctions>;
export function createFakeExecuteContext(
	options: FakeContextOptions & { kind: 'loadOptions' },
): FakeContext<ILoadOptionsFunctions>;
export function createFakeExecuteContext(
	options: FakeContextOptions,
): FakeContext<IExecuteFunctions | ILoadOptionsFunctions> {
	const credentialType = options.credentialType;
	const stored: IDataObject = JSON.parse(JSON.stringify(options.credentials)) as IDataObject;
	const requests: RecordedRequest[] = [];
	let tokenRequests = 0;
	const nodeParameters: IDataObject = {
		authentication: credentialType === 'zohoCrmOAuth2Api' ? 'oAuth2' : 'refreshToken',
		...(options.nodeParameters ?? {}),
	};
	const node: INode = {
		id: 'node-1',
		name: 'Zoho CRM Order Sync',
		type: 'n8n-nodes-woocommerce-zohocrm.zohoCrmOrderSync',
		typeVersion: 1,
		position: [0, 0],
		parameters: nodeParameters as INodeParameters,
		credentials: { [credentialType]: { id: options.credentialId ?? 'cred-1', name: 'Zoho test' } },
	};

	const getCredentials = async (type: string) => {
		if (type !== credentialType) {
			throw new NodeOperationError(node, `Node "${node.name}" does not have any credentials of type "${type}" set`);
		}
		return resolveCredentialData(credentialType, stored) as ICredentialDataDecryptedObject;
	};

	/** this.helpers.httpRequest as n8n 2.40 builds the axios request (convertN8nRequestToAxios). */
	const httpRequest = async (requestOptions: IHttpRequestOptions): Promise<unknown> => {
		const method = (requestOptions.method ?? 'GET').toUpperCase();
		const headers: Record<string, string> = { ...((requestOptions.headers as Record<string, string>) ?? {}) };
		const config: AxiosRequestConfig = {
			method,
			url: requestOptions.url,
			baseURL: requestOptions.baseURL,
			headers,
			params: requestOptions.qs,
			timeout: requestOptions.timeout,
			proxy: false,
			maxRedirects: 0,
		};
		const { body } = requestOptions;
		if (
			body !== undefined &&
			method !== 'GET' &&
			(typeof body === 'string' || (typeof body === 'object' && body !== null && Object.keys(body).length))
		) {
			config.data = body;
		}
		if (requestOptions.json && !Object.keys(headers).some((name) => name.toLowerCase() === 'accept')) {
			headers.Accept = 'application/json';
		}
		if (requestOptions.ignoreHttpStatusErrors) config.validateStatus = () => true;
		requests.push({
			method,
			url: `${requestOptions.baseURL ?? ''}${requestOptions.url}`,
			authorization: headers.Authorization,
			ignoreHttpStatusErrors: Boolean(requestOptions.ignoreHttpStatusErrors),
		});
		const result: AxiosResponse = await axios.request(config);
		if (requestOptions.returnFullResponse) {
			return {
				body: result.data,
				headers: result.headers,
				statusCode: result.status,
				statusMessage: result.statusText,
			};
		}
		return result.data;
	};

	// ---- OAuth2 (n8n-core request-helpers/oauth.js requestOAuth2, isN8nRequest = true) ----
	const signOAuth2 = (
		tokenData: IDataObject,
		requestOptions: IHttpRequestOptions,
		oAuth2Options: IOAuth2Options | undefined,
	): IHttpRequestOptions => {
		const property = oAuth2Options?.property;
		const propertyValue = property ? (tokenData[property] as string | undefined) : undefined;
		const accessToken = propertyValue || (tokenData.access_token as string | undefined);
		const tokenType = String(oAuth2Options?.tokenType || tokenData.token_type || 'bearer').toLowerCase();
		if (!accessToken) throw new Error('Unable to sign without access token');
		const signed: IHttpRequestOptions = { ...requestOptions, headers: { ...(requestOptions.headers ?? {}) } };
		const signedHeaders = signed.headers as Record<string, string>;
		if (tokenType === 'bearer') {
			signedHeaders.Authorization = `Bearer ${accessToken}`;
		} else {
			const [url, fragment] = signed.url.split('#');
			signed.url = `${url}${url.includes('?') ? '&' : '?'}access_token=${accessToken}${fragment ? `#${fragment}` : ''}`;
			signedHeaders.Pragma = 'no-store';
			signedHeaders['Cache-Control'] = 'no-store';
		}
		if (oAuth2Options?.keepBearer === false && typeof signedHeaders.Authorization === 'string') {
			signedHeaders.Authorization = signedHeaders.Authorization.split(' ')[1];
		}
		if (oAuth2Options?.keyToIncludeInAccessTokenHeader) {
			signedHeaders[oAuth2Options.keyToIncludeInAccessTokenHeader] = accessToken;
		}
		return signed;
	};

	/** ClientOAuth2Token.refresh + refreshOrFetchToken: merge, add n8n_expires_at, persist. */
	const refreshOAuth2 = async (credentials: IDataObject, usedToken: string): Promise<IDataObject> => {
		const current = (stored.oauthTokenData ?? {}) as IDataObject;
		if (current.access_token !== usedToken) return current; // refreshed meanwhile by another call
		const tokenData = credentials.oauthTokenData as IDataObject;
		if (!tokenData.refresh_token) {
			throw new Error('OAuth access token expired and no refresh token is available. Please reconnect the credentials.');
		}
		const form: Record<string, string> = {
			refresh_token: String(tokenData.refresh_token),
			grant_type: 'refresh_token',
		};
		const headers: Record<string, string> = {
			Accept: 'application/json, application/x-www-form-urlencoded',
			'Content-Type': 'application/x-www-form-urlencoded',
		};
		if ((credentials.authentication ?? 'header') === 'body') {
			form.client_id = String(credentials.clientId);
			form.client_secret = String(credentials.clientSecret);
		} else {
			headers.Authorization = `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`;
		}
		tokenRequests++;
		requests.push({
			method: 'POST',
			url: String(credentials.accessTokenUrl),
			authorization: headers.Authorization,
			ignoreHttpStatusErrors: true,
		});
		const response = await axios.request({
			url: String(credentials.accessTokenUrl),
			method: 'POST',
			data: new URLSearchParams(form).toString(),
			headers,
			transformResponse: (raw: unknown) => raw,
			validateStatus: (status) => status < 500,
			proxy: false,
		});
		let parsed: IDataObject;
		try {
			parsed = JSON.parse(String(response.data)) as IDataObject;
		} catch {
			throw Object.assign(new Error('Expected JSON response from OAuth2 token endpoint'), {
				status: response.status,
				body: response.data,
				code: 'ESTATUS',
			});
		}
		if (response.status >= 400) {
			const message = parsed.error_description ?? parsed.error;
			if (message) {
				if (parsed.error === 'invalid_grant') {
					throw new NodeOperationError(node, 'The credential "Zoho test" needs to be reconnected.');
				}
				throw Object.assign(new Error(String(message)), { body: parsed, code: 'EAUTH' });
			}
			throw Object.assign(new Error(`HTTP status ${response.status}`), {
				status: response.status,
				body: response.data,
				code: 'ESTATUS',
			});
		}
		const merged: IDataObject = { ...tokenData, ...parsed };
		const expiresIn = Number(merged.expires_in);
		if (Number.isFinite(expiresIn) && expiresIn > 0) merged.n8n_expires_at = String(Date.now() + expiresIn * 1000);
		stored.oauthTokenData = merged;
		return merged;
	};

	const requestOAuth2 = async (
		requestOptions: IHttpRequestOptions,
		oAuth2Options: IOAuth2Options | undefined,
	): Promise<unknown> => {
		const credentials = await getCredentials(credentialType);
		if (credentials.grantType === 'authorizationCode' && credentials.oauthTokenData === undefined) {
			throw new UserError('OAuth credentials not connected');
		}
		const tokenData = credentials.oauthTokenData as IDataObject;
		const signed = signOAuth2(tokenData, requestOptions, oAuth2Options);
		try {
			return await httpRequest(signed);
		} catch (error) {
			const status = (error as AxiosLikeError).response?.status;
			if (status !== (oAuth2Options?.tokenExpiredStatusCode ?? 401) || oAuth2Options?.skipTokenRefresh) {
				throw error;
			}
			const newTokenData = await refreshOAuth2(credentials, String(tokenData.access_token));
			return await httpRequest(signOAuth2(newTokenData, requestOptions, oAuth2Options));
		}
	};

	// ---- other credentials (n8n-core request-helpers/authentication.js + credentials-helper.js) ----
	const preAuthentication = async (
		credentials: IDataObject,
		credentialsExpired: boolean,
	): Promise<IDataObject | undefined> => {
		const type = credentialClasses[credentialType];
		const expirable = type.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		tokenRequests++;
		const output = await type.preAuthentication.call(
			{ helpers: { httpRequest } } as never,
			credentials as ICredentialDataDecryptedObject,
		);
		if (output[expirable.name] === undefined) return undefined;
		Object.assign(stored, output);
		return Object.assign(credentials, output);
	};

	const authenticate = (credentials: IDataObject, requestOptions: IHttpRequestOptions): IHttpRequestOptions => {
		const auth = credentialClasses[credentialType].authenticate as IAuthenticateGeneric | undefined;
		if (!auth) return requestOptions;
		const result: IHttpRequestOptions = { ...requestOptions, headers: { ...(requestOptions.headers ?? {}) } };
		for (const [outerKey, values] of Object.entries(auth.properties)) {
			const target = ((result as unknown as Record<string, IDataObject>)[outerKey] ??= {});
			for (const [key, value] of Object.entries(values as IDataObject)) {
				target[resolveValue(key, credentials)] = resolveValue(String(value), credentials);
			}
		}
		return result;
	};

	const httpRequestWithAuthentication = async (
		type: string,
		requestOptions: IHttpRequestOptions,
		additionalCredentialOptions?: IAdditionalCredentialOptions,
	): Promise<unknown> => {
		const method = requestOptions.method ?? 'GET';
		if (['GET', 'HEAD', 'OPTIONS'].includes(method) && requestOptions.body !== undefined) {
			const body = requestOptions.body as IDataObject;
			if (typeof body === 'object' && body !== null && Object.keys(body).length === 0) delete requestOptions.body;
		}
		let credentials: IDataObject | undefined;
		try {
			if (type === 'zohoCrmOAuth2Api') {
				return await requestOAuth2(requestOptions, additionalCredentialOptions?.oauth2);
			}
			credentials = await getCredentials(type);
			await preAuthentication(credentials, false);
			return await httpRequest(authenticate(credentials, requestOptions));
		} catch (error) {
			if ((error as AxiosLikeError).response?.status === 401 && credentials !== undefined) {
				try {
					await preAuthentication(credentials, true);
					return await httpRequest(authenticate(credentials, requestOptions));
				} catch (retryError) {
					throw new NodeApiError(node, retryError as never);
				}
			}
			throw new NodeApiError(node, error as never);
		}
	};

	const helpers = {
		httpRequest,
		httpRequestWithAuthentication,
	};
	const base = {
		getNode: () => node,
		getCredentials,
		helpers,
		logger: { debug() {}, info() {}, warn() {}, error() {} },
		continueOnFail: () => false,
	};
	const context =
		options.kind === 'loadOptions'
			? {
					...base,
					getNodeParameter: (name: string, fallback?: unknown) => nodeParameters[name] ?? fallback,
				}
			: {
					...base,
					getInputData: () => [{ json: {} }],
					getNodeParameter: (name: string, _itemIndex: number, fallback?: unknown) =>
						nodeParameters[name] ?? fallback,
				};
	return {
		context: context as unknown as IExecuteFunctions & ILoadOptionsFunctions,
		stored,
		requests,
		tokenRequests: () => tokenRequests,
	};
}
