import { cleanMultilineText, cleanText, decodeEntities } from '../../nodes/ZohoCrmOrderSync/mapping/text';
import { roundCents, toAmount, zohoDate } from '../../nodes/ZohoCrmOrderSync/mapping/money';

describe('decodeEntities', () => {
	it('decodes the entities WooCommerce puts in line-item names', () => {
		expect(decodeEntities('Ship Your Idea &ndash; Color: Black, Size: M Test')).toBe(
			'Ship Your Idea – Color: Black, Size: M Test',
		);
		expect(decodeEntities('Fish &amp; Chips')).toBe('Fish & Chips');
		expect(decodeEntities('A &#8211; B &#x2013; C &#X2014; D')).toBe('A – B – C — D');
		expect(decodeEntities('Tom&#8217;s &hellip; &euro;5 &lt;b&gt; &quot;x&quot; &#039;y&#039; &apos;z&apos;')).toBe(
			'Tom’s … €5 <b> "x" \'y\' \'z\'',
		);
		expect(decodeEntities('a&nbsp;b')).toBe('a\u00a0b');
	});

	it('maps the Latin-1 names to the right characters', () => {
		expect(decodeEntities('M&uuml;ller &Auml;pfel Stra&szlig;e 2&times;3 &yuml; &copy;')).toBe('Müller Äpfel Straße 2×3 ÿ ©');
	});

	it('decodes exactly once and leaves unknown or invalid references alone', () => {
		expect(decodeEntities('&amp;ndash;')).toBe('&ndash;');
		expect(decodeEntities('&bogus; &#0; &#xD800; &#x110000; &amp no semicolon')).toBe(
			'&bogus; &#0; &#xD800; &#x110000; &amp no semicolon',
		);
		expect(decodeEntities('no entities')).toBe('no entities');
	});
});

describe('cleanText', () => {
	it('trims, decodes and collapses whitespace (including &nbsp; and line breaks)', () => {
		expect(cleanText('  Müller &amp;\n\t Söhne&nbsp;&nbsp;GmbH  ')).toBe('Müller & Söhne GmbH');
	});

	it('turns empty values into undefined so the field is left out', () => {
		expect(cleanText('')).toBeUndefined();
		expect(cleanText('   \n ')).toBeUndefined();
		expect(cleanText('&nbsp;')).toBeUndefined();
		expect(cleanText(null)).toBeUndefined();
		expect(cleanText(undefined)).toBeUndefined();
	});

	it('writes numbers and booleans as text', () => {
		expect(cleanText(94103)).toBe('94103');
		expect(cleanText(0)).toBe('0');
		expect(cleanText(true)).toBe('true');
	});

	it('refuses objects, lists and NaN instead of sending "[object Object]"', () => {
		expect(() => cleanText({ a: 1 })).toThrow('Expected text but got an object');
		expect(() => cleanText(['a'])).toThrow('Expected text but got a list');
		expect(() => cleanText(NaN)).toThrow('Expected text');
	});

	it('cuts to 255 characters by default, or to maxLength', () => {
		expect(cleanText('x'.repeat(300))).toHaveLength(255);
		expect(cleanText('abcdef', 3)).toBe('abc');
		expect(cleanText('abc def', 4)).toBe('abc');
	});

	it('never leaves half an emoji at the cut', () => {
		const cut = cleanText('ab😀', 3);
		expect(cut).toBe('ab');
	});
});

describe('cleanMultilineText', () => {
	it('keeps line breaks, trims lines and limits blank lines to one', () => {
		expect(cleanMultilineText('  one  &amp;  two \r\n\r\n\r\n\tthree\n')).toBe('one & two\n\nthree');
	});

	it('cuts to 32000 characters by default', () => {
		expect(cleanMultilineText('y'.repeat(40000))).toHaveLength(32000);
		expect(cleanMultilineText(' \n ')).toBeUndefined();
	});
});

describe('toAmount', () => {
	it('reads WooCommerce money strings and numbers, rounded to cents', () => {
		expect(toAmount('12.50')).toBe(12.5);
		expect(toAmount(' 7 ')).toBe(7);
		expect(toAmount('-5.00')).toBe(-5);
		expect(toAmount('12.345')).toBe(12.35);
		expect(toAmount('1.005')).toBe(1.01);
		expect(toAmount(16.658333)).toBe(16.66);
		expect(toAmount('1e3')).toBe(1000);
	});

	it('treats empty values as no amount', () => {
		expect(toAmount('')).toBeUndefined();
		expect(toAmount('  ')).toBeUndefined();
		expect(toAmount(null)).toBeUndefined();
		expect(toAmount(undefined)).toBeUndefined();
	});

	it('throws a clear error for anything that is not a plain amount', () => {
		expect(() => toAmount('12,50')).toThrow('Not a valid amount: "12,50" (expected a number with a dot');
		expect(() => toAmount('abc')).toThrow('Not a valid amount');
		expect(() => toAmount('0x10')).toThrow('Not a valid amount');
		expect(() => toAmount(NaN)).toThrow('Not a valid amount: NaN');
		expect(() => toAmount(Infinity)).toThrow('Not a valid amount');
		expect(() => toAmount({ amount: 1 })).toThrow('got object');
	});

	it('never returns -0 (it would print as "-0.00")', () => {
		expect(Object.is(toAmount('-0.001'), 0)).toBe(true);
	});
});

describe('roundCents', () => {
	it('rounds half away from zero without binary noise', () => {
		expect(roundCents(0.1 + 0.2)).toBe(0.3);
		expect(roundCents(1.005)).toBe(1.01);
		expect(roundCents(2.675)).toBe(2.68);
		expect(roundCents(-1.005)).toBe(-1.01);
		expect(roundCents(0.004)).toBe(0);
		expect(roundCents(123456789.125)).toBe(123456789.13);
	});

	it('refuses non-finite numbers', () => {
		expect(() => roundCents(NaN)).toThrow('not a finite number');
	});
});

describe('zohoDate', () => {
	it('keeps the calendar date of WooCommerce dates (site time, no offset)', () => {
		expect(zohoDate('2026-11-27T10:20:30')).toBe('2026-11-27');
		expect(zohoDate('2026-11-27')).toBe('2026-11-27');
		expect(zohoDate('2026-11-27 10:20:30')).toBe('2026-11-27');
		expect(zohoDate('2026-11-27T10:20:30.123Z')).toBe('2026-11-27');
	});

	it('does not shift dates that carry an offset into another zone', () => {
		expect(zohoDate('2026-11-27T23:30:00+02:00')).toBe('2026-11-27');
		expect(zohoDate('2026-11-27T00:30:00-0500')).toBe('2026-11-27');
	});

	it('accepts JS Dates (UTC) and Luxon DateTimes (their own zone)', () => {
		expect(zohoDate(new Date(Date.UTC(2026, 0, 5, 23, 59)))).toBe('2026-01-05');
		expect(zohoDate({ toISODate: () => '2026-12-31' })).toBe('2026-12-31');
	});

	it('treats empty values as no date', () => {
		expect(zohoDate('')).toBeUndefined();
		expect(zohoDate(null)).toBeUndefined();
		expect(zohoDate(undefined)).toBeUndefined();
	});

	it('throws for values that are not real dates', () => {
		expect(() => zohoDate('2026-02-30')).toThrow('Not a valid date: "2026-02-30"');
		expect(() => zohoDate('27.11.2026')).toThrow('Not a valid date');
		expect(() => zohoDate('2026-11-27Tnonsense')).toThrow('Not a valid date');
		expect(() => zohoDate(1764238830000)).toThrow('Not a valid date');
		expect(() => zohoDate(new Date('nope'))).toThrow('Invalid Date');
	});
});
