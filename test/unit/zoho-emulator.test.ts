/**
 * The Zoho CRM emulator answers what Zoho documents (https://www.zoho.com/crm/developer/docs/api/v8/) and refuses
 * what Zoho refuses. Plain fetch against the running emulator, no connector code involved.
 */
import { ZohoEmulator } from '../emulators/zoho';

let zoho: ZohoEmulator;
let token: string;

// Most emulator tests use an org already set up the way the connector wants it (unique order-id field, unique
// Product_Code, a 10 % tax, the Standard concurrency of 10); 'a new org' below checks the fresh-org defaults.
beforeAll(async () => {
	zoho = await ZohoEmulator.start({ orderIdField: true, uniqueProductCode: true, concurrencyLimit: 10, taxes: [{ name: 'Sales Tax', value: 10 }] });
});

afterAll(async () => {
	await zoho.stop();
});

beforeEach(() => {
	zoho.reset();
	zoho.restrictScopes(null);
	token = zoho.issueAccessToken();
});

const api = async (
	method: string,
	path: string,
	body?: unknown,
	options: { token?: string | null; raw?: string; server?: ZohoEmulator } = {},
) => {
	const server = options.server ?? zoho;
	const headers: Record<string, string> = { 'Content-Type': 'application/json' };
	const accessToken = options.token === undefined ? (server === zoho ? token : server.issueAccessToken()) : options.token;
	if (accessToken !== null) headers.Authorization = `Zoho-oauthtoken ${accessToken}`;
	const response = await fetch(`${server.url}/crm/v8${path}`, {
		method,
		headers,
		body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
	});
	const text = await response.text();
	return { status: response.status, headers: response.headers, text, json: text ? (JSON.parse(text) as any) : undefined };
};

const tokenRequest = async (params: Record<string, string>, server = zoho) => {
	const response = await fetch(`${server.url}/oauth/v2/token`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(params).toString(),
	});
	return { status: response.status, json: (await response.json()) as any };
};

const refreshParams = (overrides: Record<string, string> = {}) => ({
	grant_type: 'refresh_token',
	client_id: zoho.clientId,
	client_secret: zoho.clientSecret,
	refresh_token: zoho.refreshToken,
	...overrides,
});

const contact = (email: string, extra: Record<string, unknown> = {}) => ({ Last_Name: 'Doe', Email: email, ...extra });

describe('accounts server: POST /oauth/v2/token', () => {
	it('refreshes an access token that the API accepts, with api_domain pointing at the emulator', async () => {
		const { status, json } = await tokenRequest(refreshParams());
		expect(status).toBe(200);
		expect(json).toEqual({ access_token: expect.stringMatching(/^1000\./), scope: expect.any(String), api_domain: zoho.url, token_type: 'Bearer', expires_in: 3600 });
		expect((await api('GET', '/settings/fields?module=Contacts', undefined, { token: json.access_token })).status).toBe(200);
	});

	it('accepts query parameters, HTTP Basic client credentials and multipart bodies', async () => {
		const query = new URLSearchParams(refreshParams()).toString();
		const viaQuery = (await (await fetch(`${zoho.url}/oauth/v2/token?${query}`, { method: 'POST' })).json()) as any;
		expect(viaQuery.access_token).toBeDefined();
		const basic = Buffer.from(`${zoho.clientId}:${zoho.clientSecret}`).toString('base64');
		const viaBasic = await fetch(`${zoho.url}/oauth/v2/token`, {
			method: 'POST',
			headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
			body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(zoho.refreshToken)}`,
		});
		expect(((await viaBasic.json()) as any).access_token).toBeDefined();
		const form = new FormData();
		for (const [key, value] of Object.entries(refreshParams())) form.append(key, value);
		const viaMultipart = (await (await fetch(`${zoho.url}/oauth/v2/token`, { method: 'POST', body: form })).json()) as any;
		expect(viaMultipart.access_token).toBeDefined();
	});

	it('answers token errors with HTTP 200 and an error key', async () => {
		expect(await tokenRequest(refreshParams({ client_secret: 'wrong' }))).toEqual({ status: 200, json: { error: 'invalid_client' } });
		expect(await tokenRequest(refreshParams({ refresh_token: '1000.unknown' }))).toEqual({ status: 200, json: { error: 'invalid_code' } });
	});

	it('revoking the refresh token gives invalid_code and kills the access tokens minted from it', async () => {
		zoho.revokeRefreshToken();
		expect(await tokenRequest(refreshParams())).toEqual({ status: 200, json: { error: 'invalid_code' } });
		const { status, json } = await api('GET', '/settings/fields?module=Contacts');
		expect(status).toBe(401);
		expect(json.code).toBe('INVALID_TOKEN');
	});

	it('allows 10 tokens per refresh token in 10 minutes, then answers Access Denied with HTTP 200', async () => {
		for (let index = 0; index < 10; index++) expect((await tokenRequest(refreshParams())).json.access_token).toBeDefined();
		expect(await tokenRequest(refreshParams())).toEqual({
			status: 200,
			json: {
				error_description: 'You have made too many requests continuously. Please try again after some time.',
				error: 'Access Denied',
				status: 'failure',
			},
		});
	});

	it('exchanges the authorization code once for a refresh token', async () => {
		const params = { grant_type: 'authorization_code', client_id: zoho.clientId, client_secret: zoho.clientSecret, code: 'test-code', redirect_uri: 'http://localhost/cb' };
		const first = await tokenRequest(params);
		expect(first.json).toMatchObject({ refresh_token: zoho.refreshToken, access_token: expect.any(String), api_domain: zoho.url });
		expect((await tokenRequest(params)).json).toEqual({ error: 'invalid_code' });
	});
});

describe('API authentication and routing', () => {
	it('401 AUTHENTICATION_FAILURE without a token, INVALID_TOKEN for unknown or expired tokens', async () => {
		expect((await api('GET', '/Contacts/1', undefined, { token: null })).json).toEqual({
			code: 'AUTHENTICATION_FAILURE',
			details: {},
			message: 'Authentication failed',
			status: 'error',
		});
		const unknown = await api('GET', '/Contacts/1', undefined, { token: '1000.nope.nope' });
		expect(unknown.status).toBe(401);
		expect(unknown.json).toEqual({ code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' });
		zoho.expireAccessTokens();
		expect((await api('GET', '/Contacts/1')).status).toBe(401);
	});

	it('tokens expire after accessTokenTtlSeconds', async () => {
		const shortLived = await ZohoEmulator.start({ accessTokenTtlSeconds: 0 });
		try {
			const { json } = await tokenRequest({ ...refreshParams(), client_id: shortLived.clientId }, shortLived);
			expect(json.expires_in).toBe(0);
			expect((await api('GET', '/Contacts/1', undefined, { server: shortLived, token: json.access_token })).json.code).toBe('INVALID_TOKEN');
		} finally {
			await shortLived.stop();
		}
	});

	it('401 OAUTH_SCOPE_MISMATCH when the token lacks the endpoint scope', async () => {
		zoho.restrictScopes(['ZohoCRM.modules.contacts.READ', 'ZohoCRM.settings.fields.READ']);
		const limited = zoho.issueAccessToken();
		const upsert = await api('POST', '/Contacts/upsert', { data: [contact('a@b.com')] }, { token: limited });
		expect(upsert.status).toBe(401);
		expect(upsert.json).toEqual({ code: 'OAUTH_SCOPE_MISMATCH', details: {}, message: 'invalid oauth scope to access this URL', status: 'error' });
		// search also needs ZohoSearch.securesearch.READ; COQL needs ZohoCRM.coql.READ
		expect((await api('GET', '/Contacts/search?email=a@b.com', undefined, { token: limited })).json.code).toBe('OAUTH_SCOPE_MISMATCH');
		expect((await api('POST', '/coql', { select_query: "select id from Contacts where Email = 'a'" }, { token: limited })).json.code).toBe('OAUTH_SCOPE_MISMATCH');
		expect((await api('POST', '/settings/fields?module=Deals', { fields: [] }, { token: limited })).json.code).toBe('OAUTH_SCOPE_MISMATCH');
		expect((await api('GET', '/Contacts/1', undefined, { token: limited })).status).toBe(204);
		expect(zoho.creditsUsed()).toBe(1);
	});

	it('404 INVALID_URL_PATTERN, 400 INVALID_REQUEST_METHOD, 400 INVALID_MODULE, non-JSON body 400 INVALID_DATA', async () => {
		expect(await api('GET', '/Contacts/1/2/3')).toMatchObject({ status: 404, json: { code: 'INVALID_URL_PATTERN', status: 'error' } });
		expect(await api('GET', '/Contacts/upsert')).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST_METHOD' } });
		expect(await api('POST', '/Leads/upsert', { data: [{}] })).toMatchObject({ status: 400, json: { code: 'INVALID_MODULE' } });
		expect(await api('POST', '/Contacts/upsert', undefined, { raw: 'data=1' })).toMatchObject({ status: 400, json: { code: 'INVALID_DATA' } });
	});
});

describe('writes', () => {
	it('upsert inserts, then updates by Email (case-insensitive) with action and duplicate_field', async () => {
		const first = await api('POST', '/Contacts/upsert', { data: [contact('Ann@Example.com', { First_Name: 'Ann' })], duplicate_check_fields: ['Email'], trigger: [] });
		expect(first.status).toBe(201);
		expect(first.json.data[0]).toEqual({
			code: 'SUCCESS',
			duplicate_field: null,
			action: 'insert',
			details: expect.objectContaining({ id: expect.stringMatching(/^\d{19}$/), Created_Time: expect.stringMatching(/\+00:00$/) }),
			message: 'record added',
			status: 'success',
		});
		const second = await api('POST', '/Contacts/upsert', { data: [contact('ann@example.com', { First_Name: 'Anna' })], duplicate_check_fields: ['Email'] });
		expect(second.status).toBe(200);
		expect(second.json.data[0]).toMatchObject({ action: 'update', duplicate_field: 'Email', message: 'record updated', details: { id: first.json.data[0].details.id } });
		expect(zoho.records('Contacts')).toEqual([expect.objectContaining({ First_Name: 'Anna', Full_Name: 'Anna Doe' })]);
	});

	it('rejects unknown fields, wrong types, read-only fields and missing mandatory fields per record, in input order', async () => {
		const account = (await api('POST', '/Accounts', { data: [{ Account_Name: 'Acme' }] })).json.data[0].details.id;
		const deal = (extra: Record<string, unknown>) => ({ Deal_Name: 'D', Stage: 'Qualification', ...extra });
		const { status, json } = await api('POST', '/Deals', {
			data: [
				deal({ Colour: 'red' }),
				deal({ Amount: '12.50' }),
				deal({ Closing_Date: '01/02/2024' }),
				deal({ Stage: 'Won' }),
				deal({ Account_Name: { id: '4150868000000999999' } }),
				{ Stage: 'Qualification' },
				deal({ Description: 'x', Deal_Name: 'y'.repeat(121) }),
				deal({ Grand_Total: 5 }),
				deal({ id: '1' }),
				deal({ Account_Name: { id: account }, Amount: 12.5, Closing_Date: '2024-02-29' }),
			],
		});
		expect(status).toBe(207);
		const results = json.data;
		expect(results[0]).toEqual({ code: 'INVALID_DATA', details: { api_name: 'Colour', json_path: '$.data[0].Colour' }, message: 'invalid data', status: 'error' });
		expect(results[1].details).toEqual({ api_name: 'Amount', json_path: '$.data[1].Amount', expected_data_type: 'double' });
		expect(results[2].details).toMatchObject({ api_name: 'Closing_Date', expected_data_type: 'date' });
		expect(results[3].details).toMatchObject({ api_name: 'Stage', expected_data_type: 'picklist' });
		expect(results[4]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Account_Name' } });
		expect(results[5]).toEqual({ code: 'MANDATORY_NOT_FOUND', details: { api_name: 'Deal_Name', json_path: '$.data[5].Deal_Name' }, message: 'required field not found', status: 'error' });
		expect(results[6]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Deal_Name', maximum_length: 120 } });
		expect(results[7].details).toEqual({ api_name: 'Grand_Total', json_path: '$.data[7].Grand_Total' });
		expect(results[8].details.api_name).toBe('id');
		expect(results[9]).toMatchObject({ code: 'SUCCESS', status: 'success' });
		expect(zoho.records('Deals')).toEqual([expect.objectContaining({ Account_Name: { id: account, name: 'Acme' }, Amount: 12.5 })]);
	});

	it('answers 400 with the data envelope when every record failed; envelope errors for bad bodies', async () => {
		const allFailed = await api('POST', '/Contacts', { data: [{ First_Name: 'x' }, { Email: 'not-an-email', Last_Name: 'x' }] });
		expect(allFailed.status).toBe(400);
		expect(allFailed.json.data.map((item: { code: string }) => item.code)).toEqual(['MANDATORY_NOT_FOUND', 'INVALID_DATA']);
		expect(await api('POST', '/Contacts', { data: [] })).toMatchObject({ status: 400, json: { code: 'LIMIT_EXCEEDED' } });
		const tooMany = Array.from({ length: 101 }, (_, index) => contact(`c${index}@x.com`));
		expect(await api('POST', '/Contacts/upsert', { data: tooMany })).toMatchObject({ status: 400, json: { code: 'LIMIT_EXCEEDED' } });
		expect(await api('POST', '/Contacts/upsert', { data: [contact('a@b.com')], duplicate_check: ['Email'] })).toMatchObject({
			status: 400,
			json: { code: 'INVALID_DATA', details: { api_name: 'duplicate_check', json_path: '$.duplicate_check' } },
		});
		expect(await api('POST', '/Contacts/upsert', { data: [contact('a@b.com')], duplicate_check_fields: ['Phone'] })).toMatchObject({
			status: 400,
			json: { code: 'INVALID_DATA', details: { api_name: 'Phone' } },
		});
		expect(await api('POST', '/Contacts/upsert', { data: contact('a@b.com') })).toMatchObject({ status: 400, json: { code: 'INVALID_DATA' } });
		expect(zoho.records('Contacts')).toHaveLength(0);
	});

	it('insert enforces unique fields with DUPLICATE_DATA naming the existing record; upsert on the unique field updates', async () => {
		const deal = { Deal_Name: 'Order 1', Stage: 'Closed Won', WooCommerce_Order_ID: 'wc-1' };
		const created = await api('POST', '/Deals', { data: [deal] });
		const id = created.json.data[0].details.id;
		const duplicate = await api('POST', '/Deals', { data: [{ ...deal, WooCommerce_Order_ID: 'WC-1' }] });
		expect(duplicate.status).toBe(400);
		expect(duplicate.json.data[0]).toEqual({
			code: 'DUPLICATE_DATA',
			details: { api_name: 'WooCommerce_Order_ID', json_path: '$.data[0].WooCommerce_Order_ID', duplicate_record: { id, module: { api_name: 'Deals', id: expect.any(String) } } },
			message: 'duplicate data',
			status: 'error',
		});
		const upsert = await api('POST', '/Deals/upsert', { data: [{ ...deal, Amount: 10 }], duplicate_check_fields: ['WooCommerce_Order_ID'] });
		expect(upsert.json.data[0]).toMatchObject({ action: 'update', duplicate_field: 'WooCommerce_Order_ID', details: { id } });
	});

	it('with latency, concurrent upserts of one key race: the unique field stops the second insert, Email does not', async () => {
		zoho.setLatency(150);
		const deal = { Deal_Name: 'Order 7', Stage: 'Qualification', WooCommerce_Order_ID: '7' };
		const body = { data: [deal], duplicate_check_fields: ['WooCommerce_Order_ID'] };
		const results = await Promise.all([api('POST', '/Deals/upsert', body), api('POST', '/Deals/upsert', body)]);
		expect(results.map((result) => result.status).sort()).toEqual([201, 400]);
		const failed = results.find((result) => result.status === 400);
		expect(failed?.json.data[0]).toMatchObject({ code: 'DUPLICATE_DATA', details: { api_name: 'WooCommerce_Order_ID' } });
		expect(zoho.records('Deals')).toHaveLength(1);
		const contacts = { data: [contact('race@x.com')], duplicate_check_fields: ['Email'] };
		await Promise.all([api('POST', '/Contacts/upsert', contacts), api('POST', '/Contacts/upsert', contacts)]);
		expect(zoho.records('Contacts')).toHaveLength(2);
	});

	it('computes Sales Order totals and keeps lookups as {id, name}', async () => {
		const products = await api('POST', '/Products/upsert', {
			data: [
				{ Product_Name: 'Mug', Product_Code: 'SKU-MUG', Unit_Price: 9.99 },
				{ Product_Name: 'Tee', Product_Code: 'SKU-TEE', Unit_Price: 20 },
			],
			duplicate_check_fields: ['Product_Code'],
		});
		const [mug, tee] = products.json.data.map((item: { details: { id: string } }) => item.details.id);
		const order = await api('POST', '/Sales_Orders', {
			data: [
				{
					Subject: 'WC #1',
					WooCommerce_Order_ID: '1',
					Ordered_Items: [
						{ Product_Name: { id: mug }, Quantity: 3 },
						// a Tax amount sent with the line is not kept: Zoho computes the line's tax from Line_Tax
						{ Product_Name: { id: tee }, Quantity: 2, List_Price: 18.5, Discount: 2, Tax: 3.4, Line_Tax: [{ name: 'Sales Tax', percentage: 10 }] },
					],
					Discount: 5,
					Adjustment: 4.99,
				},
			],
		});
		expect(order.status).toBe(201);
		const [stored] = zoho.records('Sales_Orders');
		// 3 × 9.99 = 29.97; 2 × 18.5 = 37 − 2 = 35 + 10 % = 38.5 → Sub_Total 68.47; − 5 + 0 + 4.99 = 68.46
		expect(stored.Ordered_Items).toEqual([
			expect.objectContaining({ Product_Name: { id: mug, name: 'Mug' }, List_Price: 9.99, Total: 29.97, Total_After_Discount: 29.97, Tax: 0, Net_Total: 29.97, id: expect.stringMatching(/^\d{19}$/) }),
			expect.objectContaining({
				Product_Name: { id: tee, name: 'Tee' },
				Total: 37,
				Total_After_Discount: 35,
				Tax: 3.5,
				Net_Total: 38.5,
				Line_Tax: [{ name: 'Sales Tax', percentage: 10, value: 3.5 }],
			}),
		]);
		expect(stored).toMatchObject({ Sub_Total: 68.47, Tax: 0, Discount: 5, Adjustment: 4.99, Grand_Total: 68.46 });
		// order-level Tax is computed, not written; an unknown tax name is refused
		expect((await api('POST', '/Sales_Orders', { data: [{ Subject: 'x', Tax: 1, Ordered_Items: [{ Product_Name: { id: mug }, Quantity: 1 }] }] })).json.data[0]).toMatchObject({
			code: 'INVALID_DATA',
			details: { api_name: 'Tax' },
		});
		const unknownTax = await api('POST', '/Sales_Orders', { data: [{ Subject: 'x', Ordered_Items: [{ Product_Name: { id: mug }, Quantity: 1, Line_Tax: [{ name: 'VAT', percentage: 20 }] }] }] });
		expect(unknownTax.json.data[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Line_Tax', json_path: '$.data[0].Ordered_Items[0].Line_Tax[0].name' } });
		// order-level taxes ($line_tax) apply to Sub_Total − Discount
		const withOrderTax = await api('POST', '/Sales_Orders', { data: [{ Subject: 'y', $line_tax: [{ name: 'Sales Tax', percentage: 10 }], Ordered_Items: [{ Product_Name: { id: tee }, Quantity: 1 }] }] });
		expect(withOrderTax.status).toBe(201);
		expect(zoho.records('Sales_Orders')[1]).toMatchObject({ Sub_Total: 20, Tax: 2, Grand_Total: 22 });
		const missingLines = await api('POST', '/Sales_Orders', { data: [{ Subject: 'x' }, { Subject: 'y', Ordered_Items: [{ Quantity: 1 }] }] });
		expect(missingLines.json.data.map((item: { details: { json_path: string } }) => item.details.json_path)).toEqual([
			'$.data[0].Ordered_Items',
			'$.data[1].Ordered_Items[0].Product_Name',
		]);
		expect((await api('POST', '/Products', { data: [{ Product_Name: 'Mug 2', Product_Code: 'sku-mug' }] })).json.data[0].code).toBe('DUPLICATE_DATA');
	});

	it('updates by PUT (bulk with id, and by path), reads by GET, 204 for an unknown id', async () => {
		const id = (await api('POST', '/Contacts', { data: [contact('u@x.com')] })).json.data[0].details.id;
		const bulk = await api('PUT', '/Contacts', { data: [{ id, Phone: '+1 555' }, { Phone: '1' }, { id: '4150868000000999999', Phone: '2' }] });
		expect(bulk.status).toBe(207);
		expect(bulk.json.data[0]).toMatchObject({ code: 'SUCCESS', message: 'record updated' });
		expect(bulk.json.data[1]).toMatchObject({ code: 'MANDATORY_NOT_FOUND', details: { api_name: 'id' } });
		expect(bulk.json.data[2]).toMatchObject({ code: 'INVALID_DATA', message: 'the id given seems to be invalid' });
		expect((await api('PUT', `/Contacts/${id}`, { data: [{ Last_Name: '' }] })).json.data[0].code).toBe('MANDATORY_NOT_FOUND');
		expect((await api('PUT', `/Contacts/${id}`, { data: [{ Mobile: '42' }] })).status).toBe(200);
		const read = await api('GET', `/Contacts/${id}`);
		expect(read.json.data[0]).toMatchObject({ id, Phone: '+1 555', Mobile: '42', Owner: { id: expect.any(String) } });
		const missing = await api('GET', '/Contacts/4150868000000999999');
		expect(missing.status).toBe(204);
		expect(missing.text).toBe('');
	});

	it('applies extra validation rules until cleared', async () => {
		zoho.addValidationRule((module, record) =>
			module === 'Contacts' && String(record.Email).endsWith('@blocked.test')
				? { code: 'INVALID_DATA', message: 'invalid email domain', details: { api_name: 'Email', json_path: '$.data[0].Email' } }
				: undefined,
		);
		const rejected = await api('POST', '/Contacts/upsert', { data: [contact('x@blocked.test')] });
		expect(rejected.json.data[0]).toEqual({ code: 'INVALID_DATA', message: 'invalid email domain', details: { api_name: 'Email', json_path: '$.data[0].Email' }, status: 'error' });
		zoho.clearFaults();
		expect((await api('POST', '/Contacts/upsert', { data: [contact('x@blocked.test')] })).status).toBe(201);
	});
});

describe('org options', () => {
	it('pipelines make Pipeline mandatory and serve GET /settings/pipeline; without them the field is unknown and the answer is 204', async () => {
		const withPipelines = await ZohoEmulator.start({ pipelines: true, multiCurrency: true });
		try {
			const options = { server: withPipelines };
			const missing = await api('POST', '/Deals', { data: [{ Deal_Name: 'D', Stage: 'Closed Won' }] }, options);
			expect(missing.json.data[0]).toMatchObject({ code: 'MANDATORY_NOT_FOUND', details: { api_name: 'Pipeline' } });
			const ok = await api('POST', '/Deals', { data: [{ Deal_Name: 'D', Stage: 'Closed Won', Pipeline: 'Standard (Standard)', Currency: 'EUR' }] }, options);
			expect(ok.status).toBe(201);
			expect(withPipelines.records('Deals')[0]).toMatchObject({ Currency: 'EUR', Exchange_Rate: expect.any(Number) });
			const pipelines = await api('GET', '/settings/pipeline', undefined, options);
			expect(pipelines.json.pipeline[0]).toMatchObject({ actual_value: 'Standard (Standard)', maps: expect.arrayContaining([expect.objectContaining({ actual_value: 'Closed Won' })]) });
		} finally {
			await withPipelines.stop();
		}
		expect((await api('POST', '/Deals', { data: [{ Deal_Name: 'D', Stage: 'Closed Won', Pipeline: 'Standard (Standard)' }] })).json.data[0].details.api_name).toBe('Pipeline');
		expect((await api('POST', '/Deals', { data: [{ Deal_Name: 'D', Stage: 'Closed Won', Currency: 'EUR' }] })).json.data[0].details.api_name).toBe('Currency');
		expect((await api('GET', '/settings/pipeline')).status).toBe(204);
	});

	it('serves field metadata and creates unique custom fields up to two per module', async () => {
		const deals = (await api('GET', '/settings/fields?module=Deals')).json.fields;
		const byName = (name: string) => deals.find((field: { api_name: string }) => field.api_name === name);
		expect(byName('WooCommerce_Order_ID')).toMatchObject({ data_type: 'text', unique: { case_sensitive: false }, custom_field: true });
		expect(byName('Stage')).toMatchObject({ system_mandatory: true, pick_list_values: expect.arrayContaining([{ display_value: 'Closed Won', actual_value: 'Closed Won', reference_value: 'Closed Won', sequence_number: 8, type: 'used' }]) });
		expect(byName('Contact_Name').lookup.module.api_name).toBe('Contacts');
		const items = (await api('GET', '/settings/fields?module=Ordered_Items')).json.fields.map((field: { api_name: string }) => field.api_name);
		expect(items).toEqual(expect.arrayContaining(['Product_Name', 'Quantity', 'List_Price', 'Discount', 'Tax', 'Line_Tax', 'Total', 'Total_After_Discount', 'Net_Total']));

		const bare = await ZohoEmulator.start();
		try {
			const options = { server: bare };
			const created = await api('POST', '/settings/fields?module=Deals', { fields: [{ field_label: 'WooCommerce Order ID', data_type: 'text', length: 255, unique: { case_sensitive: false } }] }, options);
			expect(created).toMatchObject({ status: 201, json: { fields: [{ code: 'SUCCESS', message: 'field created', status: 'success' }] } });
			const again = await api('POST', '/settings/fields?module=Deals', { fields: [{ field_label: 'WooCommerce Order ID', data_type: 'text' }] }, options);
			expect(again.json.fields[0].code).toBe('DUPLICATE_DATA');
			await api('POST', '/settings/fields?module=Deals', { fields: [{ field_label: 'Second Key', data_type: 'text', unique: { case_sensitive: false } }] }, options);
			const third = await api('POST', '/settings/fields?module=Deals', { fields: [{ field_label: 'Third Key', data_type: 'text', unique: { case_sensitive: false } }] }, options);
			expect(third).toMatchObject({ status: 400, json: { fields: [{ code: 'LIMIT_EXCEEDED' }] } });
			const upsert = await api('POST', '/Deals/upsert', { data: [{ Deal_Name: 'D', Stage: 'Closed Won', WooCommerce_Order_ID: '9' }], duplicate_check_fields: ['WooCommerce_Order_ID'] }, options);
			expect(upsert.status).toBe(201);
			// settings.fields.READ alone cannot create fields
			const readOnly = bare.issueAccessToken(['ZohoCRM.settings.fields.READ']);
			expect((await api('POST', '/settings/fields?module=Deals', { fields: [] }, { ...options, token: readOnly })).json.code).toBe('OAUTH_SCOPE_MISMATCH');
		} finally {
			await bare.stop();
		}
	});
});

describe('search and COQL', () => {
	beforeEach(async () => {
		await api('POST', '/Contacts', {
			data: [contact('ann@example.com', { First_Name: 'Ann', Phone: '+44 20 1234' }), contact('joann@example.com', { First_Name: 'Jo', Last_Name: 'Ann' })],
		});
	});

	it('search answers 204 with no body on no match; equals behaves like contains; email= matches exactly', async () => {
		const none = await api('GET', '/Contacts/search?email=nobody@example.com');
		expect(none.status).toBe(204);
		expect(none.text).toBe('');
		const equals = await api('GET', `/Contacts/search?criteria=${encodeURIComponent('(Email:equals:ann@example.com)')}`);
		expect(equals.json.data).toHaveLength(2);
		expect(equals.json.info).toEqual({ per_page: 200, count: 2, page: 1, more_records: false });
		expect((await api('GET', '/Contacts/search?email=ANN@example.com')).json.data).toHaveLength(1);
		expect((await api('GET', '/Contacts/search?phone=1234')).json.data).toHaveLength(1);
		expect((await api('GET', '/Contacts/search')).json.code).toBe('EXPECTED_PARAM_MISSING');
		expect((await api('GET', `/Contacts/search?criteria=${encodeURIComponent('(Colour:equals:red)')}`)).json.code).toBe('INVALID_QUERY');
	});

	it('search has an indexing delay, COQL does not', async () => {
		zoho.setSearchIndexDelay(200);
		await api('POST', '/Contacts', { data: [contact('fresh@example.com')] });
		expect((await api('GET', '/Contacts/search?email=fresh@example.com')).status).toBe(204);
		const coql = await api('POST', '/coql', { select_query: "select Email, Last_Name from Contacts where Email = 'fresh@example.com'" });
		expect(coql.json.data).toEqual([{ Email: 'fresh@example.com', Last_Name: 'Doe', id: expect.any(String) }]);
		await new Promise((resolve) => setTimeout(resolve, 250));
		expect((await api('GET', '/Contacts/search?email=fresh@example.com')).status).toBe(200);
		zoho.setSearchIndexDelay(0);
	});

	it('COQL filters with =, in, is null, and/or, limit; 204 on no rows', async () => {
		const query = async (selectQuery: string) => api('POST', '/coql', { select_query: selectQuery });
		expect((await query("select id, Email from Contacts where Email in ('ann@example.com', 'x@y.z')")).json.data).toHaveLength(1);
		expect((await query("select Email from Contacts where (First_Name = 'ann' or Last_Name = 'Ann') and Mobile is null")).json.info).toEqual({ count: 2, more_records: false });
		expect((await query("select Email from Contacts where Email like '%example.com' limit 1")).json.info).toEqual({ count: 1, more_records: true });
		const [first] = zoho.records('Contacts');
		// 19-digit ids unquoted must not lose precision
		expect((await query(`select Email from Contacts where id = ${first.id}`)).json.data).toEqual([{ Email: first.Email, id: first.id }]);
		const none = await query("select Email from Contacts where Email = 'nobody@example.com'");
		expect(none.status).toBe(204);
		expect(none.text).toBe('');
	});

	it('COQL returns lookups as {name, id} and joins through them', async () => {
		const account = (await api('POST', '/Accounts', { data: [{ Account_Name: 'Acme' }] })).json.data[0].details.id;
		await api('POST', '/Contacts', { data: [contact('acme@example.com', { Account_Name: { id: account } })] });
		const rows = await api('POST', '/coql', { select_query: "select Account_Name, Email from Contacts where Account_Name.Account_Name = 'Acme'" });
		expect(rows.json.data).toEqual([{ Account_Name: { name: 'Acme', id: account }, Email: 'acme@example.com', id: expect.any(String) }]);
	});

	it('COQL syntax errors: not a select, no from, no where, three criteria without brackets; unknown column', async () => {
		const code = async (selectQuery: string) => (await api('POST', '/coql', { select_query: selectQuery })).json?.code;
		expect(await code("update Contacts set Last_Name = 'x' where id = 1")).toBe('SYNTAX_ERROR');
		expect(await code("select Email where Email = 'a'")).toBe('SYNTAX_ERROR');
		expect(await code('select Email from Contacts')).toBe('SYNTAX_ERROR');
		expect(await code("select Email from Contacts where Email = 'a' and Last_Name = 'b' and First_Name = 'c'")).toBe('SYNTAX_ERROR');
		expect(await code("select Email from Contacts where (Email = 'a' and Last_Name = 'b') and First_Name = 'c'")).toBeUndefined();
		expect(await code("select Colour from Contacts where Email = 'a'")).toBe('INVALID_QUERY');
		expect(await code("select Email from Contacts where Email = 'a' limit 2001")).toBe('LIMIT_EXCEEDED');
	});
});

describe('faults, concurrency and credits', () => {
	it('injected 429 with Retry-After, then 500, then normal answers', async () => {
		zoho.inject({ times: 1, status: 429, retryAfter: 7 });
		zoho.inject({ times: 1, status: 500 });
		const limited = await api('GET', '/Contacts/1');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('7');
		expect(limited.json).toEqual({ code: 'TOO_MANY_REQUESTS', details: {}, message: 'too many requests. please try again after some time', status: 'error' });
		expect(await api('GET', '/Contacts/1')).toMatchObject({ status: 500, json: { code: 'INTERNAL_ERROR' } });
		expect((await api('GET', '/Contacts/1')).status).toBe(204);
	});

	it('drops connections: before processing nothing is written, after processing the record exists', async () => {
		zoho.inject({ times: 1, drop: true, match: '/Contacts/upsert' });
		await expect(api('POST', '/Contacts/upsert', { data: [contact('drop@x.com')] })).rejects.toThrow();
		expect(zoho.records('Contacts')).toHaveLength(0);
		zoho.inject({ times: 1, drop: true, afterProcessing: true, match: /POST .*\/upsert$/ });
		await expect(api('POST', '/Contacts/upsert', { data: [contact('drop@x.com')] })).rejects.toThrow();
		expect(zoho.records('Contacts')).toHaveLength(1);
		expect(zoho.apiCalls().map((call) => call.status)).toEqual([0, 0]);
	});

	it('faults only hit matching calls; latency faults delay the answer', async () => {
		zoho.inject({ times: 1, status: 503, match: '/coql' });
		zoho.inject({ times: 1, latencyMs: 120, match: 'GET /crm/v8/Deals' });
		expect((await api('GET', '/Contacts/1')).status).toBe(204);
		const started = Date.now();
		expect((await api('GET', '/Deals/1')).status).toBe(204);
		expect(Date.now() - started).toBeGreaterThanOrEqual(110);
		expect((await api('POST', '/coql', { select_query: "select id from Deals where id = 1" })).status).toBe(503);
		zoho.inject({ times: 1, status: 401 });
		expect((await api('GET', '/Contacts/1')).json.code).toBe('INVALID_TOKEN');
	});

	it('more than 10 simultaneous calls get 429 TOO_MANY_REQUESTS without Retry-After', async () => {
		zoho.setLatency(100);
		const answers = await Promise.all(Array.from({ length: 12 }, () => api('GET', '/Contacts/1')));
		const limited = answers.filter((answer) => answer.status === 429);
		expect(limited).toHaveLength(2);
		expect(limited[0].json).toEqual({ code: 'TOO_MANY_REQUESTS', details: {}, message: 'too many requests. please try again after some time', status: 'error' });
		expect(limited[0].headers.get('retry-after')).toBeNull();
		expect(answers.filter((answer) => answer.status === 204)).toHaveLength(10);
	});

	it('charges 1 credit per call and 1 per 10 records for writes; tokens and rejected calls are free', async () => {
		await tokenRequest(refreshParams());
		await api('GET', '/Contacts/1');
		await api('POST', '/Contacts/upsert', { data: Array.from({ length: 25 }, (_, index) => contact(`c${index}@x.com`)) });
		await api('GET', '/Contacts/1', undefined, { token: null });
		expect(zoho.apiCalls().map((call) => call.credits)).toEqual([1, 3, 0]);
		expect(zoho.creditsUsed()).toBe(4);
		expect(zoho.calls).toHaveLength(4);
		expect(zoho.calls[0]).toMatchObject({ path: '/oauth/v2/token', body: expect.objectContaining({ grant_type: 'refresh_token' }), status: 200 });
	});

	it('sends X-API-CREDITS-REMAINING from 50% usage and 429 when the allowance is spent', async () => {
		const small = await ZohoEmulator.start({ creditAllowance: 4 });
		try {
			const options = { server: small };
			expect((await api('GET', '/Contacts/1', undefined, options)).headers.get('x-api-credits-remaining')).toBeNull();
			expect((await api('GET', '/Contacts/1', undefined, options)).headers.get('x-api-credits-remaining')).toBe('2');
			await api('GET', '/Contacts/1', undefined, options);
			expect((await api('GET', '/Contacts/1', undefined, options)).headers.get('x-api-credits-remaining')).toBe('0');
			expect(await api('GET', '/Contacts/1', undefined, options)).toMatchObject({ status: 429, json: { code: 'TOO_MANY_REQUESTS' } });
		} finally {
			await small.stop();
		}
	});
});

describe('subform rows on update (Zoho "Subform data": rows without id are added, id updates, _delete removes)', () => {
	it('re-sending rows without ids appends them; ids update in place; {id, _delete: null} removes; totals follow', async () => {
		const [mug, tee] = (
			await api('POST', '/Products', { data: [{ Product_Name: 'Mug', Unit_Price: 10 }, { Product_Name: 'Tee', Unit_Price: 20 }] })
		).json.data.map((item: { details: { id: string } }) => item.details.id);
		const line = (id: string, Quantity: number) => ({ Product_Name: { id }, Quantity });
		const id = (await api('POST', '/Sales_Orders', { data: [{ Subject: 'S', Ordered_Items: [line(mug, 1), line(tee, 1)] }] })).json.data[0].details.id;
		const rows = () => zoho.records('Sales_Orders')[0].Ordered_Items as Array<{ id: string; Quantity: number; Product_Name: { id: string } }>;
		expect(zoho.records('Sales_Orders')[0].Grand_Total).toBe(30);

		// the same lines again without row ids: four rows, the total doubles
		await api('PUT', `/Sales_Orders/${id}`, { data: [{ Ordered_Items: [line(mug, 1), line(tee, 1)] }] });
		expect(rows()).toHaveLength(4);
		expect(zoho.records('Sales_Orders')[0].Grand_Total).toBe(60);

		const [first, second, third, fourth] = rows().map((row) => row.id);
		const update = await api('PUT', `/Sales_Orders/${id}`, {
			data: [{ Ordered_Items: [{ id: first, Quantity: 3 }, { id: second, _delete: null }, { id: third, _delete: null }, { id: fourth, _delete: null }, line(tee, 2)] }],
		});
		expect(update.status).toBe(200);
		expect(rows().map((row) => [row.Product_Name.id, row.Quantity])).toEqual([
			[mug, 3],
			[tee, 2],
		]);
		expect(rows()[0].id).toBe(first);
		expect(zoho.records('Sales_Orders')[0]).toMatchObject({ Sub_Total: 70, Grand_Total: 70 });

		// a row id of another record, or _delete without an id, is refused
		const foreign = await api('PUT', `/Sales_Orders/${id}`, { data: [{ Ordered_Items: [{ id: '4150868000000999999', Quantity: 1 }] }] });
		expect(foreign.json.data[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'id', json_path: '$.data[0].Ordered_Items[0].id' } });
		const noId = await api('PUT', `/Sales_Orders/${id}`, { data: [{ Ordered_Items: [{ ...line(mug, 1), _delete: null }] }] });
		expect(noId.json.data[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: '_delete' } });
		// upsert on the unique order-id field behaves the same way (it is an update of the found record)
		await api('PUT', `/Sales_Orders/${id}`, { data: [{ WooCommerce_Order_ID: '55' }] });
		await api('POST', '/Sales_Orders/upsert', { data: [{ Subject: 'S', WooCommerce_Order_ID: '55', Ordered_Items: [line(mug, 1)] }], duplicate_check_fields: ['WooCommerce_Order_ID'] });
		expect(rows()).toHaveLength(3);
	});
});

describe('a new org and its edition', () => {
	it('has no order-id field, no unique Product_Code or Email, no taxes; upsert on a non-unique field is refused', async () => {
		const fresh = await ZohoEmulator.start();
		try {
			const options = { server: fresh };
			const fields = async (module: string) => (await api('GET', `/settings/fields?module=${module}`, undefined, options)).json.fields as Array<{ api_name: string; unique: object }>;
			expect((await fields('Deals')).map((field) => field.api_name)).not.toContain('WooCommerce_Order_ID');
			expect((await fields('Sales_Orders')).map((field) => field.api_name)).not.toContain('WooCommerce_Order_ID');
			expect((await fields('Products')).find((field) => field.api_name === 'Product_Code')?.unique).toEqual({});
			expect((await fields('Contacts')).find((field) => field.api_name === 'Email')?.unique).toEqual({});
			expect((await api('GET', '/org/taxes', undefined, options)).json).toEqual({ org_taxes: { taxes: [], preference: { auto_populate_tax: false, modify_tax_rates: true } } });
			// duplicate_check_fields may name the system duplicate-check field and unique fields only (v8 Upsert Records)
			const byCode = await api('POST', '/Products/upsert', { data: [{ Product_Name: 'Mug', Product_Code: 'M1' }], duplicate_check_fields: ['Product_Code'] }, options);
			expect(byCode.json).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Product_Code', json_path: '$.duplicate_check_fields[0]' } });
			// two products with one code are allowed
			await api('POST', '/Products', { data: [{ Product_Name: 'Mug', Product_Code: 'M1' }, { Product_Name: 'Mug 2', Product_Code: 'M1' }] }, options);
			expect(fresh.records('Products')).toHaveLength(2);
		} finally {
			await fresh.stop();
		}
	});

	it('per edition: concurrency (Free 5), Sales Orders missing (INVALID_MODULE), 10 custom fields per module on Standard', async () => {
		const free = await ZohoEmulator.start({ edition: 'free' });
		const standard = await ZohoEmulator.start({ edition: 'standard' });
		try {
			free.setLatency(100);
			const freeToken = free.issueAccessToken();
			const answers = await Promise.all(Array.from({ length: 7 }, () => api('GET', '/Contacts/1', undefined, { server: free, token: freeToken })));
			expect(answers.filter((answer) => answer.status === 429)).toHaveLength(2);

			const options = { server: standard };
			expect(await api('GET', '/settings/fields?module=Sales_Orders', undefined, options)).toMatchObject({ status: 400, json: { code: 'INVALID_MODULE' } });
			expect(await api('POST', '/Sales_Orders/upsert', { data: [{ Subject: 'x' }] }, options)).toMatchObject({ status: 400, json: { code: 'INVALID_MODULE' } });
			for (let index = 1; index <= 10; index++) {
				const created = await api('POST', '/settings/fields?module=Deals', { fields: [{ field_label: `Custom ${index}`, data_type: 'text' }] }, options);
				expect(created.status).toBe(201);
			}
			const eleventh = await api('POST', '/settings/fields?module=Deals', { fields: [{ field_label: 'Custom 11', data_type: 'text' }] }, options);
			expect(eleventh).toMatchObject({ status: 400, json: { fields: [{ code: 'LIMIT_EXCEEDED', details: { limit: 10 } }] } });
			expect((await api('POST', '/settings/fields?module=Contacts', { fields: [{ field_label: 'Custom 1', data_type: 'text' }] }, options)).status).toBe(201);
		} finally {
			await free.stop();
			await standard.stop();
		}
	});

	it('complex calls (COQL, search, writes of more than 10 records) share 10 slots in every edition', async () => {
		const ultimate = await ZohoEmulator.start({ edition: 'ultimate' });
		try {
			ultimate.setLatency(100);
			// one token for all 18 calls (a token per call would exceed the 15 active tokens per refresh token)
			const options = { server: ultimate, token: ultimate.issueAccessToken() };
			const query = () => api('POST', '/coql', { select_query: "select id from Contacts where Email = 'a@b.com'" }, options);
			const bulk = () => api('POST', '/Contacts/upsert', { data: Array.from({ length: 11 }, (_, index) => contact(`bulk${index}@x.com`)) }, options);
			const light = () => api('GET', '/Contacts/1', undefined, options);
			const answers = await Promise.all([...Array.from({ length: 8 }, query), ...Array.from({ length: 4 }, bulk), ...Array.from({ length: 6 }, light)]);
			const heavyStatuses = answers.slice(0, 12).map((answer) => answer.status);
			expect(heavyStatuses.filter((status) => status === 429)).toHaveLength(2);
			expect(answers.slice(12).map((answer) => answer.status)).toEqual(Array(6).fill(204));
		} finally {
			await ultimate.stop();
		}
	});
});
