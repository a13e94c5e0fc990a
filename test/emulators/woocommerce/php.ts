/**
 * PHP and WordPress behaviour the WooCommerce emulator needs: `wp_json_encode()` output, PHP's request parsing
 * (`$_GET`/`$_POST`, PHP_AUTH_USER) and string helpers. PHP strings are bytes: here they are JS strings with one
 * character per byte (Buffer 'latin1').
 */
import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';

export function phpEscapeString(value: string): string {
	let out = '"';
	for (let i = 0; i < value.length; i++) {
		const ch = value[i];
		const code = value.charCodeAt(i);
		switch (ch) {
			case '"':
				out += '\\"';
				break;
			case '\\':
				out += '\\\\';
				break;
			case '/':
				out += '\\/';
				break;
			case '\b':
				out += '\\b';
				break;
			case '\f':
				out += '\\f';
				break;
			case '\n':
				out += '\\n';
				break;
			case '\r':
				out += '\\r';
				break;
			case '\t':
				out += '\\t';
				break;
			default:
				// Control characters and everything outside ASCII become \uXXXX, per UTF-16 unit (PHP lower-case hex;
				// astral characters thus come out as a surrogate pair).
				out += code < 0x20 || code > 0x7e ? (code === 0x7f ? ch : `\\u${code.toString(16).padStart(4, '0')}`) : ch;
		}
	}
	return `${out}"`;
}

export function phpNumber(value: number): string {
	if (!Number.isFinite(value)) throw new Error(`json_encode cannot encode ${value}`);
	const text = String(value);
	// PHP (serialize_precision -1) writes 1.0e+25 where JavaScript writes 1e+25.
	const exponent = /^(-?\d+)(e[+-]\d+)$/.exec(text);
	return exponent ? `${exponent[1]}.0${exponent[2]}` : text;
}

/**
 * Like PHP `json_encode($value)` with default flags (what `wp_json_encode` produces): `/` as `\/`, non-ASCII as
 * `\uXXXX` (surrogate pairs for astral characters), no whitespace. Object keys with undefined values are skipped.
 */
export function phpJsonEncode(value: unknown): string {
	if (value === null || value === undefined) return 'null';
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	if (typeof value === 'number') return phpNumber(value);
	if (typeof value === 'string') return phpEscapeString(value);
	if (Array.isArray(value)) return `[${value.map((item) => phpJsonEncode(item)).join(',')}]`;
	if (typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
		return `{${entries.map(([key, item]) => `${phpEscapeString(key)}:${phpJsonEncode(item)}`).join(',')}}`;
	}
	throw new Error(`json_encode cannot encode a ${typeof value}`);
}

/** `wp_specialchars_decode( $secret, ENT_QUOTES )`, applied by WC_Webhook::generate_signature() (PR #22722). */
export function wpSpecialcharsDecode(value: string): string {
	return value
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#0*39;/g, "'")
		.replace(/&#x0*27;/gi, "'")
		.replace(/&amp;/g, '&');
}

export type PhpVar = string | PhpHash;

/** A PHP array: ordered, canonical integer strings are integer keys (zend_symtable_*). */
export class PhpHash {
	readonly entries = new Map<string, PhpVar>();
	private nextFree = 0;

	static isIntegerKey(key: string): boolean {
		return /^(0|-?[1-9]\d{0,17})$/.test(key);
	}

	get size(): number {
		return this.entries.size;
	}

	get(key: string): PhpVar | undefined {
		return this.entries.get(key);
	}

	set(key: string, value: PhpVar): void {
		if (PhpHash.isIntegerKey(key) && Number(key) >= this.nextFree) this.nextFree = Number(key) + 1;
		this.entries.set(key, value);
	}

	/** `$array[] = $value` (zend_hash_next_index_insert). */
	append(value: PhpVar): void {
		this.set(String(this.nextFree), value);
	}
}

export function utf8Bytes(text: string): string {
	return Buffer.from(text, 'utf8').toString('latin1');
}

/** php_url_decode(): `+` → space, %XX → byte. */
export function phpUrlDecode(text: string): string {
	return text.replace(/%[0-9a-fA-F]{2}|\+/g, (match) =>
		match === '+' ? ' ' : String.fromCharCode(parseInt(match.slice(1), 16)),
	);
}

/** rawurldecode(): %XX → byte only. */
export function phpRawUrlDecode(text: string): string {
	return text.replace(/%[0-9a-fA-F]{2}/g, (match) => String.fromCharCode(parseInt(match.slice(1), 16)));
}

/** rawurlencode() of bytes (PHP ≥ 5.3 keeps `~`). */
export function phpRawUrlEncode(bytes: string): string {
	return Array.from(bytes, (ch) =>
		/^[A-Za-z0-9_.~-]$/.test(ch) ? ch : `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
	).join('');
}

/** php_register_variable_ex(): files `name=value` into `$_GET`/`$_POST`, nesting on `[…]`. */
export function phpRegisterVariable(symtable: PhpHash, rawName: string, value: string): void {
	let varName = rawName;
	while (varName.startsWith(' ')) varName = varName.slice(1); // leading spaces are ignored
	if (varName.includes('\0')) varName = varName.slice(0, varName.indexOf('\0')); // C string
	const chars = Array.from(varName);
	let p = 0;
	let isArray = false;
	for (; p < chars.length; p++) {
		if (chars[p] === ' ' || chars[p] === '.') {
			chars[p] = '_';
		} else if (chars[p] === '[') {
			isArray = true;
			break;
		}
	}
	if (p === 0) return; // empty variable name
	let table = symtable;
	let index: string | null = chars.slice(0, p).join('');
	if (isArray) {
		let ip = p;
		for (let level = 1; ; level++) {
			ip++;
			const indexStart = ip;
			if (chars[ip] === ' ') ip++;
			let newIndex: string | null = null;
			if (chars[ip] !== ']') {
				const close = chars.indexOf(']', ip);
				if (close < 0) {
					// Not an index: at the first level `[` and later ' ', '.', '[' become '_' in the plain name;
					// deeper, the value goes to the current index.
					if (level === 1) {
						const rest = chars.slice(indexStart).map((ch) => (ch === ' ' || ch === '.' || ch === '[' ? '_' : ch));
						index = `${chars.slice(0, indexStart - 1).join('')}_${rest.join('')}`;
					}
					break;
				}
				newIndex = chars.slice(indexStart, close).join('');
				ip = close;
			}
			let child: PhpHash;
			if (index === null) {
				child = new PhpHash();
				table.append(child);
			} else {
				const existing = table.get(index);
				child = existing instanceof PhpHash ? existing : new PhpHash();
				if (!(existing instanceof PhpHash)) table.set(index, child);
			}
			table = child;
			index = newIndex;
			ip++;
			if (chars[ip] !== '[') break;
		}
	}
	if (index === null) table.append(value);
	else table.set(index, value);
}

/** php_default_treat_data(): `&`-separated pairs, both sides url-decoded, empty pieces skipped. */
export function phpTreatData(data: string): PhpHash {
	const result = new PhpHash();
	for (const piece of data.split('&')) {
		if (piece === '') continue;
		const equals = piece.indexOf('=');
		if (equals < 0) phpRegisterVariable(result, phpUrlDecode(piece), '');
		else phpRegisterVariable(result, phpUrlDecode(piece.slice(0, equals)), phpUrlDecode(piece.slice(equals + 1)));
	}
	return result;
}

/** array_merge(): string keys of later arrays overwrite, integer keys are renumbered from 0. */
export function phpArrayMerge(...arrays: PhpHash[]): PhpHash {
	const result = new PhpHash();
	for (const array of arrays) {
		for (const [key, value] of array.entries) {
			if (PhpHash.isIntegerKey(key)) result.append(value);
			else result.set(key, value);
		}
	}
	return result;
}

/** empty(): unset, '', '0' or an empty array. */
export function phpEmpty(value: PhpVar | undefined): boolean {
	return value === undefined || value === '' || value === '0' || (value instanceof PhpHash && value.size === 0);
}

/** PHP 8 `$string <=> $int`: numerically for numeric strings, else as strings. */
export function phpCompare(value: string, other: number): number {
	if (/^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$/.test(value)) {
		return Math.sign(Number(value.trim()) - other);
	}
	const text = String(other);
	return value === text ? 0 : value < text ? -1 : 1;
}

export function phpHashEquals(known: string, user: string): boolean {
	const left = Buffer.from(known, 'latin1');
	const right = Buffer.from(user, 'latin1');
	return left.length === right.length && timingSafeEqual(left, right);
}

/** PHP_AUTH_USER / PHP_AUTH_PW, which PHP sets from `Authorization: Basic` when it has a colon. */
export function phpAuthUser(req: http.IncomingMessage): { user: string; password: string } | undefined {
	const authorization = String(req.headers.authorization ?? '');
	if (!/^basic /i.test(authorization)) return undefined;
	const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('latin1');
	const separator = decoded.indexOf(':');
	if (separator < 0) return undefined;
	return { user: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
}
