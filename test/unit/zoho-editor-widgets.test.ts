import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { ZohoCrmOrderSync } from '../../nodes/ZohoCrmOrderSync/ZohoCrmOrderSync.node';
import { zohoFieldValue } from '../../nodes/ZohoCrmOrderSync/actions/parameters';
import { listSearch, loadOptions, resourceMapping } from '../../nodes/ZohoCrmOrderSync/methods';
import { n8nFieldType } from '../../nodes/ZohoCrmOrderSync/methods/resourceMapping';
import { resetZohoFieldsCache } from '../../nodes/ZohoCrmOrderSync/transport';
import { ZohoEmulator } from '../emulators/zoho';
import { createZohoContext } from '../support/n8nCoreContext';

/**
 * The editor widgets of Zoho CRM Order Sync v2 against the Zoho emulator: what the resource mapper, the resource
 * locators and the org-loaded option lists show. The same calls through a real n8n: sales-orders-oauth2.e2e.test.ts.
 */
let zoho: ZohoEmulator;
const loadContext = (): ILoadOptionsFunctions =>
	createZohoContext({
		credentialType: 'zohoCrmRefreshTokenApi',
		credentials: {
			dataCenter: 'custom',
			customAccountsUrl: zoho.url,
			customApiDomain: zoho.url,
			clientId: zoho.clientId,
			clientSecret: zoho.clientSecret,
			refreshToken: zoho.refreshToken,
			accessToken: '',
			apiDomain: '',
		},
		kind: 'loadOptions' as const,
	}).context as unknown as ILoadOptionsFunctions;
/** The same, with the node's other parameters as the editor sends them along (additionalData.currentNodeParameters). */
const withParameters = (parameters: Record<string, string>): ILoadOptionsFunctions =>
	Object.assign(loadContext(), { getCurrentNodeParameter: (name: string) => parameters[name] });

/** A contact written through Zoho's own API (v8 Insert Records). */
async function addContact(record: Record<string, string>): Promise<void> {
	const response = await fetch(`${zoho.url}/crm/v8/Contacts`, {
		method: 'POST',
		headers: { Authorization: `Zoho-oauthtoken ${zoho.issueAccessToken()}`, 'Content-Type': 'application/json' },
		body: JSON.stringify({ data: [record] }),
	});
	expect(response.status).toBe(201);
}

beforeAll(async () => {
	zoho = await ZohoEmulator.start({ pipelines: true, orderIdField: true });
});
afterAll(async () => await zoho.stop());
beforeEach(() => resetZohoFieldsCache());

describe('Zoho CRM Order Sync version 2 in the editor', () => {
	it('is version 2 by default and keeps version 1 with its Custom Fields for saved workflows', () => {
		const { description } = new ZohoCrmOrderSync();
		expect(description.version).toEqual([1, 2]);
		expect(description.defaultVersion).toBe(2);
		const byName = (name: string) => description.properties.filter((property) => property.name === name);
		for (const name of ['customFields', 'contactCustomFields']) {
			expect(byName(name).every((property) => property.displayOptions?.show?.['@version']?.[0] === 1)).toBe(true);
		}
		// five operations, and Sync in One Call's deal; its contact has its own mapper
		expect(byName('zohoFields').map((property) => property.type)).toEqual(Array(6).fill('resourceMapper'));
		expect(byName('contactZohoFields').map((property) => property.typeOptions?.resourceMapper?.resourceMapperMethod)).toEqual([
			'getContactMapperFields',
		]);
		expect(byName('contactId').map((property) => property.type).sort()).toEqual([
			'resourceLocator',
			'resourceLocator',
			'string',
			'string',
		]);
		const locator = byName('dealId').find((property) => property.type === 'resourceLocator');
		expect(locator?.modes?.map((mode) => mode.name)).toEqual(['list', 'id', 'url']);
		expect(locator?.default).toEqual({ mode: 'id', value: '={{ $json.zoho?.deal?.id }}' });
	});

	it('is offered to AI agents with a tool description, but never with "Set Up Order ID Field"', async () => {
		const node = new ZohoCrmOrderSync();
		expect(node.description.usableAsTool).toEqual({ replacements: { description: expect.stringMatching(/without duplicates/) } });
		const setUpOptions = node.description.properties
			.filter((property) => property.name === 'operation')
			.flatMap((property) => (property.options ?? []) as Array<{ value: string; displayOptions?: unknown }>)
			.filter((option) => option.value === 'setUpOrderIdField');
		expect(setUpOptions).toHaveLength(2); // Deals and Sales Orders
		for (const option of setUpOptions) expect(option.displayOptions).toEqual({ show: { '@tool': [false] } });
		// and a tool call of it is refused before anything reaches Zoho
		const context = {
			getNodeParameter: (name: string) => ({ resource: 'deal', operation: 'setUpOrderIdField' })[name],
			getNode: () => ({ name: 'Zoho', type: 'n8n-nodes-woocommerce-zohocrm.zohoCrmOrderSyncTool', typeVersion: 2 }),
		};
		await expect(node.execute.call(context as never)).rejects.toThrow('"Set Up Order ID Field" is not available to AI agents');
	});

	it('the resource mapper lists the org’s Contacts fields with types, mandatory flags and picklists, minus what the operation fills', async () => {
		const { fields } = await resourceMapping.getContactMapperFields.call(withParameters({}));
		const byId = new Map(fields.map((field) => [field.id, field]));
		expect(byId.get('Date_of_Birth')).toMatchObject({ type: 'dateTime', required: false, display: true });
		expect(byId.get('Email_Opt_Out')).toMatchObject({ type: 'boolean' });
		expect(byId.get('Title')).toMatchObject({ type: 'string', displayName: 'Title' });
		expect(byId.get('Owner')).toMatchObject({ type: 'string', displayName: 'Owner ID' });
		// filled by the operation's own parameters (order expressions), read-only, or not writable at all
		for (const hidden of ['Email', 'Last_Name', 'Full_Name', 'Created_Time', 'Layout', 'id']) expect(byId.has(hidden)).toBe(false);
	});

	it('the Deals mapper has custom fields and numbers, not the order-id field the operation upserts on', async () => {
		const { fields } = await resourceMapping.getDealMapperFields.call(withParameters({ orderIdField: 'WooCommerce_Order_ID' }));
		expect(fields.find((field) => field.id === 'WooCommerce_Order_ID')).toBeUndefined();
		const all = await resourceMapping.getDealMapperFields.call(withParameters({ orderIdField: 'Other_Key' }));
		expect(all.fields.find((field) => field.id === 'WooCommerce_Order_ID')).toMatchObject({
			displayName: 'WooCommerce Order ID (custom)',
			type: 'string',
		});
		expect(fields.find((field) => field.id === 'Probability')).toMatchObject({ type: 'number' });
		const required = fields.map((field) => field.required);
		expect(required).toEqual([...required].sort((a, b) => Number(b) - Number(a)));
	});

	it('maps every Zoho data type to an n8n field type', () => {
		expect(['integer', 'bigint', 'double', 'currency', 'decimal', 'percent'].map(n8nFieldType)).toEqual(Array(6).fill('number'));
		expect(['date', 'datetime', 'boolean', 'picklist', 'multiselectpicklist', 'website', 'text', 'lookup'].map(n8nFieldType)).toEqual([
			'dateTime',
			'dateTime',
			'boolean',
			'options',
			'array',
			'url',
			'string',
			'string',
		]);
	});

	it('sends mapper values as Zoho wants them: dates, date-times, lookups', () => {
		expect(zohoFieldValue('1990-04-02T00:00:00.000+02:00', 'date')).toBe('1990-04-02');
		expect(zohoFieldValue('2024-05-06T07:08:09.123Z', 'datetime')).toBe('2024-05-06T07:08:09+00:00');
		expect(zohoFieldValue('4876876000000333001', 'ownerlookup')).toEqual({ id: '4876876000000333001' });
		expect(zohoFieldValue(42, 'integer')).toBe(42);
	});

	it('pipelines, stages and sales-order statuses come from the org', async () => {
		const pipelines = await loadOptions.getDealPipelines.call(loadContext());
		expect(pipelines[0].value).toBe(''); // the default stays valid
		expect(pipelines.length).toBeGreaterThan(1);
		expect(await loadOptions.getDealStages.call(loadContext())).toContainEqual({ name: 'Closed Won', value: 'Closed Won' });
		expect((await loadOptions.getSalesOrderStatuses.call(loadContext())).map((option) => option.value)).toEqual([
			'',
			'Created',
			'Approved',
			'Delivered',
			'Cancelled',
		]);
	});

	it('the Contact locator searches contacts by name or email, and lists them all without a filter', async () => {
		await addContact({ First_Name: 'Ada', Last_Name: 'Lovelace', Email: 'ada@example.com' });
		await addContact({ First_Name: 'Alan', Last_Name: 'Turing', Email: 'alan@example.org' });
		const found = await listSearch.searchContacts.call(loadContext(), 'lovel');
		expect(found.results).toEqual([
			{ name: 'Ada Lovelace (ada@example.com)', value: expect.stringMatching(/^\d+$/), url: expect.stringContaining('/crm/tab/Contacts/') },
		]);
		expect((await listSearch.searchContacts.call(loadContext(), 'example.org')).results.map((result) => result.name)).toEqual([
			'Alan Turing (alan@example.org)',
		]);
		expect((await listSearch.searchContacts.call(loadContext())).results.length).toBeGreaterThanOrEqual(2);
		expect((await listSearch.searchContacts.call(loadContext(), "o'brien")).results).toEqual([]);
	});
});
