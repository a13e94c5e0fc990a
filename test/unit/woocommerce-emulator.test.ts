import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	WooCommerceEmulator,
	phpJsonEncode,
	sampleOrder,
	wcSignature,
} from '../emulators/woocommerce';

/** A delivery URL that records what it receives and answers with `nextStatus`. */
interface Receiver {
	url: string;
	received: Array<{ headers: http.IncomingHttpHeaders; body: Buffer }>;
	nextStatus: number;
	close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
	const receiver = { received: [], nextStatus: 200 } as unknown as Receiver;
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			receiver.received.push({ headers: req.headers, body: Buffer.concat(chunks) });
			res.writeHead(receiver.nextStatus, { 'Content-Type': 'text/plain' });
			res.end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/abc/webhook`;
	receiver.close = async () =>
		await new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	return receiver;
}

/** Response.json() is typed unknown; these tests inspect WooCommerce answers freely. */
const readJson = async (response: Response): Promise<any> => await response.json();

const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;

/** RFC 3986 encoding (encodeURIComponent leaves !'()* alone). */
const rfc3986 = (value: string) =>
	encodeURIComponent(value).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * OAuth 1.0a one-legged signature for flat parameters straight from RFC 5849 §3.4 (sorted encoded pairs, the
 * whole string encoded once more, key `secret&`): for flat parameters WooCommerce computes the same.
 */
function oauthSignature(
	method: string,
	baseUri: string,
	params: Record<string, string>,
	secret: string,
	algorithm: 'sha1' | 'sha256' = 'sha256',
): string {
	const normalized = Object.keys(params)
		.sort()
		.map((key) => `${rfc3986(key)}=${rfc3986(params[key])}`)
		.join('&');
	const baseString = `${method}&${rfc3986(baseUri)}&${rfc3986(normalized)}`;
	return createHmac(algorithm, `${secret}&`).update(baseString).digest('base64');
}

const query = (params: Record<string, string>) =>
	Object.entries(params)
		.map(([key, value]) => `${rfc3986(key)}=${rfc3986(value)}`)
		.join('&');

describe('phpJsonEncode', () => {
	it('escapes like PHP json_encode with default flags', () => {
		expect(phpJsonEncode({ url: 'https://a.b/c', name: 'Müller', emoji: '😀', tab: 'a\tb', ctrl: '\u0001' })).toBe(
			'{"url":"https:\\/\\/a.b\\/c","name":"M\\u00fcller","emoji":"\\ud83d\\ude00","tab":"a\\tb","ctrl":"\\u0001"}',
		);
	});

	it('writes no whitespace and keeps key order, numbers and literals', () => {
		expect(phpJsonEncode({ b: 1, a: [1.5, true, null, 'x'], c: {}, d: [] })).toBe(
			'{"b":1,"a":[1.5,true,null,"x"],"c":{},"d":[]}',
		);
		expect(phpJsonEncode(1e25)).toBe('1.0e+25');
		expect(phpJsonEncode('€ & <')).toBe('"\\u20ac & <"');
	});

	it('round-trips through JSON.parse', () => {
		const order = sampleOrder();
		expect(JSON.parse(phpJsonEncode(order))).toEqual(order);
	});
});

describe('order fixture', () => {
	const cents = (value: string) => Math.round(Number(value) * 100);

	it('has consistent totals to the cent', () => {
		const order = sampleOrder();
		const lineTotals = order.line_items.reduce((sum: number, item: any) => sum + cents(item.total), 0);
		const lineSubtotals = order.line_items.reduce((sum: number, item: any) => sum + cents(item.subtotal), 0);
		const lineTax = order.line_items.reduce((sum: number, item: any) => sum + cents(item.total_tax), 0);
		const shipping = order.shipping_lines.reduce((sum: number, line: any) => sum + cents(line.total), 0);
		const fees = order.fee_lines.reduce((sum: number, line: any) => sum + cents(line.total), 0);
		expect(lineTax).toBe(cents(order.cart_tax));
		expect(cents(order.cart_tax) + cents(order.shipping_tax)).toBe(cents(order.total_tax));
		expect(lineSubtotals - lineTotals).toBe(cents(order.discount_total));
		// total = line totals (after discounts) + shipping + fees + all taxes
		expect(lineTotals + shipping + fees + cents(order.total_tax)).toBe(cents(order.total));
		// equivalently: line subtotals − discounts + shipping + fees + taxes
		expect(lineSubtotals - cents(order.discount_total) + shipping + fees + cents(order.total_tax)).toBe(
			cents(order.total),
		);
		for (const item of order.line_items) {
			expect(typeof item.price).toBe('number');
			expect(item.price * item.quantity).toBeCloseTo(Number(item.total), 6);
		}
	});

	it('deep-merges overrides and returns a fresh copy', () => {
		const order = sampleOrder({ billing: { email: 'x@example.com' }, status: 'pending' });
		expect(order.billing.email).toBe('x@example.com');
		expect(order.billing.last_name).toBe('Müller');
		expect(order.status).toBe('pending');
		order.billing.last_name = 'changed';
		expect(sampleOrder().billing.last_name).toBe('Müller');
	});
});

describe('WooCommerceEmulator REST API', () => {
	let woo: WooCommerceEmulator;
	let receiver: Receiver;
	const api = (path: string) => `${woo.url}/wp-json/wc/v3${path}`;
	const auth = () => ({ Authorization: basic(woo.consumerKey, woo.consumerSecret) });
	const post = async (path: string, body: unknown, headers: Record<string, string> = auth()) =>
		await fetch(api(path), {
			method: 'POST',
			headers: { ...headers, 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});

	beforeEach(async () => {
		// These tests exercise the routes with Basic auth, so the store believes it is on HTTPS.
		woo = await WooCommerceEmulator.start({ ssl: true });
		receiver = await startReceiver();
	});
	afterEach(async () => {
		await woo.stop();
		await receiver.close();
	});

	describe('authentication with is_ssl() true', () => {
		it('refuses a request without key as WooCommerce does (permission callback, 401)', async () => {
			const response = await fetch(api('/webhooks'));
			expect(response.status).toBe(401);
			expect(await readJson(response)).toEqual({
				code: 'woocommerce_rest_cannot_view',
				message: 'Sorry, you cannot list resources.',
				data: { status: 401 },
			});
		});

		it('refuses a wrong consumer secret with woocommerce_rest_authentication_error', async () => {
			const response = await fetch(api('/webhooks'), { headers: { Authorization: basic('ck_test', 'nope') } });
			expect(response.status).toBe(401);
			// The OAuth attempt that follows a failed Basic one resets auth_method, so no WWW-Authenticate is sent.
			expect(response.headers.get('www-authenticate')).toBeNull();
			expect(await readJson(response)).toMatchObject({
				code: 'woocommerce_rest_authentication_error',
				message: 'Consumer secret is invalid.',
			});
		});

		it('an unknown key in Basic auth falls through to WordPress application passwords (invalid_username)', async () => {
			const response = await fetch(api('/webhooks'), { headers: { Authorization: basic('ck_other', 'cs_test') } });
			expect(response.status).toBe(401);
			expect((await readJson(response)).code).toBe('invalid_username');
		});

		it('accepts consumer_key/consumer_secret query parameters', async () => {
			const ok = await fetch(api('/webhooks?consumer_key=ck_test&consumer_secret=cs_test'));
			expect(ok.status).toBe(200);
			const unknownKey = await fetch(api('/webhooks?consumer_key=ck_other&consumer_secret=cs_test'));
			expect(unknownKey.status).toBe(401);
			expect((await readJson(unknownKey)).code).toBe('woocommerce_rest_cannot_view');
		});

		it('a read-only key cannot create webhooks', async () => {
			woo.keyPermissions = 'read';
			const response = await post('/webhooks', { topic: 'order.created', delivery_url: receiver.url });
			expect(response.status).toBe(401);
			expect(await readJson(response)).toMatchObject({
				code: 'woocommerce_rest_authentication_error',
				message: 'The API key provided does not have write permissions.',
			});
			expect((await fetch(api('/webhooks'), { headers: auth() })).status).toBe(200);
		});

		it('answers rest_no_route for unknown routes and methods', async () => {
			const unknown = await fetch(api('/nothing'), { headers: auth() });
			expect(unknown.status).toBe(404);
			expect((await readJson(unknown)).code).toBe('rest_no_route');
			const wrongMethod = await fetch(api('/orders/1'), { method: 'DELETE', headers: auth() });
			expect(wrongMethod.status).toBe(404);
			expect(woo.calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/wp-json/wc/v3/orders/1', status: 404 });
		});

		it('supports plain permalinks (?rest_route=)', async () => {
			const response = await fetch(`${woo.url}/?rest_route=/wc/v3/webhooks`, { headers: auth() });
			expect(response.status).toBe(200);
		});
	});

	describe('webhooks', () => {
		it('creates an active webhook, never returns the secret, answers 201 + Location and pings', async () => {
			const response = await post('/webhooks', {
				name: 'n8n',
				topic: 'order.created',
				delivery_url: receiver.url,
				secret: 'my-secret',
				status: 'paused',
			});
			expect(response.status).toBe(201);
			const created = await readJson(response);
			expect(response.headers.get('location')).toBe(`${woo.url}/wp-json/wc/v3/webhooks/${created.id}`);
			expect(created).toMatchObject({
				name: 'n8n',
				status: 'active',
				topic: 'order.created',
				resource: 'order',
				event: 'created',
				hooks: ['woocommerce_new_order'],
				delivery_url: receiver.url,
			});
			expect(created).not.toHaveProperty('secret');
			expect(created).not.toHaveProperty('api_version');
			expect(woo.webhooks[0].secret).toBe('my-secret');
			// The ping: unsigned form body, no X-WC headers; a 200 clears pending_delivery.
			expect(receiver.received).toHaveLength(1);
			expect(receiver.received[0].body.toString()).toBe(`webhook_id=${created.id}`);
			expect(Object.keys(receiver.received[0].headers).filter((h) => h.startsWith('x-wc-'))).toEqual([]);
			expect(woo.webhooks[0].pending_delivery).toBe(false);
		});

		it('still answers 201 when the ping fails, and keeps pinging with later deliveries', async () => {
			receiver.nextStatus = 202; // anything but exactly 200 fails a ping
			const response = await post('/webhooks', { topic: 'order.created', delivery_url: receiver.url });
			expect(response.status).toBe(201);
			expect(woo.webhooks[0].pending_delivery).toBe(true);
			receiver.nextStatus = 200;
			await woo.deliver('order.created', sampleOrder());
			expect(woo.outbound.map((entry) => entry.kind)).toEqual(['ping', 'delivery', 'ping']);
			expect(woo.webhooks[0].pending_delivery).toBe(false);
		});

		it('generates a secret when none is sent', async () => {
			await post('/webhooks', { topic: 'order.created', delivery_url: receiver.url });
			expect(woo.webhooks[0].secret).toHaveLength(50);
		});

		it('requires topic and delivery_url', async () => {
			const response = await post('/webhooks', { delivery_url: receiver.url });
			expect(response.status).toBe(400);
			expect(await readJson(response)).toMatchObject({
				code: 'rest_missing_callback_param',
				message: 'Missing parameter(s): topic',
				data: { status: 400, params: ['topic'] },
			});
		});

		it('rejects an invalid topic and an invalid delivery URL', async () => {
			const badTopic = await post('/webhooks', { topic: 'order.paid', delivery_url: receiver.url });
			expect(badTopic.status).toBe(400);
			expect(await readJson(badTopic)).toMatchObject({
				code: 'woocommerce_rest_shop_webhook_invalid_topic',
				message: 'Webhook topic is required and must be valid.',
			});
			const badUrl = await post('/webhooks', { topic: 'order.created', delivery_url: 'ftp://example.com/x' });
			expect(badUrl.status).toBe(400);
			expect((await readJson(badUrl)).code).toBe('woocommerce_rest_shop_webhook_invalid_delivery_url');
			const badStatus = await post('/webhooks', {
				topic: 'order.created',
				delivery_url: receiver.url,
				status: 'on',
			});
			expect(badStatus.status).toBe(400);
			expect((await readJson(badStatus)).code).toBe('rest_invalid_param');
			expect(woo.webhooks).toHaveLength(0);
		});

		it('lists with page/per_page and X-WP-Total/X-WP-TotalPages; per_page is capped at 100', async () => {
			for (let i = 0; i < 3; i++) {
				await post('/webhooks', { topic: 'order.created', delivery_url: `${receiver.url}?n=${i}` });
			}
			const page = await fetch(api('/webhooks?per_page=2&page=2&order=asc&orderby=id'), { headers: auth() });
			expect(page.headers.get('x-wp-total')).toBe('3');
			expect(page.headers.get('x-wp-totalpages')).toBe('2');
			expect(page.headers.get('link')).toContain('rel="prev"');
			expect((await readJson(page)).map((webhook: { id: number }) => webhook.id)).toEqual([3]);
			const tooMany = await fetch(api('/webhooks?per_page=101'), { headers: auth() });
			expect(tooMany.status).toBe(400);
			expect(await readJson(tooMany)).toMatchObject({
				code: 'rest_invalid_param',
				data: { params: { per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)' } },
			});
			const paused = await fetch(api('/webhooks?status=paused'), { headers: auth() });
			expect(await readJson(paused)).toEqual([]);
		});

		it('reads, updates and deletes one webhook with WooCommerce answers', async () => {
			await post('/webhooks', { topic: 'order.created', delivery_url: receiver.url });
			const one = await fetch(api('/webhooks/1'), { headers: auth() });
			expect((await readJson(one)).id).toBe(1);
			const unknown = await fetch(api('/webhooks/99'), { headers: auth() });
			expect(unknown.status).toBe(400);
			expect(await readJson(unknown)).toMatchObject({
				code: 'woocommerce_rest_shop_webhook_invalid_id',
				message: 'ID is invalid.',
			});

			const updated = await fetch(api('/webhooks/1'), {
				method: 'PUT',
				headers: { ...auth(), 'Content-Type': 'application/json' },
				body: JSON.stringify({ status: 'paused', topic: 'order.updated' }),
			});
			expect(await readJson(updated)).toMatchObject({ status: 'paused', topic: 'order.updated', event: 'updated' });

			const noForce = await fetch(api('/webhooks/1'), { method: 'DELETE', headers: auth() });
			expect(noForce.status).toBe(501);
			expect(await readJson(noForce)).toMatchObject({
				code: 'woocommerce_rest_trash_not_supported',
				message: 'Webhooks do not support trashing.',
			});
			expect(woo.webhooks).toHaveLength(1);

			const deleted = await fetch(api('/webhooks/1?force=true'), { method: 'DELETE', headers: auth() });
			expect(deleted.status).toBe(200);
			expect(woo.webhooks).toHaveLength(0);
			const gone = await fetch(api('/webhooks/1?force=true'), { method: 'DELETE', headers: auth() });
			expect(gone.status).toBe(404);
			expect((await readJson(gone)).code).toBe('woocommerce_rest_shop_webhook_invalid_id');
		});
	});

	describe('deliveries', () => {
		async function createWebhook(topic = 'order.created', secret = 'whsec') {
			await post('/webhooks', { topic, delivery_url: receiver.url, secret });
			receiver.received.length = 0;
			return woo.webhooks.at(-1)!;
		}

		it('sends PHP-encoded, signed JSON with all X-WC-Webhook headers', async () => {
			const webhook = await createWebhook();
			const results = await woo.deliver('order.created', sampleOrder());
			expect(results).toEqual([{ webhookId: webhook.id, status: 200, body: 'ok' }]);
			const { headers, body } = receiver.received[0];
			expect(body.toString()).toBe(phpJsonEncode(sampleOrder()));
			expect(headers).toMatchObject({
				'content-type': 'application/json',
				'user-agent': expect.stringMatching(/^WooCommerce\/[\d.]+ Hookshot \(WordPress\/[\d.]+\)$/),
				'x-wc-webhook-source': `${woo.url}/`,
				'x-wc-webhook-topic': 'order.created',
				'x-wc-webhook-resource': 'order',
				'x-wc-webhook-event': 'created',
				'x-wc-webhook-id': String(webhook.id),
				'x-wc-webhook-signature': wcSignature(body, 'whsec'),
				'x-wc-webhook-delivery-id': expect.stringMatching(/^[0-9a-f]{32}$/),
			});
		});

		it('sends only the id for *.deleted topics and nothing to other topics or inactive webhooks', async () => {
			await createWebhook('order.deleted');
			await createWebhook('order.updated');
			expect(await woo.deliver('order.created', sampleOrder())).toEqual([]);
			await woo.deliver('order.deleted', sampleOrder());
			expect(receiver.received.map((entry) => entry.body.toString())).toEqual(['{"id":727}']);
			woo.webhooks[1].status = 'paused';
			expect(await woo.deliver('order.updated', sampleOrder())).toEqual([]);
		});

		it('disables the webhook on the 7th consecutive failure; a 2xx–302 answer resets the count', async () => {
			const webhook = await createWebhook();
			receiver.nextStatus = 500;
			for (let i = 1; i <= 6; i++) {
				await woo.deliver('order.created', sampleOrder());
				expect(webhook).toMatchObject({ failure_count: i, status: 'active' });
			}
			receiver.nextStatus = 302;
			await woo.deliver('order.created', sampleOrder());
			expect(webhook).toMatchObject({ failure_count: 0, status: 'active' });
			receiver.nextStatus = 401;
			for (let i = 1; i <= 7; i++) await woo.deliver('order.created', sampleOrder());
			expect(webhook.status).toBe('disabled');
			expect(webhook.failure_count).toBe(6);
			expect(await woo.deliver('order.created', sampleOrder())).toEqual([]);
		});

		it('can sign with another secret or send a given signature', async () => {
			await createWebhook();
			await woo.deliver('order.created', sampleOrder(), { secret: 'other' });
			await woo.deliver('order.created', sampleOrder(), { signature: 'forged' });
			const [first, second] = receiver.received;
			expect(first.headers['x-wc-webhook-signature']).toBe(wcSignature(first.body, 'other'));
			expect(second.headers['x-wc-webhook-signature']).toBe('forged');
		});

		it('deliverRaw signs the given bytes and lets headers be replaced or removed', async () => {
			const webhook = await createWebhook();
			await woo.deliverRaw(webhook.id, 'not json', { 'X-WC-Webhook-Signature': '' });
			expect(receiver.received[0].body.toString()).toBe('not json');
			expect(receiver.received[0].headers['x-wc-webhook-signature']).toBeUndefined();
			expect(receiver.received[0].headers['x-wc-webhook-topic']).toBe('order.created');
			await woo.deliverRaw(webhook.id, '{"id":1}');
			expect(receiver.received[1].headers['x-wc-webhook-signature']).toBe(wcSignature('{"id":1}', 'whsec'));
		});

		it('ping() sends the unsigned form body', async () => {
			const webhook = await createWebhook();
			expect(await woo.ping(webhook.id)).toEqual({ status: 200, body: 'ok' });
			expect(receiver.received[0].body.toString()).toBe(`webhook_id=${webhook.id}`);
			expect(receiver.received[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
		});
	});

	describe('orders', () => {
		it('addOrder stores fixture-based orders with new ids and links to this store', async () => {
			const first = woo.addOrder() as any;
			const second = woo.addOrder({ status: 'pending', billing: { email: 'b@example.com' } }) as any;
			expect([first.id, second.id]).toEqual([728, 729]);
			expect(second.number).toBe('729');
			expect(second.billing).toMatchObject({ email: 'b@example.com', last_name: 'Müller' });
			expect(first._links.self[0].href).toBe(`${woo.url}/wp-json/wc/v3/orders/728`);
			expect(second.date_created_gmt > first.date_created_gmt).toBe(true);
			expect(first.line_items[0].id).not.toBe(second.line_items[0].id);
			const fetched = await fetch(api('/orders/729'), { headers: auth() });
			expect(await readJson(fetched)).toEqual(second);
			const missing = await fetch(api('/orders/1'), { headers: auth() });
			expect(missing.status).toBe(404);
			expect((await readJson(missing)).code).toBe('woocommerce_rest_shop_order_invalid_id');
		});

		it('lists orders with status, paging, ordering and GMT date filters', async () => {
			const a = woo.addOrder({ status: 'processing' }) as any;
			woo.addOrder({ status: 'checkout-draft' });
			const c = woo.addOrder({ status: 'pending' }) as any;
			woo.addOrder({ status: 'trash' });
			const list = async (query: string) => {
				const response = await fetch(api(`/orders?${query}`), { headers: auth() });
				const body = (await readJson(response)) as unknown;
				return { response, body, ids: Array.isArray(body) ? body.map((order: { id: number }) => order.id) : null };
			};
			// default status any: includes checkout-draft, excludes trash; default order date desc
			expect((await list('')).ids).toEqual([730, 729, 728]);
			expect((await list('status=processing,pending&orderby=id&order=asc')).ids).toEqual([728, 730]);
			const paged = await list('status[]=processing&status[]=pending&status[]=checkout-draft&per_page=2&page=1&orderby=id&order=asc');
			expect(paged.ids).toEqual([728, 729]);
			expect(paged.response.headers.get('x-wp-total')).toBe('3');
			expect(paged.response.headers.get('x-wp-totalpages')).toBe('2');
			expect((await list(`after=${a.date_created_gmt}&dates_are_gmt=true&orderby=id&order=asc`)).ids).toEqual([
				729, 730,
			]);
			expect((await list(`modified_after=${c.date_modified_gmt}&dates_are_gmt=true`)).ids).toEqual([]);
			const bad = await list('status=paid');
			expect(bad.response.status).toBe(400);
			expect(bad.body).toMatchObject({ code: 'rest_invalid_param', data: { params: { status: expect.any(String) } } });
			expect((await list('per_page=0')).response.status).toBe(400);
		});

		// https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-orders: `include` limits the list to those ids
		it('lists only the included ids, in either list form; unknown and trashed ids are left out', async () => {
			const [a, b, c] = [woo.addOrder(), woo.addOrder(), woo.addOrder()].map((order) => order.id);
			const trashed = woo.addOrder({ status: 'trash' }).id;
			const ids = async (query: string) => {
				const response = await fetch(api(`/orders?${query}`), { headers: auth() });
				const body = (await readJson(response)) as unknown;
				return Array.isArray(body) ? body.map((order: { id: number }) => order.id) : response.status;
			};
			expect(await ids(`include=${c},${a},99999,${trashed}&per_page=100&orderby=id&order=asc`)).toEqual([a, c]);
			expect(await ids(`include[]=${b}&include[]=${c}&orderby=include`)).toEqual([b, c]);
			expect(await ids(`include=${trashed}&status=trash`)).toEqual([trashed]);
			expect(await ids('include=abc')).toBe(400);
		});
	});
});

describe('WooCommerceEmulator authentication over plain HTTP (default ssl: false: OAuth 1.0a only)', () => {
	let woo: WooCommerceEmulator;
	beforeEach(async () => {
		woo = await WooCommerceEmulator.start();
	});
	afterEach(async () => await woo.stop());

	const path = '/wp-json/wc/v3/webhooks';
	const oauth = (overrides: Record<string, string> = {}) => ({
		oauth_consumer_key: woo.consumerKey,
		oauth_nonce: randomBytes(16).toString('hex'),
		oauth_signature_method: 'HMAC-SHA256',
		oauth_timestamp: String(Math.floor(Date.now() / 1000)),
		...overrides,
	});
	/** GET `path` with `params` plus signed OAuth parameters in the query. */
	const signedUrl = (params: Record<string, string>, options: { secret?: string; baseUri?: string } = {}) => {
		const all = { ...params, ...oauth() };
		const baseUri = options.baseUri ?? `${woo.url}${path}`;
		const signature = oauthSignature('GET', baseUri, all, options.secret ?? woo.consumerSecret);
		return `${woo.url}${path}?${query({ ...all, oauth_signature: signature })}`;
	};
	const answer = async (response: Response) => ({ status: response.status, body: await readJson(response) });
	const authError = (message: string, code = 'woocommerce_rest_authentication_error') => ({
		status: 401,
		body: { code, message, data: { status: 401 } },
	});

	it('ignores Basic auth and consumer_key query parameters, as WooCommerce does without SSL', async () => {
		const cannotList = {
			status: 401,
			body: { code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.', data: { status: 401 } },
		};
		const withBasic = (key: string, secret: string) =>
			fetch(`${woo.url}${path}`, { headers: { Authorization: basic(key, secret) } });
		expect(await answer(await withBasic('ck_test', 'cs_test'))).toEqual(cannotList);
		const withQueryKeys = await fetch(`${woo.url}${path}?consumer_key=ck_test&consumer_secret=cs_test`);
		expect(await answer(withQueryKeys)).toEqual(cannotList);
		// Application passwords are not available without SSL either, so an unknown Basic user is no error.
		expect(await answer(await withBasic('ck_x', 'cs_x'))).toEqual(cannotList);
	});

	it('accepts a signature in the query (HMAC-SHA256 or HMAC-SHA1) that covers all query parameters', async () => {
		expect((await fetch(signedUrl({ per_page: '5', search: 'a b/c' }))).status).toBe(200);
		const params = { per_page: '5', ...oauth({ oauth_signature_method: 'HMAC-SHA1' }) };
		const sha1 = oauthSignature('GET', `${woo.url}${path}`, params, woo.consumerSecret, 'sha1');
		expect((await fetch(`${woo.url}${path}?${query({ ...params, oauth_signature: sha1 })}`)).status).toBe(200);
		// A parameter added after signing breaks the signature.
		expect(await answer(await fetch(`${signedUrl({ per_page: '5' })}&page=2`))).toEqual(
			authError('Invalid signature - provided signature does not match.'),
		);
	});

	it('accepts the OAuth parameters in an Authorization: OAuth header and in a POST form body', async () => {
		const params = oauth();
		const signature = oauthSignature('GET', `${woo.url}${path}`, { ...params, per_page: '5' }, woo.consumerSecret);
		const header = `OAuth ${Object.entries({ ...params, oauth_signature: signature })
			.map(([key, value]) => `${key}="${rfc3986(value)}"`)
			.join(', ')}`;
		expect((await fetch(`${woo.url}${path}?per_page=5`, { headers: { Authorization: header } })).status).toBe(200);

		const form = { topic: 'order.created', delivery_url: 'http://127.0.0.1:9/hook', ...oauth() };
		const formSignature = oauthSignature('POST', `${woo.url}${path}`, form, woo.consumerSecret);
		const created = await fetch(`${woo.url}${path}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: query({ ...form, oauth_signature: formSignature }),
		});
		expect(created.status).toBe(201);
		expect(woo.webhooks).toHaveLength(1);
	});

	it('answers WooCommerce’s errors for missing parameters, unknown key, wrong secret or host, bad method', async () => {
		const missing = 'woocommerce_rest_authentication_missing_parameter';
		const partial = { oauth_consumer_key: 'ck_test', oauth_timestamp: '1', oauth_signature_method: 'HMAC-SHA256' };
		expect(await answer(await fetch(`${woo.url}${path}?${query(partial)}`))).toEqual(
			authError('Missing OAuth parameters oauth_nonce, oauth_signature', missing),
		);
		const one = `${woo.url}${path}?${query({ ...oauth(), oauth_signature: '0' })}`; // empty('0') is true in PHP
		expect(await answer(await fetch(one))).toEqual(authError('Missing OAuth parameter oauth_signature', missing));
		const unknownKey = { ...oauth({ oauth_consumer_key: 'ck_other' }), oauth_signature: 'x' };
		expect(await answer(await fetch(`${woo.url}${path}?${query(unknownKey)}`))).toEqual(
			authError('Consumer key is invalid.'),
		);
		expect(await answer(await fetch(signedUrl({}, { secret: 'wrong' })))).toEqual(
			authError('Invalid signature - provided signature does not match.'),
		);
		const otherHost = signedUrl({}, { baseUri: `${woo.url.replace('127.0.0.1', 'localhost')}${path}` });
		expect(await answer(await fetch(otherHost))).toEqual(
			authError('Invalid signature - provided signature does not match.'),
		);
		const plaintext = { ...oauth({ oauth_signature_method: 'PLAINTEXT' }), oauth_signature: 'cs_test&' };
		expect(await answer(await fetch(`${woo.url}${path}?${query(plaintext)}`))).toEqual(
			authError('Invalid signature - signature method is invalid.'),
		);
	});

	it('checks the timestamp window (±15 min) and refuses a nonce already used for the key', async () => {
		const now = Math.floor(Date.now() / 1000);
		const at = (timestamp: number, nonce = randomBytes(8).toString('hex')) => {
			const params = oauth({ oauth_timestamp: String(timestamp), oauth_nonce: nonce });
			const signature = oauthSignature('GET', `${woo.url}${path}`, params, woo.consumerSecret);
			return `${woo.url}${path}?${query({ ...params, oauth_signature: signature })}`;
		};
		expect(await answer(await fetch(at(now - 15 * 60 - 5)))).toEqual(authError('Invalid timestamp.'));
		expect(await answer(await fetch(at(now + 15 * 60 + 5)))).toEqual(authError('Invalid timestamp.'));
		expect((await fetch(at(now - 14 * 60))).status).toBe(200);

		const url = at(now, 'once');
		expect((await fetch(url)).status).toBe(200);
		expect(await answer(await fetch(url))).toEqual(authError('Invalid nonce - nonce has already been used.'));
		expect(await answer(await fetch(at(now + 1, 'once')))).toEqual(
			authError('Invalid nonce - nonce has already been used.'),
		);
		// WooCommerce stores used nonces keyed by timestamp: a later nonce with the same timestamp replaces 'once'.
		expect((await fetch(at(now, 'twice'))).status).toBe(200);
		expect((await fetch(at(now + 2, 'once'))).status).toBe(200);
	});

	it('with ssl: true, OAuth is the fallback after Basic and is signed with the https:// home URL', async () => {
		woo.ssl = true;
		const httpsBase = `${woo.url.replace('http:', 'https:')}${path}`;
		expect((await fetch(signedUrl({ per_page: '2' }, { baseUri: httpsBase }))).status).toBe(200);
		expect(await answer(await fetch(signedUrl({ per_page: '2' })))).toEqual(
			authError('Invalid signature - provided signature does not match.'),
		);
		// Basic with a wrong secret records an error that a valid OAuth signature does not clear.
		const response = await fetch(signedUrl({}, { baseUri: httpsBase }), {
			headers: { Authorization: basic('ck_test', 'bad') },
		});
		expect(await answer(response)).toEqual(authError('Consumer secret is invalid.'));
	});
});
