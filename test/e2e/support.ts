/** Shared by the real-n8n test files: a test wrapper that shows n8n's log on failure, credentials for the emulators. */
import type { N8nInstance } from '../n8n/harness';
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
