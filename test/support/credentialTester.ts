import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { n8nHttpRequest } from './n8nCoreContext';

/** `={{ expr }}rest` with `$credentials` bound, as n8n resolves a credential test request's strings. */
function resolve(value: unknown, data: ICredentialDataDecryptedObject): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	return value
		.slice(1)
		.replace(/\{\{([\s\S]+?)\}\}/g, (_, expr: string) =>
			String(new Function('$credentials', `return (${expr});`)(data)),
		);
}

function get(value: unknown, path: string): unknown {
	return path.split('.').reduce<unknown>((current, key) => {
		if (current === null || current === undefined) return undefined;
		return (current as Record<string, unknown>)[key];
	}, value);
}

/**
 * A request-based credential test run the way n8n 2.40's CredentialsTester does it (packages/cli/src/services/
 * credentials-tester.service.ts): the `test.request` with expressions resolved, sent through the credential's
 * `authenticate`; an HTTP error → the first `responseCode` rule for its status, else the status text; a 2xx → the
 * first `responseSuccessBody` rule whose `key` holds `value`, else "Connection successful!". The real n8n runs the
 * same tests in test/e2e/credential-tests.e2e.test.ts.
 */
export async function runRequestCredentialTest(
	credential: ICredentialType,
	data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	const test = credential.test;
	if (!test) throw new Error(`${credential.name} has no test`);
	const request = test.request;
	let options: IHttpRequestOptions = {
		method: request.method ?? 'GET',
		baseURL: resolve(request.baseURL, data) as string | undefined,
		url: (resolve(request.url, data) as string | undefined) ?? '',
		qs: request.qs as IHttpRequestOptions['qs'],
		headers: { ...(request.headers ?? {}) },
	};
	if (typeof credential.authenticate === 'function') {
		options = await credential.authenticate(data, options);
	}
	const rules = (test.rules ?? []) as Array<{
		type: 'responseCode' | 'responseSuccessBody';
		properties: { value: unknown; message: string; key?: string };
	}>;
	let body: unknown;
	try {
		// n8n-core's own request helper (the one the routing node's httpRequestWithAuthentication ends in)
		body = await n8nHttpRequest({ ...options, json: true });
	} catch (error) {
		const response = (error as { response?: { status: number; statusText?: string } }).response;
		if (!response) return { status: 'Error', message: (error as Error).message };
		const rule = rules.find(
			(candidate) => candidate.type === 'responseCode' && candidate.properties.value === response.status,
		);
		return {
			status: 'Error',
			message: rule?.properties.message ?? (response.statusText || `Received HTTP status code: ${response.status}`),
		};
	}
	const rule = rules.find(
		(candidate) =>
			candidate.type === 'responseSuccessBody' && get(body, candidate.properties.key ?? '') === candidate.properties.value,
	);
	return rule ? { status: 'Error', message: rule.properties.message } : { status: 'OK', message: 'Connection successful!' };
}
