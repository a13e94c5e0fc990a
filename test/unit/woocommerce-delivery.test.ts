import { readFileSync } from 'node:fs';
import path from 'node:path';

import { DEFAULT_SKIP_STATUSES, normaliseStatusList } from '../../nodes/shared/woocommerce/orderStatuses';
import {
	computeWooSignature,
	decideDelivery,
	isWooCommercePing,
	parseOrderPayload,
	readDeliveryHeaders,
	secretCandidates,
	signaturesMatch,
	verifyWooSignature,
} from '../../nodes/WooCommerceOrderTrigger/delivery';
import { phpJsonEncode, sampleOrder, wcSignature } from '../emulators/woocommerce';

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', name), 'utf8');
const SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';

describe('WooCommerce signature check', () => {
	it('computes base64 HMAC-SHA256 (RFC 4231 style known vector)', () => {
		expect(computeWooSignature('The quick brown fox jumps over the lazy dog', 'key')).toBe(
			'97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=',
		);
	});

	it('accepts a signature over the exact bytes WooCommerce sent', () => {
		const body = Buffer.from(phpJsonEncode(sampleOrder()), 'utf8');
		const result = verifyWooSignature(body, wcSignature(body, SECRET), ['other-secret', SECRET]);
		expect(result).toEqual({ valid: true, secret: SECRET });
	});

	it('rejects a body changed after signing', () => {
		const body = phpJsonEncode(sampleOrder());
		const signature = wcSignature(body, SECRET);
		const tampered = body.replace('"total":"59.38"', '"total":"0.01"');
		expect(tampered).not.toBe(body);
		expect(verifyWooSignature(Buffer.from(tampered), signature, [SECRET]).valid).toBe(false);
	});

	it('rejects a missing or blank signature header', () => {
		const body = Buffer.from('{"id":1}');
		expect(verifyWooSignature(body, undefined, [SECRET])).toEqual({
			valid: false,
			reason: 'missing X-WC-Webhook-Signature header',
		});
		expect(verifyWooSignature(body, '  ', [SECRET]).valid).toBe(false);
	});

	it('rejects a signature made with another secret (e.g. the REST consumer secret)', () => {
		const body = Buffer.from(phpJsonEncode(sampleOrder()));
		const result = verifyWooSignature(body, wcSignature(body, 'cs_consumer_secret'), [SECRET]);
		expect(result.valid).toBe(false);
	});

	it('verifies PHP-escaped bytes, and the same order re-serialised by JSON.stringify does not verify', () => {
		const wire = fixture('woocommerce-order.wire.txt');
		// Independently produced PHP-style bytes (escaped slashes and umlauts) must equal our encoder's output.
		expect(phpJsonEncode(sampleOrder())).toBe(wire);
		expect(wire).toContain('M\\u00fcller');
		expect(wire).toContain('https:\\/\\/example.com\\/wp-json\\/wc\\/v3\\/orders\\/727');
		const signature = wcSignature(wire, SECRET);
		expect(verifyWooSignature(Buffer.from(wire, 'utf8'), signature, [SECRET]).valid).toBe(true);
		const reserialised = JSON.stringify(JSON.parse(wire));
		expect(reserialised).not.toBe(wire);
		expect(verifyWooSignature(Buffer.from(reserialised, 'utf8'), signature, [SECRET]).valid).toBe(false);
	});

	it('handles an empty body: a matching signature is valid, the payload is not', () => {
		const empty = Buffer.alloc(0);
		expect(verifyWooSignature(empty, wcSignature('', SECRET), [SECRET]).valid).toBe(true);
		expect(verifyWooSignature(empty, wcSignature('x', SECRET), [SECRET]).valid).toBe(false);
		expect(parseOrderPayload(empty)).toEqual({ valid: false, reason: 'empty body' });
	});

	it('signs like WooCommerce with an HTML-entity-decoded secret (wp_specialchars_decode)', () => {
		const stored = 'abc&amp;def';
		const body = '{"id":5}';
		const wooSignature = wcSignature(body, 'abc&def');
		expect(secretCandidates(stored)).toEqual(['abc&def', 'abc&amp;def']);
		expect(verifyWooSignature(Buffer.from(body), wooSignature, [stored]).valid).toBe(true);
	});

	it('compares signatures of different lengths without throwing', () => {
		expect(signaturesMatch('abcd', 'abc')).toBe(false);
		expect(signaturesMatch('abcd', 'abcd')).toBe(true);
	});

	it('never accepts an empty secret', () => {
		const body = '{"id":5}';
		expect(verifyWooSignature(Buffer.from(body), wcSignature(body, ''), ['']).valid).toBe(false);
	});
});

describe('WooCommerce ping detection', () => {
	it('recognises the unsigned webhook_id=N body without X-WC headers', () => {
		expect(isWooCommercePing({}, Buffer.from('webhook_id=123'))).toBe(true);
		expect(isWooCommercePing(readDeliveryHeaders({ 'user-agent': 'WooCommerce/9.8.5' }), 'webhook_id=7')).toBe(true);
	});

	it('is not a ping when any X-WC-Webhook header is present or the body differs', () => {
		expect(isWooCommercePing({ topic: 'order.created' }, 'webhook_id=123')).toBe(false);
		expect(isWooCommercePing({ signature: 'abc' }, 'webhook_id=123')).toBe(false);
		expect(isWooCommercePing({ webhookId: '123' }, 'webhook_id=123')).toBe(false);
		expect(isWooCommercePing({}, 'webhook_id=123&x=1')).toBe(false);
		expect(isWooCommercePing({}, 'webhook_id=')).toBe(false);
		expect(isWooCommercePing({}, '{"webhook_id":123}')).toBe(false);
		expect(isWooCommercePing({}, '')).toBe(false);
	});

	it('reads lower-cased X-WC headers, first value of a repeated header', () => {
		const headers = readDeliveryHeaders({
			'x-wc-webhook-topic': 'order.created',
			'x-wc-webhook-id': ['12', '13'],
			'x-wc-webhook-signature': 'sig',
			'x-wc-webhook-delivery-id': 'd1',
			'x-wc-webhook-source': 'https://shop.example/',
		});
		expect(headers).toMatchObject({
			topic: 'order.created',
			webhookId: '12',
			signature: 'sig',
			deliveryId: 'd1',
			source: 'https://shop.example/',
		});
	});
});

describe('WooCommerce payload validation', () => {
	it('accepts an order with a numeric id', () => {
		const result = parseOrderPayload(Buffer.from(phpJsonEncode(sampleOrder())));
		expect(result.valid).toBe(true);
		if (result.valid) {
			expect(result.order.id).toBe(727);
			expect((result.order.billing as { last_name: string }).last_name).toBe('Müller');
		}
	});

	it('rejects a non-JSON body', () => {
		expect(parseOrderPayload('webhook_id=5')).toEqual({ valid: false, reason: 'body is not JSON' });
		expect(parseOrderPayload('<html>')).toEqual({ valid: false, reason: 'body is not JSON' });
	});

	it('rejects the WooCommerce error payload sent when the webhook owner lost access', () => {
		const result = parseOrderPayload(fixture('woocommerce-error-cannot-view.json'));
		expect(result.valid).toBe(false);
		if (!result.valid) {
			expect(result.reason).toContain('woocommerce_rest_cannot_view');
			expect(result.reason).toContain('Sorry, you cannot view this resource.');
		}
	});

	it('rejects a body with a code key even if it has an id', () => {
		expect(parseOrderPayload('{"id":5,"code":"x"}').valid).toBe(false);
	});

	it('rejects JSON without a numeric id', () => {
		expect(parseOrderPayload('{"id":"727"}').valid).toBe(false);
		expect(parseOrderPayload('{"status":"processing"}').valid).toBe(false);
		expect(parseOrderPayload('[{"id":727}]').valid).toBe(false);
		expect(parseOrderPayload('null').valid).toBe(false);
		expect(parseOrderPayload('{"id":0}').valid).toBe(false);
	});

	it('accepts the *.deleted payload, which is only the id', () => {
		expect(parseOrderPayload('{"id":727}')).toEqual({ valid: true, order: { id: 727 } });
	});

	it('tolerates a UTF-8 byte-order mark', () => {
		expect(parseOrderPayload('\uFEFF{"id":9}').valid).toBe(true);
	});
});

describe('WooCommerce draft and topic filtering', () => {
	const order = (status: string) => ({ id: 1, status });

	it('skips draft statuses by default', () => {
		for (const status of ['checkout-draft', 'draft', 'auto-draft']) {
			expect(decideDelivery('order.updated', order(status), ['order.updated'], DEFAULT_SKIP_STATUSES)).toEqual({
				action: 'acknowledge',
				reason: `order 1 has status ${status}, which is skipped`,
			});
		}
	});

	it('emits real orders, including unpaid pending ones', () => {
		for (const status of ['pending', 'processing', 'on-hold', 'completed']) {
			expect(decideDelivery('order.created', order(status), ['order.created'], DEFAULT_SKIP_STATUSES)).toEqual({
				action: 'emit',
			});
		}
	});

	it('acknowledges topics that are not selected', () => {
		expect(decideDelivery('order.updated', order('processing'), ['order.created'], []).action).toBe('acknowledge');
		expect(decideDelivery(undefined, order('processing'), ['order.created'], []).action).toBe('acknowledge');
	});

	it('follows a configured status list (an empty list skips nothing)', () => {
		expect(decideDelivery('order.created', order('checkout-draft'), ['order.created'], []).action).toBe('emit');
		expect(decideDelivery('order.created', order('failed'), ['order.created'], ['failed']).action).toBe('acknowledge');
	});

	it('normalises status lists from strings or arrays', () => {
		expect(normaliseStatusList('wc-Pending, failed ,')).toEqual(['pending', 'failed']);
		expect(normaliseStatusList(['checkout-draft', ' DRAFT '])).toEqual(['checkout-draft', 'draft']);
		expect(normaliseStatusList(undefined)).toEqual([]);
	});
});
