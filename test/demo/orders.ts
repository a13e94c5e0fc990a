/**
 * Random but realistic WooCommerce orders for the demo store: guests and returning customers, with or without a
 * company, four currencies with their countries' taxes, coupons, free shipping over a threshold. The amounts add up
 * the way WooCommerce computes them with prices entered without tax (per line: subtotal − coupon share = total;
 * tax rounded per line; order total = lines + shipping + all tax).
 *
 * The result is the `overrides` argument of WooCommerceEmulator.addOrder(): the fixture order with these fields
 * replaced (arrays replace the fixture's arrays).
 */

export type Random = () => number;

/** A seeded generator (mulberry32), for reproducible orders in tests and pictures. */
export function seededRandom(seed: number): Random {
	let state = seed;
	return () => {
		state = (state + 0x6d2b79f5) | 0;
		let t = Math.imul(state ^ (state >>> 15), 1 | state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface Market {
	currency: string;
	symbol: string;
	country: string;
	cities: Array<{ city: string; state: string; postcode: string; street: string }>;
	phonePrefix: string;
	/** 0 → no tax line (e.g. Oregon has no sales tax) */
	taxPercent: number;
	taxLabel: string;
	taxCode: string;
	shipping: number;
	freeShippingOver: number;
}

const MARKETS: Market[] = [
	{
		currency: 'EUR',
		symbol: '€',
		country: 'DE',
		cities: [
			{ city: 'Berlin', state: 'BE', postcode: '10117', street: 'Friedrichstraße' },
			{ city: 'München', state: 'BY', postcode: '80331', street: 'Sendlinger Straße' },
			{ city: 'Köln', state: 'NW', postcode: '50667', street: 'Hohe Straße' },
		],
		phonePrefix: '+49 30 ',
		taxPercent: 19,
		taxLabel: 'MwSt.',
		taxCode: 'DE-MWST-1',
		shipping: 490,
		freeShippingOver: 10000,
	},
	{
		currency: 'EUR',
		symbol: '€',
		country: 'FR',
		cities: [
			{ city: 'Paris', state: '', postcode: '75002', street: 'Rue Montorgueil' },
			{ city: 'Lyon', state: '', postcode: '69002', street: 'Rue de la République' },
		],
		phonePrefix: '+33 1 ',
		taxPercent: 20,
		taxLabel: 'TVA',
		taxCode: 'FR-TVA-1',
		shipping: 590,
		freeShippingOver: 10000,
	},
	{
		currency: 'USD',
		symbol: '$',
		country: 'US',
		cities: [
			{ city: 'New York', state: 'NY', postcode: '10013', street: 'Canal Street' },
			{ city: 'Brooklyn', state: 'NY', postcode: '11201', street: 'Court Street' },
		],
		phonePrefix: '+1 212 ',
		taxPercent: 8.875,
		taxLabel: 'Sales Tax',
		taxCode: 'US-NY-SALES TAX-1',
		shipping: 799,
		freeShippingOver: 15000,
	},
	{
		currency: 'USD',
		symbol: '$',
		country: 'US',
		cities: [{ city: 'Portland', state: 'OR', postcode: '97205', street: 'SW Morrison Street' }],
		phonePrefix: '+1 503 ',
		taxPercent: 0,
		taxLabel: '',
		taxCode: '',
		shipping: 799,
		freeShippingOver: 15000,
	},
	{
		currency: 'GBP',
		symbol: '£',
		country: 'GB',
		cities: [
			{ city: 'London', state: '', postcode: 'EC1V 9HX', street: 'City Road' },
			{ city: 'Manchester', state: '', postcode: 'M1 1AD', street: 'Piccadilly' },
		],
		phonePrefix: '+44 20 ',
		taxPercent: 20,
		taxLabel: 'VAT',
		taxCode: 'GB-VAT-1',
		shipping: 395,
		freeShippingOver: 8000,
	},
	{
		currency: 'CAD',
		symbol: '$',
		country: 'CA',
		cities: [{ city: 'Toronto', state: 'ON', postcode: 'M5V 2T6', street: 'King Street West' }],
		phonePrefix: '+1 416 ',
		taxPercent: 13,
		taxLabel: 'HST',
		taxCode: 'CA-ON-HST-1',
		shipping: 995,
		freeShippingOver: 15000,
	},
];

/** Price in cents of the store's currency (the demo shop prices every currency alike). */
const PRODUCTS = [
	{ productId: 93, variationId: 0, name: 'Ceramic Pour-Over Dripper', sku: 'POUR-01', price: 2400 },
	{ productId: 94, variationId: 0, name: 'Single-Origin Beans Ethiopia 250 g', sku: 'BEAN-ETH-250', price: 1450 },
	{ productId: 95, variationId: 0, name: 'Paper Filters (100)', sku: 'FILT-100', price: 590 },
	{ productId: 22, variationId: 23, name: 'Barista Apron – Color: Black, Size: M', sku: 'APRON-BLK-M', price: 3900 },
	{ productId: 22, variationId: 24, name: 'Barista Apron – Color: Sand, Size: L', sku: 'APRON-SND-L', price: 3900 },
	{ productId: 97, variationId: 0, name: 'Hand Grinder Steel', sku: 'GRIND-ST', price: 8900 },
	{ productId: 98, variationId: 0, name: 'Gooseneck Kettle 1 l', sku: 'KETTLE-1L', price: 6450 },
	{ productId: 99, variationId: 0, name: 'Espresso Cups (set of 2)', sku: 'CUPS-ESP-2', price: 1800 },
];

const COUPONS = [
	{ code: 'welcome10', type: 'percent' as const, amount: 10 },
	{ code: 'summer15', type: 'percent' as const, amount: 15 },
	{ code: 'save5', type: 'fixed_cart' as const, amount: 500 },
];

const FIRST_NAMES = ['Jana', 'Lukas', 'Sophie', 'Mateo', 'Amélie', 'Oliver', 'Priya', 'Noah', 'Chloé', 'Emre', 'Ava', 'Jonas'];
const LAST_NAMES = ['Müller', 'Schmidt', 'Dubois', 'García', 'Smith', 'Patel', 'Nguyen', "O'Brien", 'Kowalski', 'Rossi'];
const COMPANIES = [
	'Müller & Söhne GmbH',
	'Café Lumière SARL',
	'Brooklyn Roasting Co.',
	'Northern Beans Ltd',
	'Maple Leaf Catering Inc.',
	'Kaffeehaus am Markt KG',
];
const PAYMENT = [
	{ method: 'stripe', title: 'Credit Card (Stripe)', transaction: (random: Random) => `pi_${randomToken(random, 24)}` },
	{ method: 'ppcp-gateway', title: 'PayPal', transaction: (random: Random) => randomToken(random, 17).toUpperCase() },
	{ method: 'bacs', title: 'Direct bank transfer', transaction: () => '' },
];
const NOTES = ['', '', '', 'Please leave the parcel with the neighbour.', 'Gift – no invoice in the box, please.'];

/** Returning customers (customer_id > 0): the same people come back, so the Zoho contact is found, not duplicated. */
const CUSTOMERS = [
	{ id: 12, first: 'Jana', last: 'Müller', market: 0, company: 'Müller & Söhne GmbH' },
	{ id: 15, first: 'Amélie', last: 'Dubois', market: 1, company: '' },
	{ id: 21, first: 'Noah', last: 'Smith', market: 2, company: 'Brooklyn Roasting Co.' },
	{ id: 34, first: 'Oliver', last: "O'Brien", market: 4, company: 'Northern Beans Ltd' },
	{ id: 40, first: 'Priya', last: 'Patel', market: 5, company: '' },
];

function randomToken(random: Random, length: number): string {
	const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
	let token = '';
	for (let index = 0; index < length; index++) token += alphabet[Math.floor(random() * alphabet.length)];
	return token;
}

const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)];

/** Cents → WooCommerce's money string ("12.30"). */
const money = (cents: number): string => (cents / 100).toFixed(2);

/** Half away from zero, as wc_round_tax_total(). */
const roundCents = (value: number): number => Math.sign(value) * Math.round(Math.abs(value));

/** The email a name gets at a mail domain: ASCII, lower case. */
function emailFor(first: string, last: string, domain: string): string {
	const ascii = (text: string) =>
		text
			.normalize('NFD')
			.replace(/[\u0300-\u036f]/g, '')
			.replace(/ß/g, 'ss')
			.replace(/[^A-Za-z]/g, '')
			.toLowerCase();
	return `${ascii(first)}.${ascii(last)}@${domain}`;
}

export interface DemoOrderOptions {
	random?: Random;
	/** Unique ids for line, tax, shipping and coupon items (the store's order-item ids). */
	nextItemId: () => number;
}

/** One order's fields (everything but id, number, order key and dates, which the store sets). */
export function randomOrder(options: DemoOrderOptions): Record<string, any> {
	const random = options.random ?? Math.random;
	const returning = random() < 0.4 ? pick(random, CUSTOMERS) : undefined;
	const market = returning ? MARKETS[returning.market] : pick(random, MARKETS);
	const first = returning?.first ?? pick(random, FIRST_NAMES);
	const last = returning?.last ?? pick(random, LAST_NAMES);
	const company = returning ? returning.company : random() < 0.45 ? pick(random, COMPANIES) : '';
	const place = pick(random, market.cities);
	// a company's people write from its domain; a returning customer always from the same address
	const domain = company
		? `${company.split(/\s/)[0].normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase()}.example`
		: returning
			? 'example.com'
			: pick(random, ['example.com', 'example.net', 'example.org']);
	const email = emailFor(first, last, domain);
	const address = {
		first_name: first,
		last_name: last,
		company,
		address_1: `${place.street} ${1 + Math.floor(random() * 180)}`,
		address_2: random() < 0.25 ? `${1 + Math.floor(random() * 5)}. OG` : '',
		city: place.city,
		state: place.state,
		postcode: place.postcode,
		country: market.country,
	};
	const phone = `${market.phonePrefix}${String(1000000 + Math.floor(random() * 8999999))}`;

	// lines: 1–3 different products, 1–3 of each
	const chosen = [...PRODUCTS].sort(() => random() - 0.5).slice(0, 1 + Math.floor(random() * 3));
	const lines = chosen.map((product) => ({ product, quantity: 1 + Math.floor(random() * 3) }));
	const subtotals = lines.map((line) => line.product.price * line.quantity);
	const itemsSubtotal = subtotals.reduce((sum, value) => sum + value, 0);

	// coupon: percent of each line, or a fixed cart amount split over the lines by their share
	const coupon = random() < 0.35 ? pick(random, COUPONS) : undefined;
	const discounts = subtotals.map((subtotal) =>
		!coupon ? 0 : coupon.type === 'percent' ? roundCents((subtotal * coupon.amount) / 100) : 0,
	);
	if (coupon?.type === 'fixed_cart') {
		const total = Math.min(coupon.amount, itemsSubtotal);
		let left = total;
		subtotals.forEach((subtotal, index) => {
			const share = index === subtotals.length - 1 ? left : roundCents((total * subtotal) / itemsSubtotal);
			discounts[index] = share;
			left -= share;
		});
	}

	const rate = market.taxPercent / 100;
	const rateId = 1 + MARKETS.indexOf(market);
	const taxed = rate > 0;
	const lineItems = lines.map((line, index) => {
		const subtotal = subtotals[index];
		const total = subtotal - discounts[index];
		const subtotalTax = roundCents(subtotal * rate);
		const totalTax = roundCents(total * rate);
		return {
			id: options.nextItemId(),
			name: line.product.name,
			product_id: line.product.productId,
			variation_id: line.product.variationId,
			quantity: line.quantity,
			tax_class: '',
			subtotal: money(subtotal),
			subtotal_tax: money(subtotalTax),
			total: money(total),
			total_tax: money(totalTax),
			taxes: taxed ? [{ id: rateId, total: money(totalTax), subtotal: money(subtotalTax) }] : [],
			meta_data: [],
			sku: line.product.sku,
			price: total / 100 / line.quantity,
			image: { id: 0, src: '' },
			parent_name: line.product.variationId ? line.product.name.split(' – ')[0] : null,
			_cents: { subtotal, total, subtotalTax, totalTax },
		};
	});
	const itemsTotal = lineItems.reduce((sum, line) => sum + line._cents.total, 0);
	const cartTax = lineItems.reduce((sum, line) => sum + line._cents.totalTax, 0);
	const discountTotal = discounts.reduce((sum, value) => sum + value, 0);
	const discountTax = lineItems.reduce((sum, line) => sum + line._cents.subtotalTax - line._cents.totalTax, 0);
	const shipping = itemsTotal >= market.freeShippingOver ? 0 : market.shipping;
	const shippingTax = roundCents(shipping * rate);
	const totalTax = cartTax + shippingTax;
	const orderTotal = itemsTotal + shipping + totalTax;
	for (const line of lineItems) delete (line as Partial<typeof line>)._cents;

	const payment = pick(random, PAYMENT);
	return {
		status: 'processing',
		currency: market.currency,
		currency_symbol: market.symbol,
		prices_include_tax: false,
		discount_total: money(discountTotal),
		discount_tax: money(discountTax),
		shipping_total: money(shipping),
		shipping_tax: money(shippingTax),
		cart_tax: money(cartTax),
		total: money(orderTotal),
		total_tax: money(totalTax),
		customer_id: returning?.id ?? 0,
		billing: { ...address, email, phone },
		shipping: { ...address, phone: '' },
		payment_method: payment.method,
		payment_method_title: payment.title,
		transaction_id: payment.transaction(random),
		customer_note: pick(random, NOTES),
		created_via: 'checkout',
		meta_data: [],
		line_items: lineItems,
		tax_lines: taxed
			? [
					{
						id: options.nextItemId(),
						rate_code: market.taxCode,
						rate_id: rateId,
						label: market.taxLabel,
						compound: false,
						tax_total: money(cartTax),
						shipping_tax_total: money(shippingTax),
						rate_percent: market.taxPercent,
						meta_data: [],
					},
				]
			: [],
		shipping_lines: [
			{
				id: options.nextItemId(),
				method_title: shipping === 0 ? 'Free shipping' : 'Flat rate',
				method_id: shipping === 0 ? 'free_shipping' : 'flat_rate',
				instance_id: shipping === 0 ? '2' : '1',
				total: money(shipping),
				total_tax: money(shippingTax),
				taxes: taxed && shipping > 0 ? [{ id: rateId, total: money(shippingTax), subtotal: '' }] : [],
				meta_data: [],
			},
		],
		fee_lines: [],
		coupon_lines: coupon
			? [
					{
						id: options.nextItemId(),
						code: coupon.code,
						discount: money(discountTotal),
						discount_tax: money(discountTax),
						discount_type: coupon.type,
						nominal_amount: coupon.type === 'percent' ? coupon.amount : coupon.amount / 100,
						free_shipping: false,
						meta_data: [],
					},
				]
			: [],
		refunds: [],
	};
}
