/**
 * Amounts and dates. WooCommerce sends money as dp-formatted strings ("12.50") and dates without an offset
 * ("2026-11-27T10:20:30", site time). Zoho Currency fields take a double with at most 9 decimals and Date
 * fields take yyyy-MM-dd (v7 Insert Records, "Sample Attributes"). We always send whole cents.
 */

const AMOUNT_PATTERN = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Rounds to cents, half away from zero. toPrecision(15) first removes binary noise, so 1.005 (stored as
 * 1.00499999…) rounds to 1.01 as a person would expect. Never returns -0.
 */
export function roundCents(n: number): number {
	if (!Number.isFinite(n)) throw new Error(`Cannot round ${n} to cents: not a finite number`);
	const cents = Math.round(Number((Math.abs(n) * 100).toPrecision(15)));
	const rounded = (Math.sign(n) * cents) / 100;
	return rounded === 0 ? 0 : rounded;
}

/**
 * A money amount from WooCommerce or an expression: "12.50" → 12.5, rounded to cents.
 * Empty (undefined, null, blank string) → undefined. Anything that is not a plain decimal number
 * (e.g. "12,50", "abc", NaN) throws, because guessing an amount is worse than stopping.
 */
export function toAmount(value: unknown): number | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new Error(`Not a valid amount: ${value}`);
		return roundCents(value);
	}
	if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return undefined;
		if (!AMOUNT_PATTERN.test(text)) {
			throw new Error(
				`Not a valid amount: "${value.slice(0, 50)}" (expected a number with a dot as decimal separator, e.g. 12.50)`,
			);
		}
		return roundCents(Number(text));
	}
	throw new Error(`Not a valid amount: expected a number or a numeric string, got ${typeof value}`);
}

/** Like toAmount, in integer cents, so sums never drift. Empty → 0. */
export function toCents(value: unknown): number {
	const amount = toAmount(value);
	return amount === undefined ? 0 : Math.round(amount * 100);
}

/** Integer cents → a Zoho Currency value (a number with at most 2 decimals). */
export function fromCents(cents: number): number {
	const amount = cents / 100;
	return amount === 0 ? 0 : amount;
}

/** "12.50"-style text for descriptions and messages. */
export function formatAmount(amount: number): string {
	return roundCents(amount).toFixed(2);
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function isCalendarDate(year: number, month: number, day: number): boolean {
	const date = new Date(Date.UTC(year, month - 1, day));
	return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function pad(n: number, width: number): string {
	return String(n).padStart(width, '0');
}

/**
 * A Zoho Date (yyyy-MM-dd). ISO-like strings keep the calendar date as written, without any timezone
 * conversion: WooCommerce's date_created is site time with no offset, and that is the day the shop
 * owner sees. A JS Date is taken in UTC; a Luxon DateTime (what $now / DateTime expressions return)
 * in its own zone. Empty → undefined; anything else throws.
 */
export function zohoDate(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (value instanceof Date) {
		if (Number.isNaN(value.getTime())) throw new Error('Not a valid date: Invalid Date');
		return `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1, 2)}-${pad(value.getUTCDate(), 2)}`;
	}
	if (typeof value === 'object' && typeof (value as { toISODate?: unknown }).toISODate === 'function') {
		return zohoDate((value as { toISODate: () => unknown }).toISODate());
	}
	if (typeof value !== 'string') {
		throw new Error(`Not a valid date: expected text like 2026-11-27, got ${typeof value}`);
	}
	const text = value.trim();
	if (text === '') return undefined;
	const match = DATE_PATTERN.exec(text);
	if (!match || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
		throw new Error(`Not a valid date: "${value.slice(0, 50)}" (expected yyyy-MM-dd or an ISO 8601 date-time)`);
	}
	return `${match[1]}-${match[2]}-${match[3]}`;
}
