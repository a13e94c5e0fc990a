/**
 * Parsers for the two query languages the connector may use:
 * - COQL (`POST /crm/v8/coql`), a subset of the v7 "Get Records through a COQL Query" page: `select f1, f2 from Module
 *   where <criteria> [order by f [asc|desc]] [limit n [offset m] | limit m, n]` with `=, !=, <, <=, >, >=, like,
 *   not like, in, not in, between, is null, is not null`. The page requires bracketing beyond two criteria ("If WHERE
 *   has more than two criteria such as A, B, and C, use them as … (A and B) and C"), so `A and B and C` is a
 *   SYNTAX_ERROR here too; a query without `from` or `where`, or that is not a select, is a SYNTAX_ERROR (same page).
 * - Search criteria (`GET /crm/v8/{Module}/search?criteria=`), v7 Search Records: `(Field:operator:value)`, groups
 *   joined with `and`/`or`, `\(`, `\)`, `\,` escapes, at most 10 conditions.
 */

export class QueryError extends Error {
	constructor(
		readonly code: 'SYNTAX_ERROR' | 'INVALID_QUERY' | 'LIMIT_EXCEEDED',
		message: string,
		readonly details: Record<string, unknown> = {},
	) {
		super(message);
	}
}

export type QueryValue = string | number | boolean;

export type Condition =
	| { kind: 'compare'; field: string; op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like' | 'not like'; value: QueryValue }
	| { kind: 'in'; field: string; negate: boolean; values: QueryValue[] }
	| { kind: 'null'; field: string; negate: boolean }
	| { kind: 'between'; field: string; low: QueryValue; high: QueryValue }
	| { kind: 'group'; op: 'and' | 'or'; left: Condition; right: Condition };

export interface CoqlQuery {
	fields: string[];
	module: string;
	where: Condition;
	orderBy: Array<{ field: string; descending: boolean }>;
	limit: number;
	offset: number;
}

type Token =
	| { type: 'word'; value: string }
	| { type: 'string'; value: string }
	| { type: 'number'; value: number }
	| { type: 'symbol'; value: string };

function tokenize(query: string): Token[] {
	const tokens: Token[] = [];
	let position = 0;
	while (position < query.length) {
		const char = query[position];
		if (/\s/.test(char)) {
			position++;
			continue;
		}
		if (char === "'") {
			let value = '';
			position++;
			for (;;) {
				if (position >= query.length) throw new QueryError('SYNTAX_ERROR', 'unterminated string literal', { near: query.slice(-20) });
				const current = query[position];
				if (current === '\\' && position + 1 < query.length) {
					value += query[position + 1];
					position += 2;
				} else if (current === "'" && query[position + 1] === "'") {
					value += "'";
					position += 2;
				} else if (current === "'") {
					position++;
					break;
				} else {
					value += current;
					position++;
				}
			}
			tokens.push({ type: 'string', value });
			continue;
		}
		const number = /^-?\d+(?:\.\d+)?/.exec(query.slice(position));
		if (number && (char !== '-' || tokens.length === 0 || tokens[tokens.length - 1].type === 'symbol')) {
			// record ids (19 digits) exceed Number.MAX_SAFE_INTEGER: keep them as text so `id = 4150868000000376001` works
			const exact = Number.isSafeInteger(Number(number[0])) || number[0].includes('.');
			tokens.push(exact ? { type: 'number', value: Number(number[0]) } : { type: 'string', value: number[0] });
			position += number[0].length;
			continue;
		}
		const word = /^[A-Za-z_$][A-Za-z0-9_$.]*/.exec(query.slice(position));
		if (word) {
			tokens.push({ type: 'word', value: word[0] });
			position += word[0].length;
			continue;
		}
		const symbol = /^(<=|>=|!=|<>|=|<|>|\(|\)|,|\*)/.exec(query.slice(position));
		if (symbol) {
			tokens.push({ type: 'symbol', value: symbol[0] === '<>' ? '!=' : symbol[0] });
			position += symbol[0].length;
			continue;
		}
		throw new QueryError('SYNTAX_ERROR', `unexpected character ${char}`, { near: query.slice(position, position + 20) });
	}
	return tokens;
}

class CoqlParser {
	private position = 0;

	constructor(private readonly tokens: Token[]) {}

	private peek(offset = 0): Token | undefined {
		return this.tokens[this.position + offset];
	}

	private isKeyword(keyword: string, offset = 0): boolean {
		const token = this.peek(offset);
		return token?.type === 'word' && token.value.toLowerCase() === keyword;
	}

	private isSymbol(symbol: string): boolean {
		const token = this.peek();
		return token?.type === 'symbol' && token.value === symbol;
	}

	private syntaxError(clause: string): QueryError {
		const near = this.tokens
			.slice(this.position, this.position + 3)
			.map((token) => String(token.value))
			.join(' ');
		return new QueryError('SYNTAX_ERROR', `error at ${clause} clause`, { clause, near: near || 'end of query' });
	}

	private expectKeyword(keyword: string, clause: string) {
		if (!this.isKeyword(keyword)) throw this.syntaxError(clause);
		this.position++;
	}

	private expectSymbol(symbol: string, clause: string) {
		if (!this.isSymbol(symbol)) throw this.syntaxError(clause);
		this.position++;
	}

	private fieldName(clause: string): string {
		const token = this.peek();
		if (token?.type !== 'word' || RESERVED.has(token.value.toLowerCase())) throw this.syntaxError(clause);
		this.position++;
		return token.value;
	}

	private value(clause: string): QueryValue {
		const token = this.peek();
		if (!token) throw this.syntaxError(clause);
		if (token.type === 'string' || token.type === 'number') {
			this.position++;
			return token.value;
		}
		if (token.type === 'word' && !RESERVED.has(token.value.toLowerCase())) {
			// bare picklist values and booleans are allowed (v7 COQL sample: `Lead_Source = Advertisement`)
			this.position++;
			const lower = token.value.toLowerCase();
			return lower === 'true' ? true : lower === 'false' ? false : token.value;
		}
		throw this.syntaxError(clause);
	}

	parse(): CoqlQuery {
		if (!this.isKeyword('select')) throw new QueryError('SYNTAX_ERROR', 'only select queries are supported', { clause: 'select' });
		this.position++;
		const fields: string[] = [];
		if (this.isSymbol('*')) throw new QueryError('SYNTAX_ERROR', 'select * is not supported; name the columns', { clause: 'select' });
		fields.push(this.fieldName('select'));
		while (this.isSymbol(',')) {
			this.position++;
			fields.push(this.fieldName('select'));
		}
		if (!this.isKeyword('from')) throw new QueryError('SYNTAX_ERROR', 'the query has no from clause', { clause: 'from' });
		this.position++;
		const module = this.fieldName('from');
		if (!this.isKeyword('where')) throw new QueryError('SYNTAX_ERROR', 'the query has no where clause', { clause: 'where' });
		this.position++;
		const where = this.expression();
		const orderBy: CoqlQuery['orderBy'] = [];
		if (this.isKeyword('order')) {
			this.position++;
			this.expectKeyword('by', 'order by');
			do {
				if (orderBy.length > 0) this.position++;
				const field = this.fieldName('order by');
				let descending = false;
				if (this.isKeyword('asc') || this.isKeyword('desc')) {
					descending = this.isKeyword('desc');
					this.position++;
				}
				orderBy.push({ field, descending });
			} while (this.isSymbol(','));
		}
		let limit = 200;
		let offset = 0;
		if (this.isKeyword('limit')) {
			this.position++;
			limit = this.integer('limit');
			if (this.isSymbol(',')) {
				this.position++;
				offset = limit;
				limit = this.integer('limit');
			} else if (this.isKeyword('offset')) {
				this.position++;
				offset = this.integer('offset');
			}
		}
		if (this.position < this.tokens.length) throw this.syntaxError('end');
		return { fields, module, where, orderBy, limit, offset };
	}

	private integer(clause: string): number {
		const token = this.peek();
		if (token?.type !== 'number' || !Number.isInteger(token.value) || token.value < 0) throw this.syntaxError(clause);
		this.position++;
		return token.value;
	}

	private expression(): Condition {
		const left = this.primary();
		if (!(this.isKeyword('and') || this.isKeyword('or'))) return left;
		const op = (this.peek() as Token).value.toString().toLowerCase() as 'and' | 'or';
		this.position++;
		const right = this.primary();
		if (this.isKeyword('and') || this.isKeyword('or')) {
			throw new QueryError('SYNTAX_ERROR', 'more than two criteria must be enclosed in brackets', { clause: 'where' });
		}
		return { kind: 'group', op, left, right };
	}

	private primary(): Condition {
		if (this.isSymbol('(')) {
			this.position++;
			const inner = this.expression();
			this.expectSymbol(')', 'where');
			return inner;
		}
		return this.condition();
	}

	private condition(): Condition {
		const field = this.fieldName('where');
		if (this.isKeyword('is')) {
			this.position++;
			const negate = this.isKeyword('not');
			if (negate) this.position++;
			this.expectKeyword('null', 'where');
			return { kind: 'null', field, negate };
		}
		const negate = this.isKeyword('not');
		if (negate) this.position++;
		if (this.isKeyword('in')) {
			this.position++;
			this.expectSymbol('(', 'where');
			const values = [this.value('where')];
			while (this.isSymbol(',')) {
				this.position++;
				values.push(this.value('where'));
			}
			this.expectSymbol(')', 'where');
			// v7 COQL: at most 100 values for in / not in
			if (values.length > 100) throw new QueryError('LIMIT_EXCEEDED', 'more than 100 values for in', { clause: 'where' });
			return { kind: 'in', field, negate, values };
		}
		if (this.isKeyword('like')) {
			this.position++;
			const value = this.value('where');
			if (typeof value !== 'string') throw this.syntaxError('where');
			return { kind: 'compare', field, op: negate ? 'not like' : 'like', value };
		}
		if (negate) throw this.syntaxError('where');
		if (this.isKeyword('between')) {
			this.position++;
			const low = this.value('where');
			this.expectKeyword('and', 'where');
			const high = this.value('where');
			return { kind: 'between', field, low, high };
		}
		const token = this.peek();
		if (token?.type !== 'symbol' || !['=', '!=', '<', '<=', '>', '>='].includes(token.value)) throw this.syntaxError('where');
		this.position++;
		return { kind: 'compare', field, op: token.value as '=', value: this.value('where') };
	}
}

const RESERVED = new Set(['select', 'from', 'where', 'and', 'or', 'not', 'in', 'is', 'null', 'like', 'between', 'order', 'by', 'limit', 'offset', 'asc', 'desc']);

export function parseCoql(query: string): CoqlQuery {
	const parsed = new CoqlParser(tokenize(query)).parse();
	// v7 COQL limits (v8's credit table suggests up to 2000 rows per call, reference §3.5 / §5.1)
	if (parsed.fields.length > 50) throw new QueryError('LIMIT_EXCEEDED', 'more than 50 columns selected', { clause: 'select', limit: 50 });
	if (parsed.limit > 2000 || parsed.limit < 1) throw new QueryError('LIMIT_EXCEEDED', 'the limit must be between 1 and 2000', { clause: 'limit', limit: 2000 });
	if (parsed.offset + parsed.limit > 10000) throw new QueryError('LIMIT_EXCEEDED', 'max records limit exceeded', { clause: 'offset', limit: 10000 });
	return parsed;
}

export function conditionFields(condition: Condition): string[] {
	if (condition.kind === 'group') return [...conditionFields(condition.left), ...conditionFields(condition.right)];
	return [condition.field];
}

/** Value of a (possibly joined, `Account_Name.Account_Name`) column, prepared for comparison. */
export type ColumnReader = (field: string) => unknown;

const normalize = (value: unknown): string | number | boolean | null => {
	if (value === undefined || value === null || value === '') return null;
	if (typeof value === 'object') return String((value as { id?: unknown }).id ?? '');
	if (typeof value === 'string') return value.toLowerCase();
	return value as number | boolean;
};

function compareValues(actual: unknown, expected: QueryValue): number | undefined {
	const left = normalize(actual);
	if (left === null) return undefined;
	if (typeof left === 'number') {
		const right = typeof expected === 'number' ? expected : Number(expected);
		if (Number.isNaN(right)) return undefined;
		return left - right;
	}
	if (typeof left === 'boolean') return left === (expected === true || String(expected).toLowerCase() === 'true') ? 0 : 1;
	const right = String(expected).toLowerCase();
	return left < right ? -1 : left > right ? 1 : 0;
}

function likeToRegExp(pattern: string): RegExp {
	const escaped = pattern
		.toLowerCase()
		.split('%')
		.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
		.join('.*');
	return new RegExp(`^${escaped}$`, 's');
}

/**
 * Text comparisons are case-insensitive (unconfirmed for COQL; Zoho's UI and search treat e-mail addresses that
 * way). A lookup column compares its record id.
 */
export function evaluateCondition(condition: Condition, read: ColumnReader): boolean {
	switch (condition.kind) {
		case 'group':
			return condition.op === 'and'
				? evaluateCondition(condition.left, read) && evaluateCondition(condition.right, read)
				: evaluateCondition(condition.left, read) || evaluateCondition(condition.right, read);
		case 'null': {
			const isNull = normalize(read(condition.field)) === null;
			return condition.negate ? !isNull : isNull;
		}
		case 'in': {
			const found = condition.values.some((value) => compareValues(read(condition.field), value) === 0);
			return condition.negate ? !found && normalize(read(condition.field)) !== null : found;
		}
		case 'between': {
			const value = read(condition.field);
			const low = compareValues(value, condition.low);
			const high = compareValues(value, condition.high);
			return low !== undefined && high !== undefined && low >= 0 && high <= 0;
		}
		case 'compare': {
			const value = read(condition.field);
			if (condition.op === 'like' || condition.op === 'not like') {
				const text = normalize(value);
				const matches = text !== null && likeToRegExp(String(condition.value)).test(String(text));
				return condition.op === 'like' ? matches : !matches;
			}
			const difference = compareValues(value, condition.value);
			if (difference === undefined) return condition.op === '!=';
			switch (condition.op) {
				case '=':
					return difference === 0;
				case '!=':
					return difference !== 0;
				case '<':
					return difference < 0;
				case '<=':
					return difference <= 0;
				case '>':
					return difference > 0;
				case '>=':
					return difference >= 0;
			}
		}
	}
	return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Search criteria

export type SearchOperator =
	| 'equals'
	| 'not_equal'
	| 'starts_with'
	| 'in'
	| 'greater_than'
	| 'greater_equal'
	| 'less_than'
	| 'less_equal'
	| 'between';

export type SearchCriteria =
	| { kind: 'condition'; field: string; operator: SearchOperator; values: string[] }
	| { kind: 'group'; op: 'and' | 'or'; items: SearchCriteria[] };

const SEARCH_OPERATORS = new Set<string>(['equals', 'not_equal', 'starts_with', 'in', 'greater_than', 'greater_equal', 'less_than', 'less_equal', 'between']);

/** Splits on unescaped `separator`, removing the backslash escapes of `(`, `)` and `,`. */
function splitUnescaped(text: string, separator: string): string[] {
	const parts: string[] = [];
	let current = '';
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		if (char === '\\' && index + 1 < text.length) {
			current += text[index + 1];
			index++;
		} else if (char === separator) {
			parts.push(current);
			current = '';
		} else {
			current += char;
		}
	}
	parts.push(current);
	return parts;
}

export function parseSearchCriteria(criteria: string): SearchCriteria {
	let position = 0;
	let conditions = 0;
	const invalid = (reason: string) => new QueryError('INVALID_QUERY', 'invalid query formed', { reason, criteria });

	const group = (): SearchCriteria => {
		if (criteria[position] !== '(') throw invalid('expected (');
		position++;
		if (criteria[position] === '(') {
			const items = [group()];
			let op: 'and' | 'or' | undefined;
			for (;;) {
				const rest = criteria.slice(position);
				const joiner = /^\s*(and|or)\s*/i.exec(rest);
				if (!joiner) break;
				const found = joiner[1].toLowerCase() as 'and' | 'or';
				if (op && op !== found) throw invalid('mixed and/or without brackets');
				op = found;
				position += joiner[0].length;
				items.push(group());
			}
			if (criteria[position] !== ')') throw invalid('expected )');
			position++;
			return items.length === 1 ? items[0] : { kind: 'group', op: op as 'and' | 'or', items };
		}
		let raw = '';
		while (position < criteria.length && criteria[position] !== ')') {
			if (criteria[position] === '\\' && position + 1 < criteria.length) {
				raw += criteria.slice(position, position + 2);
				position += 2;
			} else {
				raw += criteria[position++];
			}
		}
		if (criteria[position] !== ')') throw invalid('expected )');
		position++;
		const firstColon = raw.indexOf(':');
		const secondColon = raw.indexOf(':', firstColon + 1);
		if (firstColon < 1 || secondColon < 0) throw invalid('expected (field:operator:value)');
		const field = raw.slice(0, firstColon).trim();
		const operator = raw.slice(firstColon + 1, secondColon).trim();
		if (!SEARCH_OPERATORS.has(operator)) throw new QueryError('INVALID_QUERY', 'invalid query formed', { reason: 'invalid operator', operator });
		const valueText = raw.slice(secondColon + 1);
		const values = operator === 'in' || operator === 'between' ? splitUnescaped(valueText, ',') : [splitUnescaped(valueText, '\u0000')[0]];
		if (operator === 'in' && values.length > 100) throw invalid('more than 100 values for in');
		if (operator === 'between' && values.length !== 2) throw invalid('between takes two values');
		conditions++;
		return { kind: 'condition', field, operator: operator as SearchOperator, values };
	};

	const parsed = group();
	if (position !== criteria.length) throw invalid('unexpected text after criteria');
	if (conditions > 10) throw invalid('more than 10 conditions');
	return parsed;
}

export function searchFields(criteria: SearchCriteria): string[] {
	return criteria.kind === 'group' ? criteria.items.flatMap(searchFields) : [criteria.field];
}

/**
 * "When you use equals in Search API, it behaves like contains" (v7 Search Records): `equals` is a case-insensitive
 * substring match here, so `(Email:equals:ann@x.com)` also finds `joann@x.com`.
 */
export function evaluateSearch(criteria: SearchCriteria, read: ColumnReader): boolean {
	if (criteria.kind === 'group') {
		return criteria.op === 'and' ? criteria.items.every((item) => evaluateSearch(item, read)) : criteria.items.some((item) => evaluateSearch(item, read));
	}
	const actual = normalize(read(criteria.field));
	const [first, second] = criteria.values;
	const text = actual === null ? '' : String(actual);
	switch (criteria.operator) {
		case 'equals':
			return actual !== null && text.includes(first.toLowerCase());
		case 'not_equal':
			return !text.includes(first.toLowerCase()) || actual === null;
		case 'starts_with':
			return actual !== null && text.startsWith(first.toLowerCase());
		case 'in':
			return actual !== null && criteria.values.some((value) => compareValues(actual, value) === 0);
		case 'greater_than':
			return (compareValues(actual, first) ?? -1) > 0;
		case 'greater_equal':
			return (compareValues(actual, first) ?? -1) >= 0;
		case 'less_than':
			return (compareValues(actual, first) ?? 1) < 0;
		case 'less_equal':
			return (compareValues(actual, first) ?? 1) <= 0;
		case 'between':
			return (compareValues(actual, first) ?? -1) >= 0 && (compareValues(actual, second) ?? 1) <= 0;
	}
	return false;
}
