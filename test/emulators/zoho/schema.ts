/**
 * Module and field metadata of the emulated org: close to a default Zoho CRM org (v8 field API names from the
 * official Node SDK 8.0 `record/field.js`; system-mandatory fields from the v7 Insert Records page
 * "System-defined mandatory fields"; default Deal stages from the v7 Get Pipelines sample).
 */

export type FieldType =
	| 'text'
	| 'textarea'
	| 'email'
	| 'phone'
	| 'website'
	| 'picklist'
	| 'lookup'
	| 'ownerlookup'
	| 'date'
	| 'datetime'
	| 'currency'
	| 'double'
	| 'integer'
	| 'bigint'
	| 'boolean'
	| 'subform'
	| 'linetax'
	| 'layout';

export interface FieldDef {
	id: string;
	apiName: string;
	label: string;
	type: FieldType;
	/** System-mandatory: MANDATORY_NOT_FOUND on insert when missing. */
	mandatory?: boolean;
	length?: number;
	/** "Do not allow duplicate values" (case-insensitive, like `unique: {case_sensitive: false}`). */
	unique?: boolean;
	/** Read-only system or computed field: INVALID_DATA when sent. */
	readOnly?: boolean;
	custom?: boolean;
	picklist?: string[];
	/**
	 * Only listed values accepted. Zoho lets ordinary picklists take new values ("You can either pass an existing pick
	 * list value or add a new one", v7 Insert Records, Sample Attributes) but Deals `Stage` must belong to the pipeline
	 * ("The system throws an error otherwise"), Pipeline must exist and Currency must be an org currency.
	 */
	restrictedPicklist?: boolean;
	lookupModule?: string;
	/** API name of the subform module (its fields come from GET /settings/fields?module=<that name>). */
	subformModule?: string;
}

export interface ModuleDef {
	apiName: string;
	id: string;
	singular: string;
	plural: string;
	/** Name used in module scopes: ZohoCRM.modules.<scopeName>.<operation>. */
	scopeName: string;
	/** System-defined duplicate-check field for upsert (v7 Upsert Records, Kaizen #56). */
	duplicateCheckField?: string;
	/** Subforms (Ordered_Items) are not API modules of their own; only their field metadata is served. */
	isSubform?: boolean;
	fields: FieldDef[];
}

export interface SchemaOptions {
	pipelines: boolean;
	multiCurrency: boolean;
	orderIdField: boolean;
	uniqueProductCode: boolean;
	/** Inventory modules (Sales_Orders with its Ordered_Items subform) exist in the org. */
	salesOrders: boolean;
}

export type Edition = 'free' | 'standard' | 'professional' | 'enterprise' | 'ultimate';

export interface EditionLimits {
	/**
	 * Simultaneously active API calls: Free 5, Standard 10, Professional 15, Enterprise 20, Ultimate 25 (Kaizen #35
	 * "API concurrency"; Kaizen #203 "handling API limits and error responses").
	 */
	concurrency: number;
	/**
	 * Custom fields per module. Standard: 10 (reference "Facts checked in a second review"). The other editions'
	 * figures are not modelled (null = no limit here): Zoho's feature comparison gives them but we could not confirm
	 * them from a Zoho page (NOTES-9.md).
	 */
	customFieldsPerModule: number | null;
	/**
	 * Sales Orders (inventory modules) in the edition. Free and Standard lack them in this emulator: the inventory
	 * modules are listed from Professional up on Zoho's edition comparison; unconfirmed for Standard (reference §9.13).
	 */
	salesOrders: boolean;
}

export const EDITIONS: Record<Edition, EditionLimits> = {
	free: { concurrency: 5, customFieldsPerModule: null, salesOrders: false },
	standard: { concurrency: 10, customFieldsPerModule: 10, salesOrders: false },
	professional: { concurrency: 15, customFieldsPerModule: null, salesOrders: true },
	enterprise: { concurrency: 20, customFieldsPerModule: null, salesOrders: true },
	ultimate: { concurrency: 25, customFieldsPerModule: null, salesOrders: true },
};

/**
 * "Sub-concurrency": complex APIs share a limit of 10 concurrent calls in every edition (Zoho community post
 * "Sub-concurrency for complex APIs"; Kaizen #203 lists bulk updates, queries, lead conversion, mail). Counted here:
 * COQL, search, and inserts/updates/upserts of more than 10 records (v8 API limits page as quoted by digests).
 */
export const HEAVY_CALL_LIMIT = 10;

/** Taxes defined in the org (Setup → Taxes); GET /org/taxes lists them and Line_Tax must name one. */
export interface OrgTax {
	name: string;
	/** Percentage, e.g. 10 for 10 %. */
	value: number;
}

export const ORG_ID = '4150868000000002001';
export const USER = { id: '4150868000000225013', name: 'Emulator Admin', email: 'admin@emulator.test' };
export const STANDARD_LAYOUT_ID = '4150868000000091055';
export const STANDARD_PIPELINE_ID = '4150868000003097001';
export const STANDARD_PIPELINE = 'Standard (Standard)';
export const HOME_CURRENCY = 'USD';
export const ORG_CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'INR', 'JPY'];

/** Default Deal stages (v7 Get Pipelines sample; "Perception Analysis" is in the default picklist too). */
export const DEAL_STAGES = [
	'Qualification',
	'Needs Analysis',
	'Value Proposition',
	'Id. Decision Makers',
	'Perception Analysis',
	'Proposal/Price Quote',
	'Negotiation/Review',
	'Closed Won',
	'Closed Lost',
	'Closed Lost to Competition',
];

export const LEAD_SOURCES = [
	'-None-',
	'Advertisement',
	'Cold Call',
	'Employee Referral',
	'External Referral',
	'Online Store',
	'X (Twitter)',
	'Facebook',
	'Partner',
	'Public Relations',
	'Sales Email Alias',
	'Seminar Partner',
	'Internal Seminar',
	'Trade Show',
	'Web Download',
	'Web Research',
	'Chat',
];

// ids are 19-digit numbers: beyond Number.MAX_SAFE_INTEGER, so BigInt
let fieldIdCounter = 4150868000000002600n;
const nextFieldId = () => String(fieldIdCounter++);

type FieldSpec = Omit<FieldDef, 'id' | 'label'> & { label?: string };

function field(spec: FieldSpec): FieldDef {
	return { id: nextFieldId(), label: spec.label ?? spec.apiName.replace(/_/g, ' '), ...spec };
}

const text = (apiName: string, length = 255, extra: Partial<FieldSpec> = {}) =>
	field({ apiName, type: 'text', length, ...extra });

/** Fields every record module has. */
function systemFields(): FieldDef[] {
	return [
		field({ apiName: 'id', label: 'Record Id', type: 'bigint', readOnly: true }),
		field({ apiName: 'Owner', type: 'ownerlookup', length: 120 }),
		field({ apiName: 'Created_By', type: 'ownerlookup', readOnly: true }),
		field({ apiName: 'Modified_By', type: 'ownerlookup', readOnly: true }),
		field({ apiName: 'Created_Time', type: 'datetime', readOnly: true }),
		field({ apiName: 'Modified_Time', type: 'datetime', readOnly: true }),
		field({ apiName: 'Layout', type: 'layout' }),
	];
}

function currencyFields(options: SchemaOptions): FieldDef[] {
	if (!options.multiCurrency) return [];
	// Multi-currency orgs carry Currency and Exchange_Rate on records with currency fields (SDK 8.0 field lists;
	// Kaizen #52). The ISO-code value format is unconfirmed (reference §6.3).
	return [
		field({ apiName: 'Currency', type: 'picklist', picklist: ORG_CURRENCIES, restrictedPicklist: true }),
		field({ apiName: 'Exchange_Rate', type: 'double' }),
	];
}

const address = (prefix: string, zipName: 'Zip' | 'Code') => [
	text(`${prefix}_Street`, 250),
	text(`${prefix}_City`, 100),
	text(`${prefix}_State`, 100),
	text(`${prefix}_${zipName}`, 30),
	text(`${prefix}_Country`, 100),
];

const orderIdField = () =>
	field({
		apiName: 'WooCommerce_Order_ID',
		label: 'WooCommerce Order ID',
		type: 'text',
		length: 255,
		unique: true,
		custom: true,
	});

export function buildModules(options: SchemaOptions): Map<string, ModuleDef> {
	const modules: ModuleDef[] = [
		{
			apiName: 'Contacts',
			id: '4150868000000002179',
			singular: 'Contact',
			plural: 'Contacts',
			scopeName: 'contacts',
			duplicateCheckField: 'Email',
			fields: [
				...systemFields(),
				text('First_Name', 40),
				text('Last_Name', 80, { mandatory: true }),
				text('Full_Name', 120, { readOnly: true }),
				field({ apiName: 'Email', type: 'email', length: 100 }),
				field({ apiName: 'Secondary_Email', type: 'email', length: 100 }),
				field({ apiName: 'Phone', type: 'phone', length: 30 }),
				field({ apiName: 'Mobile', type: 'phone', length: 30 }),
				text('Title', 100),
				text('Department', 100),
				field({ apiName: 'Account_Name', type: 'lookup', lookupModule: 'Accounts' }),
				field({ apiName: 'Lead_Source', type: 'picklist', picklist: LEAD_SOURCES }),
				field({ apiName: 'Date_of_Birth', type: 'date' }),
				field({ apiName: 'Email_Opt_Out', type: 'boolean' }),
				...address('Mailing', 'Zip'),
				...address('Other', 'Zip'),
				field({ apiName: 'Description', type: 'textarea', length: 32000 }),
			],
		},
		{
			apiName: 'Accounts',
			id: '4150868000000002177',
			singular: 'Account',
			plural: 'Accounts',
			scopeName: 'accounts',
			duplicateCheckField: 'Account_Name',
			fields: [
				...systemFields(),
				text('Account_Name', 200, { mandatory: true }),
				field({ apiName: 'Phone', type: 'phone', length: 30 }),
				field({ apiName: 'Fax', type: 'phone', length: 30 }),
				field({ apiName: 'Website', type: 'website', length: 255 }),
				text('Account_Number', 40),
				field({ apiName: 'Parent_Account', type: 'lookup', lookupModule: 'Accounts' }),
				field({
					apiName: 'Account_Type',
					type: 'picklist',
					picklist: ['-None-', 'Analyst', 'Competitor', 'Customer', 'Distributor', 'Integrator', 'Investor', 'Partner', 'Press', 'Prospect', 'Reseller', 'Other'],
				}),
				field({ apiName: 'Industry', type: 'picklist', picklist: ['-None-', 'Retail', 'Manufacturing', 'Services', 'Other'] }),
				...address('Billing', 'Code'),
				...address('Shipping', 'Code'),
				...currencyFields(options),
				field({ apiName: 'Description', type: 'textarea', length: 32000 }),
			],
		},
		{
			apiName: 'Deals',
			id: '4150868000000002181',
			singular: 'Deal',
			plural: 'Deals',
			scopeName: 'deals',
			duplicateCheckField: 'Deal_Name',
			fields: [
				...systemFields(),
				text('Deal_Name', 120, { mandatory: true }),
				field({ apiName: 'Stage', type: 'picklist', picklist: DEAL_STAGES, restrictedPicklist: true, mandatory: true }),
				// The Pipeline field exists only in orgs with pipelines, where it is system-mandatory (v7 Insert Records).
				...(options.pipelines
					? [field({ apiName: 'Pipeline', type: 'picklist', picklist: [STANDARD_PIPELINE], restrictedPicklist: true, mandatory: true })]
					: []),
				field({ apiName: 'Closing_Date', type: 'date' }),
				field({ apiName: 'Amount', type: 'currency' }),
				field({ apiName: 'Probability', type: 'integer' }),
				field({ apiName: 'Expected_Revenue', type: 'currency', readOnly: true }),
				field({ apiName: 'Contact_Name', type: 'lookup', lookupModule: 'Contacts' }),
				field({ apiName: 'Account_Name', type: 'lookup', lookupModule: 'Accounts' }),
				field({ apiName: 'Type', type: 'picklist', picklist: ['-None-', 'Existing Business', 'New Business'] }),
				field({ apiName: 'Lead_Source', type: 'picklist', picklist: LEAD_SOURCES }),
				text('Next_Step', 100),
				...currencyFields(options),
				field({ apiName: 'Description', type: 'textarea', length: 32000 }),
				...(options.orderIdField ? [orderIdField()] : []),
			],
		},
		{
			apiName: 'Sales_Orders',
			id: '4150868000000002191',
			singular: 'Sales Order',
			plural: 'Sales Orders',
			scopeName: 'salesorders',
			duplicateCheckField: 'Subject',
			fields: [
				...systemFields(),
				text('Subject', 255, { mandatory: true }),
				text('SO_Number', 255, { readOnly: true, label: 'SO Number' }),
				field({ apiName: 'Deal_Name', type: 'lookup', lookupModule: 'Deals' }),
				field({ apiName: 'Contact_Name', type: 'lookup', lookupModule: 'Contacts' }),
				field({ apiName: 'Account_Name', type: 'lookup', lookupModule: 'Accounts' }),
				field({ apiName: 'Status', type: 'picklist', picklist: ['Created', 'Approved', 'Delivered', 'Cancelled'] }),
				field({ apiName: 'Due_Date', type: 'date' }),
				text('Customer_No', 50),
				text('Purchase_Order', 50),
				field({ apiName: 'Carrier', type: 'picklist', picklist: ['FedEX', 'UPS', 'USPS', 'DHL', 'BlueDart'] }),
				...address('Billing', 'Code'),
				...address('Shipping', 'Code'),
				field({ apiName: 'Ordered_Items', type: 'subform', subformModule: 'Ordered_Items', mandatory: true }),
				field({ apiName: 'Sub_Total', type: 'currency', readOnly: true }),
				// order-level tax: computed from the order-level `$line_tax` taxes, not written directly
				field({ apiName: 'Tax', type: 'currency', readOnly: true }),
				field({ apiName: 'Adjustment', type: 'currency' }),
				field({ apiName: 'Discount', type: 'currency' }),
				field({ apiName: 'Grand_Total', type: 'currency', readOnly: true }),
				...currencyFields(options),
				field({ apiName: 'Terms_and_Conditions', type: 'textarea', length: 32000 }),
				field({ apiName: 'Description', type: 'textarea', length: 32000 }),
				...(options.orderIdField ? [orderIdField()] : []),
			],
		},
		{
			apiName: 'Products',
			id: '4150868000000002185',
			singular: 'Product',
			plural: 'Products',
			scopeName: 'products',
			duplicateCheckField: 'Product_Name',
			fields: [
				...systemFields(),
				text('Product_Name', 200, { mandatory: true }),
				text('Product_Code', 40, { unique: options.uniqueProductCode }),
				field({ apiName: 'Product_Active', type: 'boolean' }),
				field({ apiName: 'Product_Category', type: 'picklist', picklist: ['-None-', 'Hardware', 'Software', 'CRM Applications'] }),
				field({ apiName: 'Unit_Price', type: 'currency' }),
				field({ apiName: 'Taxable', type: 'boolean' }),
				field({ apiName: 'Qty_in_Stock', type: 'double' }),
				...currencyFields(options),
				field({ apiName: 'Description', type: 'textarea', length: 32000 }),
			],
		},
		{
			// Line items of Sales Orders. Field API names as a real org's `GET /settings/fields?module=Ordered_Items` lists
			// them (reference "Facts checked in a second review"): Product_Name (lookup), Quantity, List_Price, Discount,
			// Tax, Line_Tax ([{name, percentage}] naming org taxes), and the read-only formulas Total,
			// Total_After_Discount, Net_Total. How they are computed: store.ts `computeSalesOrderTotals`.
			apiName: 'Ordered_Items',
			id: '4150868000000002195',
			singular: 'Ordered Item',
			plural: 'Ordered Items',
			scopeName: 'salesorders',
			isSubform: true,
			fields: [
				field({ apiName: 'Product_Name', type: 'lookup', lookupModule: 'Products', mandatory: true }),
				field({ apiName: 'Quantity', type: 'double', mandatory: true }),
				field({ apiName: 'List_Price', type: 'currency' }),
				field({ apiName: 'Discount', type: 'currency' }),
				// Accepted, but Zoho's documents do not say a sent amount is kept: the emulator recomputes it from Line_Tax.
				field({ apiName: 'Tax', type: 'currency' }),
				field({ apiName: 'Line_Tax', type: 'linetax' }),
				field({ apiName: 'Total', type: 'currency', readOnly: true }),
				field({ apiName: 'Total_After_Discount', type: 'currency', readOnly: true, label: 'Total After Discount' }),
				field({ apiName: 'Net_Total', type: 'currency', readOnly: true, label: 'Net Total' }),
				field({ apiName: 'Description', type: 'textarea', length: 2000 }),
			],
		},
	];
	const available = options.salesOrders ? modules : modules.filter((module) => module.apiName !== 'Sales_Orders' && module.apiName !== 'Ordered_Items');
	return new Map(available.map((module) => [module.apiName, module]));
}

export function findField(module: ModuleDef, apiName: string): FieldDef | undefined {
	return module.fields.find((candidate) => candidate.apiName === apiName);
}

/** The display name Zoho puts next to a lookup id ({id, name}). */
export function recordDisplayName(moduleName: string, record: Record<string, unknown>): string {
	switch (moduleName) {
		case 'Contacts':
			return String(record.Full_Name ?? '');
		case 'Accounts':
			return String(record.Account_Name ?? '');
		case 'Deals':
			return String(record.Deal_Name ?? '');
		case 'Sales_Orders':
			return String(record.Subject ?? '');
		case 'Products':
			return String(record.Product_Name ?? '');
		default:
			return '';
	}
}

/** Fields metadata as GET /settings/fields returns it (a subset of the keys of the v7 Fields Metadata sample). */
export function fieldMetadata(module: ModuleDef, moduleMap: Map<string, ModuleDef>) {
	return module.fields.map((def) => {
		const lookupModule = def.lookupModule ? moduleMap.get(def.lookupModule) : undefined;
		const subform = def.subformModule ? moduleMap.get(def.subformModule) : undefined;
		return {
			id: def.id,
			api_name: def.apiName,
			field_label: def.label,
			display_label: def.label,
			data_type: def.type,
			json_type: jsonType(def.type),
			system_mandatory: Boolean(def.mandatory),
			custom_field: Boolean(def.custom),
			read_only: Boolean(def.readOnly),
			field_read_only: Boolean(def.readOnly),
			visible: true,
			length: def.length ?? defaultLength(def.type),
			unique: def.unique ? { case_sensitive: false } : {},
			pick_list_values: (def.picklist ?? []).map((value, index) => ({
				display_value: value,
				actual_value: value,
				reference_value: value,
				sequence_number: index + 1,
				type: 'used',
			})),
			lookup: lookupModule
				? { module: { api_name: lookupModule.apiName, id: lookupModule.id }, display_label: lookupModule.singular }
				: {},
			associated_module: subform ? { api_name: subform.apiName, id: subform.id } : null,
			external: null,
		};
	});
}

function jsonType(type: FieldType): string {
	switch (type) {
		case 'lookup':
		case 'ownerlookup':
		case 'layout':
			return 'jsonobject';
		case 'subform':
		case 'linetax':
			return 'jsonarray';
		case 'currency':
		case 'double':
			return 'double';
		case 'integer':
			return 'integer';
		case 'boolean':
			return 'boolean';
		default:
			return 'string';
	}
}

function defaultLength(type: FieldType): number {
	switch (type) {
		case 'currency':
		case 'double':
			return 16;
		case 'integer':
			return 9;
		case 'bigint':
			return 18;
		default:
			return 255;
	}
}
