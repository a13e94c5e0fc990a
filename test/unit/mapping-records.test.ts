import { readFileSync } from 'fs';
import { join } from 'path';

import type { WooOrder } from '../../nodes/ZohoCrmOrderSync/mapping';
import {
	buildAccountRecord,
	buildContactRecord,
	buildDealRecord,
	contactStreet,
	defaultDealName,
	describeOrder,
	type AccountFieldValues,
	type ContactFieldValues,
	type DealFieldValues,
} from '../../nodes/ZohoCrmOrderSync/mapping';

function loadOrder(name: string): WooOrder {
	return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'orders', `${name}.json`), 'utf8')) as WooOrder;
}

const CONTACT_ID = '5725767000000419002';
const ACCOUNT_ID = '5725767000000419001';

/*
 * What the node's default mapping expressions evaluate to for an order, e.g.
 * First_Name = {{ $json.billing.first_name }}, Mailing_Street = address_1 + ', ' + address_2.
 * The builders get these raw values and apply the rules under test.
 */
function contactValues(order: WooOrder): ContactFieldValues {
	return {
		First_Name: order.billing.first_name,
		Last_Name: order.billing.last_name,
		Email: order.billing.email,
		Phone: order.billing.phone,
		Mailing_Street: contactStreet(order.billing),
		Mailing_City: order.billing.city,
		Mailing_State: order.billing.state,
		Mailing_Zip: order.billing.postcode,
		Mailing_Country: order.billing.country,
		Lead_Source: 'WooCommerce',
	};
}

function accountValues(order: WooOrder): AccountFieldValues {
	return {
		Account_Name: order.billing.company,
		Billing_Street: contactStreet(order.billing),
		Billing_City: order.billing.city,
		Billing_State: order.billing.state,
		Billing_Code: order.billing.postcode,
		Billing_Country: order.billing.country,
		Phone: order.billing.phone,
	};
}

/** The Deal parameters as the node evaluates its defaults: name and description empty, so the mapping's fallbacks apply. */
function dealValues(order: WooOrder, accountId?: string): DealFieldValues {
	return {
		Deal_Name: '',
		Stage: 'Closed Won',
		Pipeline: 'Standard (Standard)',
		Closing_Date: order.date_created,
		Amount: order.total,
		Currency: order.currency,
		Contact_Id: CONTACT_ID,
		Account_Id: accountId,
		Type: 'New Business',
		Lead_Source: 'WooCommerce',
		Description: '',
	};
}

/** An order with neither names nor email: nothing but its number to name a deal after. */
function anonymousOrder(id: number): WooOrder {
	return { ...loadOrder('no-names'), id, number: String(id), billing: {} };
}

describe('main sample order (docs order 727, registered B2B customer)', () => {
	const order = loadOrder('main-sample');

	it('maps to the exact Contact record', () => {
		expect(buildContactRecord(contactValues(order), ACCOUNT_ID)).toEqual({
			First_Name: 'John',
			Last_Name: 'Doe',
			Email: 'john.doe@example.com',
			Phone: '(555) 555-5555',
			Mailing_Street: '969 Market, Suite 400',
			Mailing_City: 'San Francisco',
			Mailing_State: 'CA',
			Mailing_Zip: '94103',
			Mailing_Country: 'US',
			Lead_Source: 'WooCommerce',
			Account_Name: { id: ACCOUNT_ID },
		});
	});

	it('maps to the exact Account record', () => {
		expect(buildAccountRecord(accountValues(order))).toEqual({
			Account_Name: 'Acme Widgets Ltd',
			Billing_Street: '969 Market, Suite 400',
			Billing_City: 'San Francisco',
			Billing_State: 'CA',
			Billing_Code: '94103',
			Billing_Country: 'US',
			Phone: '(555) 555-5555',
		});
	});

	it('maps to the exact Deal record', () => {
		expect(buildDealRecord(order, dealValues(order, ACCOUNT_ID), 'WooCommerce_Order_ID', order.id)).toEqual({
			Deal_Name: 'WooCommerce Order #727 (John Doe)',
			Stage: 'Closed Won',
			Pipeline: 'Standard (Standard)',
			Closing_Date: '2026-03-22',
			Amount: 29.35,
			Currency: 'USD',
			Contact_Name: { id: CONTACT_ID },
			Account_Name: { id: ACCOUNT_ID },
			Type: 'New Business',
			Lead_Source: 'WooCommerce',
			Description: [
				'2 × Woo Single #1 — 6.00',
				'1 × Ship Your Idea – Color: Black, Size: M Test (Bar3) — 12.00',
				'Shipping (Flat Rate): 10.00',
				'Tax: 1.35',
				'Total: 29.35 USD',
				'Payment: Direct Bank Transfer',
				'Customer note: Please leave at the front desk.',
			].join('\n'),
			WooCommerce_Order_ID: '727',
		});
	});
});

describe('Contact', () => {
	it('maps a guest order (customer_id 0) from its billing address, without an Account', () => {
		const order = loadOrder('guest-no-company');
		expect(order.customer_id).toBe(0);
		expect(buildContactRecord(contactValues(order))).toEqual({
			First_Name: 'Maria',
			Last_Name: 'Garcia',
			Email: 'maria.garcia@example.net',
			Phone: '+1 512 555 0199',
			Mailing_Street: 'Calle Mayor 5',
			Mailing_City: 'Austin',
			Mailing_State: 'TX',
			Mailing_Zip: '73301',
			Mailing_Country: 'US',
			Lead_Source: 'WooCommerce',
		});
	});

	it('uses the first name as Last_Name (mandatory) when there is no last name, without repeating it', () => {
		const record = buildContactRecord(contactValues(loadOrder('no-last-name')));
		expect(record.Last_Name).toBe('Anna');
		expect(record).not.toHaveProperty('First_Name');
		expect(record).not.toHaveProperty('Phone');
		expect(record).not.toHaveProperty('Mailing_State');
	});

	it("uses the email's local part when there are no names, and lower-cases/trims the email", () => {
		expect(buildContactRecord(contactValues(loadOrder('no-names')))).toEqual({
			Last_Name: 'j.smith+shop',
			Email: 'j.smith+shop@example.com',
			Mailing_Country: 'US',
			Lead_Source: 'WooCommerce',
		});
	});

	it('falls back to "Unknown" when there is neither a name nor an email', () => {
		expect(buildContactRecord({ First_Name: ' ', Last_Name: null, Email: '' })).toEqual({ Last_Name: 'Unknown' });
	});

	it('keeps unicode and decodes HTML entities in names and addresses', () => {
		const record = buildContactRecord(contactValues(loadOrder('entities-unicode')));
		expect(record).toMatchObject({
			First_Name: 'Jürgen',
			Last_Name: 'Müller',
			Mailing_Street: 'Königstraße 12, Hinterhaus',
			Mailing_City: 'München',
		});
		expect(record).not.toHaveProperty('Mailing_State');
		expect(buildContactRecord({ Last_Name: 'O&#039;Brien &amp; Co' }).Last_Name).toBe("O'Brien & Co");
	});

	it('merges custom fields last: they override, and empty values are dropped', () => {
		const record = buildContactRecord(
			{
				Last_Name: 'Doe',
				Lead_Source: 'WooCommerce',
				customFields: {
					Lead_Source: 'Web Shop',
					Customer_Type: '  B2B  ',
					Newsletter: false,
					Orders_Count: 0,
					Interests: ['Coffee', 'Tea'],
					Empty_Text: '   ',
					Empty_List: [],
					Nothing: null,
					' ': 'ignored: no field name',
				},
			},
			ACCOUNT_ID,
		);
		expect(record).toEqual({
			Last_Name: 'Doe',
			Lead_Source: 'Web Shop',
			Customer_Type: 'B2B',
			Newsletter: false,
			Orders_Count: 0,
			Interests: ['Coffee', 'Tea'],
			Account_Name: { id: ACCOUNT_ID },
		});
	});

	it('names the field when a value cannot be used', () => {
		expect(() => buildContactRecord({ Last_Name: 'Doe', Phone: { number: 1 } })).toThrow(
			'Phone: Expected text but got an object',
		);
		expect(() => buildContactRecord({ Last_Name: 'Doe', customFields: { Score: NaN } })).toThrow(
			'Score: not a valid number',
		);
	});
});

describe('contactStreet', () => {
	it('joins the two address lines, skipping empty ones', () => {
		expect(contactStreet({ address_1: '969 Market', address_2: 'Suite 400' })).toBe('969 Market, Suite 400');
		expect(contactStreet({ address_1: ' 969 Market ', address_2: '' })).toBe('969 Market');
		expect(contactStreet({ address_1: '', address_2: 'c/o Jane' })).toBe('c/o Jane');
		expect(contactStreet({})).toBe('');
	});
});

describe('Account', () => {
	it('is not created for an order without a company (B2C)', () => {
		expect(buildAccountRecord(accountValues(loadOrder('guest-no-company')))).toBeUndefined();
		expect(buildAccountRecord({ Account_Name: '&nbsp; ', Billing_City: 'Paris' })).toBeUndefined();
	});

	it('decodes entities in the company name (the upsert matches on it)', () => {
		expect(buildAccountRecord(accountValues(loadOrder('entities-unicode')))).toEqual({
			Account_Name: 'Müller & Söhne GmbH',
			Billing_Street: 'Königstraße 12, Hinterhaus',
			Billing_City: 'München',
			Billing_Code: '80331',
			Billing_Country: 'DE',
			Phone: '+49 89 1234567',
		});
	});

	it('merges custom fields', () => {
		expect(buildAccountRecord({ Account_Name: 'Acme', customFields: { Industry: 'Retail', Website: '' } })).toEqual({
			Account_Name: 'Acme',
			Industry: 'Retail',
		});
	});
});

describe('Deal', () => {
	it('leaves out the Account lookup for a guest order without a company', () => {
		const order = loadOrder('guest-no-company');
		const record = buildDealRecord(order, dealValues(order), 'WooCommerce_Order_ID', order.id);
		expect(record).not.toHaveProperty('Account_Name');
		expect(record).toMatchObject({
			Deal_Name: 'WooCommerce Order #1001 (Maria Garcia)',
			Amount: 45,
			Contact_Name: { id: CONTACT_ID },
			WooCommerce_Order_ID: '1001',
		});
	});

	it('keeps the EUR currency and amount of a multi-currency order', () => {
		const order = loadOrder('eur-multicurrency');
		const record = buildDealRecord(order, dealValues(order), 'WooCommerce_Order_ID', order.id);
		expect(record).toMatchObject({ Amount: 35.8, Currency: 'EUR', Closing_Date: '2026-11-27' });
		expect(record.Description).toContain('Tax: 5.72 (prices include tax)\nTotal: 35.80 EUR');
	});

	it('uses the order total as placed for Amount; refunds are described, not subtracted', () => {
		// The Deal records what was sold when the order was placed; refunds happen later and are
		// separate money movements, so subtracting them would misstate the won amount.
		const order = loadOrder('refunds');
		const record = buildDealRecord(order, dealValues(order), 'WooCommerce_Order_ID', order.id);
		expect(record.Amount).toBe(30);
		expect(record.Description).toBe(
			[
				'2 × Mug (MUG-01) — 24.00',
				'Shipping (Flat rate): 6.00',
				'Total: 30.00 USD',
				'Payment: Direct bank transfer',
				'Refund #1201: -12.00 (Damaged in transit)',
				'Refund #1202: -1.50',
			].join('\n'),
		);
	});

	it('falls back to a name from the order number, and converts values to Zoho formats', () => {
		expect(
			buildDealRecord(
				anonymousOrder(1234),
				{
					Deal_Name: '',
					Description: 'Gift',
					Stage: ' Closed Won ',
					Closing_Date: '2026-11-27T10:20:30',
					Amount: 59.199999,
					Currency: 'eur',
					Contact_Id: 5725767000,
					Account_Id: { id: ACCOUNT_ID, name: 'Acme' },
				},
				'WooCommerce_Order_ID',
				1234,
			),
		).toEqual({
			Deal_Name: 'WooCommerce Order #1234',
			Stage: 'Closed Won',
			Closing_Date: '2026-11-27',
			Amount: 59.2,
			Currency: 'EUR',
			Contact_Name: { id: '5725767000' },
			Account_Name: { id: ACCOUNT_ID },
			Description: 'Gift',
			WooCommerce_Order_ID: '1234',
		});
	});

	it('keeps the order id field even if a custom field tries to override it, and omits it when not configured', () => {
		const order = anonymousOrder(727);
		const values: DealFieldValues = {
			Deal_Name: 'x',
			Description: 'y',
			customFields: { WooCommerce_Order_ID: '999', Probability: 100 },
		};
		expect(buildDealRecord(order, values, 'WooCommerce_Order_ID', 727)).toEqual({
			Deal_Name: 'x',
			Description: 'y',
			Probability: 100,
			WooCommerce_Order_ID: '727',
		});
		expect(buildDealRecord(order, { Deal_Name: 'x', Description: 'y' }, '', 727)).toEqual({ Deal_Name: 'x', Description: 'y' });
	});

	it('names a deal after the email when the order has no names, and the order number alone when it has neither', () => {
		const noNames = loadOrder('no-names');
		expect(buildDealRecord(noNames, dealValues(noNames), 'WooCommerce_Order_ID').Deal_Name).toBe(
			'WooCommerce Order #1003 (j.smith+shop@example.com)',
		);
		const anonymous = anonymousOrder(1003);
		expect(buildDealRecord(anonymous, dealValues(anonymous), 'WooCommerce_Order_ID').Deal_Name).toBe('WooCommerce Order #1003');
	});

	it('sends Pipeline and Currency only when the org has those fields, the first pipeline when none is given', () => {
		const order = loadOrder('main-sample');
		const values = { ...dealValues(order), Pipeline: '' };
		const withBoth = [
			{ api_name: 'Pipeline', pick_list_values: [{ actual_value: 'Standard (Standard)' }, { actual_value: 'Web' }] },
			{ api_name: 'Currency' },
		];
		expect(buildDealRecord(order, values, 'WooCommerce_Order_ID', order.id, withBoth)).toMatchObject({
			Pipeline: 'Standard (Standard)',
			Currency: 'USD',
		});
		const without = buildDealRecord(order, { ...values, Pipeline: 'Web' }, 'WooCommerce_Order_ID', order.id, []);
		expect(without).not.toHaveProperty('Pipeline');
		expect(without).not.toHaveProperty('Currency');
	});

	it('names the field when a value is unusable', () => {
		expect(() => buildDealRecord(anonymousOrder(1), { Amount: '12,50' }, 'WooCommerce_Order_ID', 1)).toThrow(
			'Amount: Not a valid amount: "12,50"',
		);
		expect(() => buildDealRecord(anonymousOrder(1), { Closing_Date: 'tomorrow' }, 'WooCommerce_Order_ID', 1)).toThrow(
			'Closing_Date: Not a valid date',
		);
		// 19-digit Zoho ids lose digits as JS numbers; refuse rather than link the wrong record
		expect(() => buildDealRecord(anonymousOrder(1), { Contact_Id: 5725767000000419002 }, 'WooCommerce_Order_ID', 1)).toThrow(
			'Contact_Name: Zoho record ids must be passed as text',
		);
	});
});

describe('defaultDealName', () => {
	it('decodes entities and uses the order number (which plugins may change)', () => {
		const order = loadOrder('entities-unicode');
		expect(defaultDealName(order)).toBe('WooCommerce Order #1004 (Jürgen Müller)');
		expect(defaultDealName({ ...order, number: 'WC-2026-1004' })).toBe('WooCommerce Order #WC-2026-1004 (Jürgen Müller)');
	});

	it('has no double spaces when a name is missing, and falls back to the email', () => {
		expect(defaultDealName(loadOrder('no-last-name'))).toBe('WooCommerce Order #1002 (Anna)');
		expect(defaultDealName(loadOrder('no-names'))).toBe('WooCommerce Order #1003 (j.smith+shop@example.com)');
		const nobody = loadOrder('no-names');
		nobody.billing.email = null;
		expect(defaultDealName(nobody)).toBe('WooCommerce Order #1003');
	});
});

describe('describeOrder', () => {
	it('decodes entities in item names and the customer note', () => {
		expect(describeOrder(loadOrder('entities-unicode'))).toBe(
			[
				'2 × Kaffee – Röstung: dunkel (KAF-DKL) — 25.00',
				'1 × Tasse „Guten Morgen“ (TAS-GM) — 8.40',
				'1 × Geschenk box & Band — 3.00',
				'Shipping (DHL Paket): 4.90',
				'Tax: 7.85',
				'Total: 49.15 EUR',
				'Payment: Direct bank transfer',
				'Customer note: Bitte „Fragile“ vermerken',
			].join('\n'),
		);
	});

	it('lists coupons with the discount, and fees (including negative ones)', () => {
		expect(describeOrder(loadOrder('coupons'))).toBe(
			[
				'2 × Sunglasses (woo-sunglasses) — 50.00',
				'1 × Cap (woo-cap) — 30.00',
				'Shipping (Flat rate): 5.00',
				'Discount: -13.00 (coupons: save10, fiver)',
				'Tax: 6.70',
				'Total: 78.70 USD',
				'Payment: Direct bank transfer',
			].join('\n'),
		);
		const fees = describeOrder(loadOrder('fees'));
		expect(fees).toContain('Shipping (Flat rate): 4.00\nFee (Gift wrap): 3.00\nFee (Loyalty discount): -5.00\nTax: 4.70');
	});

	it('stays within the 32000 characters of a Zoho textarea', () => {
		const order = loadOrder('main-sample');
		const item = order.line_items[0];
		order.line_items = Array.from({ length: 2000 }, (_, i) => ({ ...item, id: i, name: `Item number ${i} ${'x'.repeat(20)}` }));
		const description = describeOrder(order);
		expect(description.length).toBeLessThanOrEqual(32000);
		expect(description.startsWith('2 × Item number 0 ')).toBe(true);
	});
});
