/**
 * Section 1: live orders through one real n8n 2.40.7 (test/n8n/harness.js) and one Zoho emulator, three workflows
 * side by side, all published at once, each order delivered (signed, as WooCommerce does) to one workflow's webhook:
 * - the package's two-node workflow (workflows/woocommerce-to-zohocrm.json, imported unchanged),
 * - the package's one-call workflow (workflows/woocommerce-to-zohocrm-one-call.json, imported unchanged),
 * - n8n's built-in WooCommerce Trigger → Zoho CRM (contact upsert) → Zoho CRM (deal create). The built-in Zoho
 *   credential takes its API base from the token's api_domain (the emulator); it calls /crm/v2/, which the emulator
 *   serves with its v8 handlers for this bench (aliasApiVersions).
 * The store emulator runs with is_ssl() true so the built-in credential's Basic auth is accepted (the package's
 * credential works either way). Each round: `orders` orders, `concurrency` deliveries in flight; a round ends when
 * every order has its deal in Zoho, or nothing moved for 5 s (orders the built-in nodes drop on a 429 never arrive).
 */
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

require('../test/support/register-ts');
const { startN8n } = require('../test/n8n/harness');
const { WooCommerceEmulator } = require('../test/emulators/woocommerce.ts');
const { ZohoEmulator } = require('../test/emulators/zoho.ts');
const { credentialRef, wooCommerceCredential, zohoRefreshTokenCredential } = require('../test/e2e/support.ts');
const { percentile, pool, sampleRss } = require('./stats');

const WORKFLOWS = path.join(__dirname, '..', 'workflows');
const load = (file) => JSON.parse(fs.readFileSync(path.join(WORKFLOWS, file), 'utf8'));

function builtInWorkflow() {
	const woo = { wooCommerceApi: { id: 'benchWooBuiltIn', name: 'WooCommerce (built-in credential)' } };
	const zoho = { zohoOAuth2Api: { id: 'benchZohoBuiltIn', name: 'Zoho (built-in credential)' } };
	const order = "$('WooCommerce Trigger').item.json";
	return {
		id: 'benchBuiltInNodes',
		name: "Bench: n8n's built-in WooCommerce Trigger + Zoho CRM",
		active: false,
		settings: { executionOrder: 'v1', saveDataErrorExecution: 'all', saveDataSuccessExecution: 'all' },
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'WooCommerce Trigger',
				type: 'n8n-nodes-base.wooCommerceTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: crypto.randomUUID(),
				parameters: { event: 'order.created' },
				credentials: woo,
			},
			{
				id: crypto.randomUUID(),
				name: 'Upsert Contact',
				type: 'n8n-nodes-base.zohoCrm',
				typeVersion: 1,
				position: [250, 0],
				parameters: {
					resource: 'contact',
					operation: 'upsert',
					lastName: '={{ $json.billing.last_name || $json.billing.first_name }}',
					additionalFields: { Email: '={{ $json.billing.email }}', First_Name: '={{ $json.billing.first_name }}' },
				},
				credentials: zoho,
			},
			{
				id: crypto.randomUUID(),
				name: 'Create Deal',
				type: 'n8n-nodes-base.zohoCrm',
				typeVersion: 1,
				position: [500, 0],
				parameters: {
					resource: 'deal',
					operation: 'create',
					dealName: `=WooCommerce Order #{{ ${order}.number }}`,
					stage: 'Closed Won',
					additionalFields: { Amount: `={{ Number(${order}.total) }}` },
				},
				credentials: zoho,
			},
		],
		connections: {
			'WooCommerce Trigger': { main: [[{ node: 'Upsert Contact', type: 'main', index: 0 }]] },
			'Upsert Contact': { main: [[{ node: 'Create Deal', type: 'main', index: 0 }]] },
		},
	};
}

const triggerWebhookId = (workflow) => workflow.nodes.find((node) => node.webhookId)?.webhookId;

async function runLive({ orders = 200, concurrency = 8, latencies = [0, 100], log = console.log } = {}) {
	const woo = await WooCommerceEmulator.start({ ssl: true });
	const zoho = await ZohoEmulator.start({ edition: 'standard', orderIdField: true, aliasApiVersions: ['v2'] });
	const twoNode = load('woocommerce-to-zohocrm.json');
	const oneCall = load('woocommerce-to-zohocrm-one-call.json');
	const builtIn = builtInWorkflow();
	const zohoRef = credentialRef(twoNode, 'zohoCrmRefreshTokenApi');
	const n8n = await startN8n({
		credentials: [
			wooCommerceCredential(credentialRef(twoNode, 'wooCommerceStoreApi'), woo),
			zohoRefreshTokenCredential(zohoRef, zoho),
			{ ...wooCommerceCredential(builtIn.nodes[0].credentials.wooCommerceApi, woo), type: 'wooCommerceApi' },
			{
				id: 'benchZohoBuiltIn',
				name: 'Zoho (built-in credential)',
				type: 'zohoOAuth2Api',
				data: {
					grantType: 'authorizationCode',
					authUrl: 'https://accounts.zoho.com/oauth/v2/auth',
					accessTokenUrl: `${zoho.url}/oauth/v2/token`,
					clientId: zoho.clientId,
					clientSecret: zoho.clientSecret,
					scope: 'ZohoCRM.modules.ALL,ZohoCRM.settings.all,ZohoCRM.users.all',
					authQueryParameters: 'access_type=offline',
					authentication: 'body',
					// as n8n stores it after "Connect": Zoho's token answer, api_domain = the emulator
					oauthTokenData: {
						access_token: zoho.issueAccessToken(),
						refresh_token: zoho.refreshToken,
						api_domain: zoho.url,
						token_type: 'Bearer',
						expires_in: 3600,
					},
				},
			},
		],
		workflows: [twoNode, oneCall, builtIn],
		publish: [twoNode.id, oneCall.id, builtIn.id],
	});
	const pid = n8n.child.pid;
	const variants = [
		{ key: 'builtIn', label: "n8n built-in WooCommerce Trigger + Zoho CRM", workflow: builtIn },
		{ key: 'twoNode', label: 'package two-node (woocommerce-to-zohocrm.json)', workflow: twoNode },
		{ key: 'oneCall', label: 'package one-call (woocommerce-to-zohocrm-one-call.json)', workflow: oneCall },
	];
	for (const variant of variants) {
		const id = triggerWebhookId(variant.workflow);
		const webhook = woo.webhooks.find((candidate) => candidate.status === 'active' && candidate.delivery_url.includes(id));
		if (!webhook) throw new Error(`no active store webhook for ${variant.key}: ${JSON.stringify(woo.webhooks.map((w) => w.delivery_url))}`);
		variant.webhookId = webhook.id;
	}

	const dealOf = (variant, order) =>
		variant.key === 'builtIn'
			? (record) => record.Deal_Name === `WooCommerce Order #${order.number}`
			: (record) => record.WooCommerce_Order_ID === String(order.id);

	let emailSeq = 0;
	const newOrder = (variant) => {
		emailSeq += 1;
		// every 4th order from a returning customer, half of them with a company (account)
		const email = emailSeq % 4 === 0 ? `returning.${emailSeq % 40}@example.com` : `bench.${variant.key}.${emailSeq}@example.com`;
		return woo.addOrder({ billing: { email, company: emailSeq % 2 === 0 ? `Company ${emailSeq % 50}` : '' } });
	};

	async function round(variant, count) {
		const placed = Array.from({ length: count }, () => newOrder(variant));
		const acks = [];
		const statuses = [];
		const callsBefore = zoho.apiCalls().length;
		const creditsBefore = zoho.creditsUsed();
		const rss = sampleRss(pid);
		const pending = new Set(placed.map((order) => order.id));
		const started = Date.now();
		let lastProgress = started;
		let finishedAt = started;
		let sendDone;
		const watcher = (async () => {
			const deals = () => zoho.records('Deals');
			for (;;) {
				const all = deals();
				for (const order of placed) {
					if (pending.has(order.id) && all.some(dealOf(variant, order))) {
						pending.delete(order.id);
						lastProgress = finishedAt = Date.now();
					}
				}
				if (pending.size === 0) return;
				if (Date.now() - Math.max(lastProgress, sendDone ?? Infinity) > 5_000) return;
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
		})();
		await pool(count, concurrency, async (index) => {
			const sent = process.hrtime.bigint();
			const [answer] = await woo.deliver('order.created', placed[index], { webhookId: variant.webhookId });
			acks.push(Number(process.hrtime.bigint() - sent) / 1e6);
			statuses.push(answer?.status ?? 0);
		});
		sendDone = Date.now();
		await watcher;
		// calls still under way (a retry, a dead letter) count too: wait until Zoho is quiet for 2 s
		let quietSince = Date.now();
		let seen = zoho.apiCalls().length;
		while (Date.now() - quietSince < 2_000) {
			await new Promise((resolve) => setTimeout(resolve, 200));
			if (zoho.apiCalls().length !== seen) {
				seen = zoho.apiCalls().length;
				quietSince = Date.now();
			}
		}
		const memory = rss.stop();
		const synced = count - pending.size;
		const calls = zoho.apiCalls().length - callsBefore;
		const credits = zoho.creditsUsed() - creditsBefore;
		const seconds = (finishedAt - started) / 1000;
		return {
			orders: count,
			synced,
			ordersPerSecond: synced / seconds,
			seconds,
			ackP50: percentile(acks, 50),
			ackP95: percentile(acks, 95),
			ackP99: percentile(acks, 99),
			non200: statuses.filter((status) => status !== 200).length,
			callsPerOrder: calls / count,
			creditsPerOrder: credits / count,
			status429: zoho.apiCalls().slice(callsBefore).filter((call) => call.status === 429).length,
			rssPeakMb: memory.peakMb,
			rssEndMb: memory.lastMb,
		};
	}

	const results = [];
	try {
		// warm-up: field metadata, tokens, JIT; not measured
		for (const variant of variants) await round(variant, 5);
		for (const latency of latencies) {
			zoho.setLatency(latency);
			for (const variant of variants) {
				const measured = await round(variant, orders);
				log(`[bench live] ${variant.key} @${latency} ms: ${JSON.stringify(measured)}`);
				results.push({ variant: variant.key, label: variant.label, latency, ...measured });
			}
		}
		zoho.setLatency(0);
	} finally {
		await n8n.stop();
		await woo.stop();
		await zoho.stop();
	}
	return { results, orders, concurrency };
}

module.exports = { runLive };

if (require.main === module) {
	runLive({ orders: Number(process.env.BENCH_ORDERS ?? 40) }).then(({ results }) => console.table(results));
}
