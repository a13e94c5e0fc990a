/**
 * The emulated org's records: creation, update, lookups kept as {id, name}, subform rows, computed fields (Contacts
 * Full_Name, Sales Order totals) and the version history that the search-index delay reads.
 *
 * Sales Order totals, as Zoho's inventory modules compute them (field names from a real org's Ordered_Items field
 * metadata, reference "Facts checked in a second review"; the formulas are those of Zoho CRM's line-item help
 * "Inventory: line items" — NOTES-9.md lists what stays unconfirmed):
 *   line Total                = List_Price × Quantity       (List_Price defaults to the product's Unit_Price)
 *   line Total_After_Discount = Total − Discount
 *   line Tax                  = Total_After_Discount × Σ Line_Tax percentages / 100   (a Tax amount sent is not kept)
 *   line Net_Total            = Total_After_Discount + Tax
 *   Sub_Total                 = Σ Net_Total
 *   Tax                       = (Sub_Total − Discount) × Σ order-level `$line_tax` percentages / 100
 *   Grand_Total               = Sub_Total − Discount + Tax + Adjustment
 * Each value is rounded to 2 decimals (half away from zero). Missing Discount/Adjustment count as 0 and are stored as
 * 0, as Zoho returns them.
 */
import { HOME_CURRENCY, ModuleDef, USER, STANDARD_LAYOUT_ID, findField, recordDisplayName } from './schema';
import { RecordIssue, invalidData } from './validation';
import { roundMoney, zohoTime } from './http';

export interface EmulatedRecord {
	id: string;
	[field: string]: unknown;
}

export interface StoredRecord {
	module: string;
	data: EmulatedRecord;
	/** Snapshots with their write time, newest last (search sees the newest one older than the index delay). */
	versions: Array<{ at: number; data: EmulatedRecord }>;
}

/** Illustrative exchange rates for multi-currency orgs (per 1 unit of the home currency, USD). */
export const EXCHANGE_RATES: Record<string, number> = { USD: 1, EUR: 0.92, GBP: 0.79, CAD: 1.36, AUD: 1.52, INR: 83.1, JPY: 151.2 };

const userRef = () => ({ name: USER.name, id: USER.id });

const clone = <T>(value: T): T => structuredClone(value);

/** Comparison key for duplicate checks: unique fields are case-insensitive (`case_sensitive: false`). */
export const duplicateKey = (value: unknown): string | undefined => {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'object') return String((value as { id?: unknown }).id ?? '');
	return String(value).trim().toLowerCase();
};

export interface RecordStoreSnapshot {
	idCounter: string;
	records: StoredRecord[];
}

export class RecordStore {
	private readonly byModule = new Map<string, StoredRecord[]>();

	// 19-digit ids like 4150868000000376008; BigInt because they exceed Number.MAX_SAFE_INTEGER
	private idCounter = 4150868000000376000n;

	constructor(
		private readonly modules: () => Map<string, ModuleDef>,
		/** The org's taxes by lower-case name: Line_Tax percentages come from here unless the request gives one. */
		private readonly taxes: () => Map<string, { name: string; value: number }> = () => new Map(),
		/** The org's tax preference "modify tax rates": when off, a percentage sent with Line_Tax is replaced by the org's. */
		private readonly taxRatesModifiable: () => boolean = () => true,
	) {}

	nextId(): string {
		this.idCounter += 1n;
		return String(this.idCounter);
	}

	clear(): void {
		this.byModule.clear();
	}

	dump(): RecordStoreSnapshot {
		return { idCounter: String(this.idCounter), records: [...this.byModule.values()].flat() };
	}

	load(snapshot: RecordStoreSnapshot): void {
		this.byModule.clear();
		for (const stored of snapshot.records) this.list(stored.module).push(clone(stored));
		this.idCounter = BigInt(snapshot.idCounter);
	}

	list(module: string): StoredRecord[] {
		let records = this.byModule.get(module);
		if (!records) {
			records = [];
			this.byModule.set(module, records);
		}
		return records;
	}

	get(module: string, id: string): StoredRecord | undefined {
		return this.list(module).find((stored) => stored.data.id === id);
	}

	/** Removes a record (a rolled-back composite insert). */
	remove(module: string, id: string): void {
		const records = this.list(module);
		const index = records.findIndex((stored) => stored.data.id === id);
		if (index >= 0) records.splice(index, 1);
	}

	/** Oldest record first: which of several matches Zoho's upsert picks is undocumented (reference §3.3). */
	findByValue(module: string, field: string, value: unknown, excludeId?: string): StoredRecord | undefined {
		const key = duplicateKey(value);
		if (key === undefined) return undefined;
		return this.list(module).find((stored) => stored.data.id !== excludeId && duplicateKey(stored.data[field]) === key);
	}

	/** Checks subform row ids against the record being updated (none exist on a new record). */
	checkRowIds(module: ModuleDef, input: Record<string, unknown>, jsonPath: string, target?: StoredRecord): RecordIssue | undefined {
		for (const field of module.fields) {
			if (field.type !== 'subform' || !Array.isArray(input[field.apiName])) continue;
			const existing = new Set(((target?.data[field.apiName] as Array<{ id: string }> | undefined) ?? []).map((row) => row.id));
			const rows = input[field.apiName] as Array<Record<string, unknown>>;
			const seen = new Set<string>();
			for (let index = 0; index < rows.length; index++) {
				const rowId = rows[index].id;
				if (rowId === undefined) continue;
				// a row id must belong to this record, once per request
				if (!existing.has(rowId as string) || seen.has(rowId as string)) {
					return invalidData('id', `${jsonPath}.${field.apiName}[${index}].id`, { id: rowId });
				}
				seen.add(rowId as string);
			}
		}
		return undefined;
	}

	create(module: ModuleDef, input: Record<string, unknown>, now: number): StoredRecord {
		const data: EmulatedRecord = {
			id: this.nextId(),
			Owner: { ...userRef(), email: USER.email },
			Created_By: userRef(),
			Modified_By: userRef(),
			Created_Time: zohoTime(now),
			Modified_Time: zohoTime(now),
			Layout: { name: 'Standard', id: STANDARD_LAYOUT_ID },
		};
		if (findField(module, 'Currency')) {
			data.Currency = HOME_CURRENCY;
			data.Exchange_Rate = 1;
		}
		if (module.apiName === 'Sales_Orders') Object.assign(data, { Tax: 0, Discount: 0, Adjustment: 0, $line_tax: [] });
		this.apply(module, data, input);
		const stored: StoredRecord = { module: module.apiName, data, versions: [] };
		this.list(module.apiName).push(stored);
		this.snapshot(stored, now);
		return stored;
	}

	update(module: ModuleDef, stored: StoredRecord, input: Record<string, unknown>, now: number): void {
		this.apply(module, stored.data, input);
		stored.data.Modified_Time = zohoTime(now);
		stored.data.Modified_By = userRef();
		this.snapshot(stored, now);
	}

	private snapshot(stored: StoredRecord, now: number) {
		stored.versions.push({ at: now, data: clone(stored.data) });
		if (stored.versions.length > 10) stored.versions.shift();
	}

	/** Writes validated input into a record, converting lookups and subform rows, then recomputes derived fields. */
	private apply(module: ModuleDef, data: EmulatedRecord, input: Record<string, unknown>) {
		for (const [key, value] of Object.entries(input)) {
			if (key === 'id') continue;
			if (key === '$line_tax') {
				data.$line_tax = this.lineTaxes(value);
				continue;
			}
			const field = findField(module, key);
			if (!field) continue;
			if (value === null) {
				data[key] = null;
				continue;
			}
			switch (field.type) {
				case 'lookup':
					data[key] = this.lookupValue(field.lookupModule as string, (value as { id: string }).id);
					break;
				case 'ownerlookup':
					data[key] = { ...userRef(), email: USER.email };
					break;
				case 'layout':
					data[key] = { name: 'Standard', id: STANDARD_LAYOUT_ID };
					break;
				case 'subform':
					data[key] = this.subformRows(field.subformModule as string, value as Array<Record<string, unknown>>, data[key]);
					break;
				default:
					data[key] = clone(value);
			}
		}
		if (module.apiName === 'Contacts') {
			data.Full_Name = [data.First_Name, data.Last_Name].filter((part) => typeof part === 'string' && part !== '').join(' ');
		}
		if (typeof input.Currency === 'string' && input.Exchange_Rate === undefined) {
			data.Exchange_Rate = EXCHANGE_RATES[input.Currency] ?? 1;
		}
		if (module.apiName === 'Sales_Orders') computeSalesOrderTotals(data);
	}

	/** Line_Tax entries as Zoho returns them: the org tax's name, id and the percentage applied. */
	private lineTaxes(value: unknown) {
		return ((value as Array<Record<string, unknown>> | null) ?? []).map((entry) => {
			const tax = this.taxes().get(String(entry.name).trim().toLowerCase());
			const percentage = typeof entry.percentage === 'number' && this.taxRatesModifiable() ? entry.percentage : (tax?.value ?? 0);
			return { name: tax?.name ?? entry.name, percentage, value: 0 };
		});
	}

	private lookupValue(module: string, id: string) {
		const target = this.get(module, id);
		return { name: target ? recordDisplayName(module, target.data) : '', id };
	}

	/**
	 * Subform rows on write, as Zoho's "Subform data" page (v8) and Kaizen #31 (Subforms API) describe them: a row
	 * without `id` is ADDED next to the existing rows ("the subform will now have two rows"); a row with its `id`
	 * updates that row (fields not sent stay); `{"id": …, "_delete": null}` removes that row; rows not mentioned stay.
	 */
	private subformRows(subformModule: string, rows: Array<Record<string, unknown>>, previous: unknown) {
		const subform = this.modules().get(subformModule) as ModuleDef;
		const result = ((previous as Array<Record<string, unknown>> | undefined) ?? []).map((row) => clone(row));
		for (const row of rows) {
			const position = row.id === undefined ? -1 : result.findIndex((existing) => existing.id === row.id);
			if (position >= 0 && '_delete' in row) {
				result.splice(position, 1);
				continue;
			}
			const target: Record<string, unknown> = position >= 0 ? result[position] : { id: this.nextId(), Discount: 0, Line_Tax: [] };
			for (const [key, value] of Object.entries(row)) {
				if (key === 'id' || key === '_delete') continue;
				const field = findField(subform, key);
				if (!field) continue;
				if (field.type === 'lookup' && value !== null) target[key] = this.lookupValue(field.lookupModule as string, (value as { id: string }).id);
				else if (field.type === 'linetax') target[key] = this.lineTaxes(value);
				else target[key] = clone(value);
			}
			if (typeof target.List_Price !== 'number') {
				const productId = (target.Product_Name as { id?: string } | undefined)?.id;
				const product = productId ? this.get('Products', productId) : undefined;
				target.List_Price = typeof product?.data.Unit_Price === 'number' ? product.data.Unit_Price : 0;
			}
			if (position < 0) result.push(target);
		}
		return result;
	}
}

const numberOr0 = (value: unknown) => (typeof value === 'number' ? value : 0);

const percentages = (taxes: unknown) =>
	((taxes as Array<{ percentage?: unknown }> | undefined) ?? []).reduce((sum, tax) => sum + numberOr0(tax.percentage), 0);

/** The formulas at the top of this file. */
export function computeSalesOrderTotals(data: Record<string, unknown>): void {
	const rows = (data.Ordered_Items as Array<Record<string, unknown>> | undefined) ?? [];
	let subTotal = 0;
	for (const row of rows) {
		row.Total = roundMoney(numberOr0(row.List_Price) * numberOr0(row.Quantity));
		row.Total_After_Discount = roundMoney((row.Total as number) - numberOr0(row.Discount));
		row.Tax = roundMoney(((row.Total_After_Discount as number) * percentages(row.Line_Tax)) / 100);
		for (const tax of (row.Line_Tax as Array<Record<string, unknown>> | undefined) ?? []) {
			tax.value = roundMoney(((row.Total_After_Discount as number) * numberOr0(tax.percentage)) / 100);
		}
		row.Net_Total = roundMoney((row.Total_After_Discount as number) + (row.Tax as number));
		subTotal += row.Net_Total as number;
	}
	data.Sub_Total = roundMoney(subTotal);
	const taxable = (data.Sub_Total as number) - numberOr0(data.Discount);
	data.Tax = roundMoney((taxable * percentages(data.$line_tax)) / 100);
	data.Grand_Total = roundMoney(taxable + (data.Tax as number) + numberOr0(data.Adjustment));
}
