/**
 * Text rules for values sent to Zoho: WooCommerce stores some names HTML-encoded (line-item names such as
 * "Ship Your Idea &ndash; Color: Black" come straight from wptexturize/esc_html), Zoho shows text as typed,
 * and Zoho "Single Line" fields take at most 255 characters (v7 Insert Records, "Sample Attributes").
 */

/** HTML 4 Latin-1 entity names for code points 160..255, in order. */
const LATIN1_ENTITY_NAMES = (
	'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr ' +
	'deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest ' +
	'Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ' +
	'ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig ' +
	'agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml ' +
	'eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'
).split(' ');

const NAMED_ENTITIES: Record<string, number> = {
	amp: 38,
	lt: 60,
	gt: 62,
	quot: 34,
	apos: 39,
	OElig: 338,
	oelig: 339,
	Scaron: 352,
	scaron: 353,
	Yuml: 376,
	fnof: 402,
	circ: 710,
	tilde: 732,
	ensp: 8194,
	emsp: 8195,
	thinsp: 8201,
	zwnj: 8204,
	zwj: 8205,
	lrm: 8206,
	rlm: 8207,
	hyphen: 8208,
	ndash: 8211,
	mdash: 8212,
	lsquo: 8216,
	rsquo: 8217,
	sbquo: 8218,
	ldquo: 8220,
	rdquo: 8221,
	bdquo: 8222,
	dagger: 8224,
	Dagger: 8225,
	bull: 8226,
	hellip: 8230,
	permil: 8240,
	prime: 8242,
	Prime: 8243,
	lsaquo: 8249,
	rsaquo: 8250,
	euro: 8364,
	trade: 8482,
	larr: 8592,
	rarr: 8594,
	minus: 8722,
};
LATIN1_ENTITY_NAMES.forEach((name, index) => {
	NAMED_ENTITIES[name] = 160 + index;
});

const ENTITY_PATTERN = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g;

function fromCodePoint(codePoint: number): string | undefined {
	const isSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
	if (codePoint <= 0 || codePoint > 0x10ffff || isSurrogate) return undefined;
	return String.fromCodePoint(codePoint);
}

/**
 * Decodes HTML character references in one pass (so "&amp;ndash;" becomes "&ndash;", not "–").
 * Unknown names and invalid code points are left as written.
 */
export function decodeEntities(s: string): string {
	if (!s.includes('&')) return s;
	return s.replace(ENTITY_PATTERN, (entity, decimal?: string, hex?: string, name?: string) => {
		let decoded: string | undefined;
		if (decimal !== undefined) decoded = fromCodePoint(parseInt(decimal, 10));
		else if (hex !== undefined) decoded = fromCodePoint(parseInt(hex, 16));
		else if (name !== undefined && NAMED_ENTITIES[name] !== undefined) {
			decoded = String.fromCodePoint(NAMED_ENTITIES[name]);
		}
		return decoded ?? entity;
	});
}

/** Cuts to at most maxLength UTF-16 units without leaving half a surrogate pair (emoji) at the end. */
export function cutTo(s: string, maxLength: number): string {
	if (s.length <= maxLength) return s;
	let cut = s.slice(0, maxLength);
	const last = cut.charCodeAt(cut.length - 1);
	if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
	return cut.trimEnd();
}

/** Text from an evaluated expression: strings as they are, numbers/booleans as written; anything else is a mapping mistake. */
function asString(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'string') return value;
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new Error(`Expected text but got the number ${value}`);
		return String(value);
	}
	if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
	const kind = Array.isArray(value) ? 'a list' : 'an object';
	throw new Error(`Expected text but got ${kind}: ${JSON.stringify(value)?.slice(0, 100)}`);
}

/**
 * A single-line text value for Zoho: entities decoded, whitespace (including &nbsp; and line breaks)
 * collapsed to single spaces, trimmed, cut to maxLength. Empty results become undefined so the field
 * is left out: sending "" in an upsert would erase what Zoho already holds.
 */
export function cleanText(value: unknown, maxLength = 255): string | undefined {
	const raw = asString(value);
	if (raw === undefined) return undefined;
	const text = cutTo(decodeEntities(raw).replace(/\s+/g, ' ').trim(), maxLength);
	return text === '' ? undefined : text;
}

/**
 * A multi-line text value (Zoho "Multi Line" / textarea, e.g. Description, up to 32000 characters):
 * like cleanText, but line breaks are kept; spaces are collapsed within lines and runs of blank lines
 * are reduced to one.
 */
export function cleanMultilineText(value: unknown, maxLength = 32000): string | undefined {
	const raw = asString(value);
	if (raw === undefined) return undefined;
	const lines = decodeEntities(raw)
		.replace(/\r\n?/g, '\n')
		.split('\n')
		.map((line) => line.replace(/\s+/g, ' ').trim());
	const text = cutTo(
		lines
			.join('\n')
			.replace(/\n{3,}/g, '\n\n')
			.trim(),
		maxLength,
	);
	return text === '' ? undefined : text;
}
