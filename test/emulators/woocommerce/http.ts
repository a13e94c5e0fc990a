/**
 * WordPress REST plumbing of the WooCommerce emulator: WP_Error bodies, request parameters in
 * WP_REST_Request::get_param() order, `rest_validate_value_from_schema` checks, sorting and X-WP-Total paging.
 */
import type http from 'node:http';

import type { WooStore } from './store';

/** The fixture store runs on Europe/Berlin; in March that is UTC+1. Dates without offset are site-local. */
export const SITE_UTC_OFFSET_MINUTES = 60;

/** `Y-m-d\TH:i:s` without offset, as wc_rest_prepare_date_response() formats. */
export function formatWooDate(date: Date): string {
	return date.toISOString().slice(0, 19);
}

export function siteLocal(date: Date): string {
	return formatWooDate(new Date(date.getTime() + SITE_UTC_OFFSET_MINUTES * 60_000));
}

export function isPlainObject(value: unknown): value is Record<string, any> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export interface RestError {
	code: string;
	message: string;
	data: Record<string, unknown> & { status: number };
}

export class RestFailure extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly extra: Record<string, unknown> = {},
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}

	toBody(): RestError {
		return { code: this.code, message: this.message, data: { status: this.status, ...this.extra } };
	}
}

export interface Reply {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

export interface RequestContext {
	method: string;
	route: string;
	match: RegExpExecArray;
	params: Record<string, unknown>;
	authenticated: boolean;
}

export type ParamSpec =
	| { type: 'integer'; minimum?: number; maximum?: number; default?: number }
	| { type: 'string'; enum?: string[]; default?: string; format?: 'date-time' }
	| { type: 'boolean'; default?: boolean }
	| { type: 'array'; enum?: string[]; default?: string[]; items?: 'integer' | 'string' };


export function enumText(values: string[]): string {
	return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')}, and ${values[values.length - 1]}`;
}

/** WordPress `rest_validate_value_from_schema` + `rest_sanitize_value_from_schema`, for the types used here. */
export function validateParams(
	params: Record<string, unknown>,
	specs: Record<string, ParamSpec>,
	required: string[] = [],
): Record<string, any> {
	const missing = required.filter((name) => params[name] === undefined);
	if (missing.length > 0) {
		throw new RestFailure(400, 'rest_missing_callback_param', `Missing parameter(s): ${missing.join(', ')}`, {
			params: missing,
		});
	}
	const invalid: Record<string, string> = {};
	const details: Record<string, unknown> = {};
	const result: Record<string, any> = {};
	const fail = (name: string, code: string, message: string) => {
		invalid[name] = message;
		details[name] = { code, message, data: null };
	};
	for (const [name, spec] of Object.entries(specs)) {
		const raw = params[name];
		if (raw === undefined) {
			result[name] = spec.default;
			continue;
		}
		if (spec.type === 'integer') {
			const text = String(raw).trim();
			if (!/^-?\d+$/.test(text)) {
				fail(name, 'rest_invalid_type', `${name} is not of type integer.`);
				continue;
			}
			const value = Number(text);
			if (
				(spec.minimum !== undefined && value < spec.minimum) ||
				(spec.maximum !== undefined && value > spec.maximum)
			) {
				fail(
					name,
					'rest_out_of_bounds',
					`${name} must be between ${spec.minimum} (inclusive) and ${spec.maximum} (inclusive)`,
				);
				continue;
			}
			result[name] = value;
		} else if (spec.type === 'boolean') {
			const text = String(raw).toLowerCase();
			if (['true', '1'].includes(text)) result[name] = true;
			else if (['false', '0', ''].includes(text)) result[name] = false;
			else fail(name, 'rest_invalid_type', `${name} is not of type boolean.`);
		} else if (spec.type === 'string') {
			if (typeof raw !== 'string' && typeof raw !== 'number') {
				fail(name, 'rest_invalid_type', `${name} is not of type string.`);
				continue;
			}
			const value = String(raw);
			if (spec.enum && !spec.enum.includes(value)) {
				fail(name, 'rest_not_in_enum', `${name} is not one of ${enumText(spec.enum)}.`);
				continue;
			}
			if (
				spec.format === 'date-time' &&
				!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/.test(value)
			) {
				fail(name, 'rest_invalid_date', 'Invalid date.');
				continue;
			}
			result[name] = value;
		} else {
			// wp_parse_list(): arrays as given, strings split on commas and spaces.
			const list = Array.isArray(raw)
				? raw.map(String)
				: String(raw)
						.split(/[\s,]+/)
						.filter((item) => item !== '');
			const bad = spec.enum ? list.find((item) => !spec.enum!.includes(item)) : undefined;
			if (bad !== undefined) {
				fail(name, 'rest_not_in_enum', `${name}[${list.indexOf(bad)}] is not one of ${enumText(spec.enum!)}.`);
				continue;
			}
			if (spec.items === 'integer' && list.some((item) => !/^\d+$/.test(item))) {
				fail(name, 'rest_invalid_type', `${name}[0] is not of type integer.`);
				continue;
			}
			result[name] = spec.items === 'integer' ? list.map(Number) : list;
		}
	}
	if (Object.keys(invalid).length > 0) {
		throw new RestFailure(400, 'rest_invalid_param', `Invalid parameter(s): ${Object.keys(invalid).join(', ')}`, {
			params: invalid,
			details,
		});
	}
	return result;
}

export function requireUser(ctx: RequestContext, code: string, message: string): void {
	// rest_authorization_required_code(): 401 when nobody is logged in.
	if (!ctx.authenticated) throw new RestFailure(401, code, message);
}

/** Query, then form or JSON body on top (WP_REST_Request::get_param order: JSON, POST, GET). */
export function requestParams(this: WooStore, req: http.IncomingMessage, url: URL, rawBody: Buffer): Record<string, unknown> {
	const params: Record<string, unknown> = {};
	for (const key of new Set(url.searchParams.keys())) {
		if (key === 'rest_route') continue;
		if (key.endsWith('[]')) params[key.slice(0, -2)] = url.searchParams.getAll(key);
		else params[key] = url.searchParams.get(key);
	}
	const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	if (rawBody.length > 0 && contentType === 'application/json') {
		let parsed: unknown;
		try {
			parsed = JSON.parse(rawBody.toString('utf8'));
		} catch {
			throw new RestFailure(400, 'rest_invalid_json', 'Invalid JSON body passed.', {
				json_error_code: 4,
				json_error_message: 'Syntax error',
			});
		}
		if (isPlainObject(parsed)) Object.assign(params, parsed);
	} else if (rawBody.length > 0 && contentType === 'application/x-www-form-urlencoded') {
		for (const [key, value] of new URLSearchParams(rawBody.toString('utf8'))) params[key] = value;
	}
	return params;
}

export function sortBy<T extends { id: number }>(items: T[], key: string, order: 'asc' | 'desc'): T[] {
	const direction = order === 'asc' ? 1 : -1;
	return [...items].sort((a, b) => {
		const left = (a as Record<string, any>)[key];
		const right = (b as Record<string, any>)[key];
		if (left < right) return -direction;
		if (left > right) return direction;
		return (a.id - b.id) * direction;
	});
}

export function paginate(
	this: WooStore,
	items: unknown[],
	page: number,
	perPage: number,
	offset: number | undefined,
	route: string,
	params: Record<string, unknown>,
): Reply {
	const total = items.length;
	const totalPages = Math.ceil(total / perPage);
	const start = offset !== undefined ? offset : (page - 1) * perPage;
	const headers: Record<string, string> = {
		'X-WP-Total': String(total),
		'X-WP-TotalPages': String(totalPages),
	};
	const base = new URL(`${this.url}/wp-json${route}`);
	for (const [key, value] of Object.entries(params)) {
		if (typeof value === 'string' && !['consumer_key', 'consumer_secret'].includes(key)) {
			base.searchParams.set(key, value);
		}
	}
	const links: string[] = [];
	if (page > 1) {
		base.searchParams.set('page', String(Math.min(page - 1, Math.max(totalPages, 1))));
		links.push(`<${base.toString()}>; rel="prev"`);
	}
	if (totalPages > page) {
		base.searchParams.set('page', String(page + 1));
		links.push(`<${base.toString()}>; rel="next"`);
	}
	if (links.length > 0) headers.Link = links.join(', ');
	return { status: 200, body: items.slice(start, start + perPage), headers };
}
