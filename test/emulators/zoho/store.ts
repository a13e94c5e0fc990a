/**
 * The emulated org's records: creation, update, lookups kept as {id, name}, computed fields (Contacts Full_Name,
 * Sales Order totals) and the version history that the search-index delay reads.
 *
 * Sales Order totals (this emulator's documented formula; the connector is built to match it):
 *   line amount     = List_Price × Quantity                 (List_Price defaults to the product's Unit_Price, as the
 *                                                              Zoho UI does when a product is picked)
 *   line Total      = amount − line Discount + line Tax
 *   Sub_Total       = Σ (amount − line Discount)
 *   Grand_Total     = Sub_Total + Σ line Tax + order Tax − order Discount + Adjustment
 * Each line value and each total is rounded to 2 decimals (half away from zero). Missing Discount/Tax/Adjustment
 * count as 0 and are stored as 0, as Zoho returns them.
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

	constructor(private readonly modules: () => Map<string, ModuleDef>) {}

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
			for (let index = 0; index < rows.length; index++) {
				const rowId = rows[index].id;
				if (rowId !== undefined && !existing.has(rowId as string)) {
					return invalidData('id', `${jsonPath}.${field.apiName}[${index}].id`, { id: rowId });
				}
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
		if (module.apiName === 'Sales_Orders') Object.assign(data, { Tax: 0, Discount: 0, Adjustment: 0 });
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

	private lookupValue(module: string, id: string) {
		const target = this.get(module, id);
		return { name: target ? recordDisplayName(module, target.data) : '', id };
	}

	/**
	 * Subform update semantics: rows with an `id` update that row, rows without one are added, existing rows not
	 * sent are removed (Zoho replaces a subform with the rows sent; keep a row by sending its id).
	 */
	private subformRows(subformModule: string, rows: Array<Record<string, unknown>>, previous: unknown) {
		const subform = this.modules().get(subformModule) as ModuleDef;
		const existing = new Map(((previous as Array<Record<string, unknown>> | undefined) ?? []).map((row) => [row.id as string, row]));
		return rows.map((row) => {
			const target: Record<string, unknown> =
				row.id !== undefined && existing.has(row.id as string)
					? clone(existing.get(row.id as string) as Record<string, unknown>)
					: { id: this.nextId(), Discount: 0, Tax: 0 };
			for (const [key, value] of Object.entries(row)) {
				if (key === 'id') continue;
				const field = findField(subform, key);
				if (!field) continue;
				target[key] = field.type === 'lookup' && value !== null ? this.lookupValue(field.lookupModule as string, (value as { id: string }).id) : clone(value);
			}
			if (typeof target.List_Price !== 'number') {
				const productId = (target.Product_Name as { id?: string } | undefined)?.id;
				const product = productId ? this.get('Products', productId) : undefined;
				target.List_Price = typeof product?.data.Unit_Price === 'number' ? product.data.Unit_Price : 0;
			}
			return target;
		});
	}
}

const numberOr0 = (value: unknown) => (typeof value === 'number' ? value : 0);

export function computeSalesOrderTotals(data: Record<string, unknown>): void {
	const rows = (data.Ordered_Items as Array<Record<string, unknown>> | undefined) ?? [];
	let subTotal = 0;
	let lineTax = 0;
	for (const row of rows) {
		const amount = roundMoney(numberOr0(row.List_Price) * numberOr0(row.Quantity));
		const afterDiscount = roundMoney(amount - numberOr0(row.Discount));
		row.Total = roundMoney(afterDiscount + numberOr0(row.Tax));
		subTotal += afterDiscount;
		lineTax += numberOr0(row.Tax);
	}
	data.Sub_Total = roundMoney(subTotal);
	data.Grand_Total = roundMoney(data.Sub_Total as number + lineTax + numberOr0(data.Tax) - numberOr0(data.Discount) + numberOr0(data.Adjustment));
}
