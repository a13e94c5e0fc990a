/**
 * A strict Zoho CRM API v8 emulator for tests: one HTTP server on 127.0.0.1 that serves both the accounts server
 * (`POST /oauth/v2/token`) and the CRM API (`/crm/v8/...`). It answers what Zoho documents (see
 * https://www.zoho.com/crm/developer/docs/api/v8/; comments cite the Zoho page behind each non-obvious behaviour) and refuses
 * what Zoho refuses: unknown fields, wrong types, missing auth or scopes.
 *
 * Main entry points: `ZohoEmulator.start(options)`, then point the connector's accounts URL and API domain at
 * `emulator.url`. Test controls: `inject` (faults), `goDown`/`comeUp` (outage), `setLatency`, `expireAccessTokens`, `revokeRefreshToken`,
 * `restrictScopes`, `addValidationRule`, `records(module)`, `calls`, `creditsUsed()`.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

import {
	DEAL_STAGES,
	EDITIONS,
	Edition,
	HEAVY_CALL_LIMIT,
	HOME_CURRENCY,
	OrgTax,
	ModuleDef,
	ORG_CURRENCIES,
	ORG_ID,
	STANDARD_LAYOUT_ID,
	STANDARD_PIPELINE,
	STANDARD_PIPELINE_ID,
	USER,
	buildModules,
	fieldMetadata,
	findField,
} from './zoho/schema';
import { Answer, errorAnswer, errorBody, parseFormBody, readBody, send, zohoTime } from './zoho/http';
import { EXCHANGE_RATES, EmulatedRecord, RecordStore, RecordStoreSnapshot, StoredRecord } from './zoho/store';
import {
	RecordIssue,
	checkMandatory,
	invalidData,
	isPlainObject,
	mandatoryNotFound,
	validateFields,
} from './zoho/validation';
import {
	Condition,
	QueryError,
	conditionFields,
	evaluateCondition,
	evaluateSearch,
	parseCoql,
	parseSearchCriteria,
	searchFields,
} from './zoho/query';
import { compositeCredits, runComposite } from './zoho/composite';

export type { EmulatedRecord } from './zoho/store';

export interface ZohoEmulatorOptions {
	/** Defaults '1000.TESTCLIENT', 'testsecret', '1000.refresh.test'. */
	clientId?: string;
	clientSecret?: string;
	refreshToken?: string;
	port?: number;
	/** Deals have a mandatory Pipeline field (default false). */
	pipelines?: boolean;
	/** Records of modules with currency fields accept Currency (org currencies) and Exchange_Rate (default false). */
	multiCurrency?: boolean;
	/**
	 * Zoho CRM edition (default 'professional'): concurrency limit, custom fields per module, whether Sales Orders
	 * exist (schema.ts EDITIONS). Defaults are those of a NEW org of that edition.
	 */
	edition?: Edition;
	/**
	 * Pre-create the unique single-line field WooCommerce_Order_ID on Deals and Sales_Orders (default false: a new org
	 * has no such field; tests create it through the node's "Set Up Order ID Field").
	 */
	orderIdField?: boolean;
	/** Product_Code is unique on Products (default false, as in a new org: "Do not allow duplicate values" is off). */
	uniqueProductCode?: boolean;
	/** Taxes defined in the org (Setup → Taxes), for Line_Tax (default none, as in a new org). */
	taxes?: OrgTax[];
	/**
	 * The org's tax preference "modify tax rates" (GET /org/taxes `preference.modify_tax_rates`, SDK 8.0 taxes
	 * Preference): when false, Zoho applies the org's own percentage whatever a Line_Tax entry says (default true).
	 */
	taxRatesModifiable?: boolean;
	/** Lifetime of minted access tokens, also sent as `expires_in` (default 3600). */
	accessTokenTtlSeconds?: number;
	/** Records written in the last N ms are not yet found by /search (default 0). COQL has no delay. */
	searchIndexDelayMs?: number;
	/** Rolling credit allowance (default 50000, the Standard edition base). */
	creditAllowance?: number;
	/** Simultaneously active API calls before 429 TOO_MANY_REQUESTS (default: the edition's limit). */
	concurrencyLimit?: number;
	/** Scopes granted to minted tokens (default: every scope the emulator checks). */
	scopes?: string[];
	/**
	 * Tried first for every request; returns true when it answered (the demo's org page, test/demo/). What it does
	 * not answer is the accounts server and the CRM API as usual.
	 */
	extraRoutes?: (request: IncomingMessage, response: ServerResponse) => boolean;
	/**
	 * Concurrency slots one composite call occupies (default 5: a secondary source's figure, unconfirmed by Zoho's
	 * pages, taken as the pessimistic reading; see zoho/composite.ts).
	 */
	compositeConcurrencySlots?: number;
	/**
	 * Older API versions served by the same (v8) handlers, e.g. ['v2'] for n8n's built-in Zoho CRM node, which calls
	 * `/crm/v2/contacts/upsert` and `/crm/v2/deals` (record calls of the same shape in v2 and v8). Default none.
	 */
	aliasApiVersions?: string[];
}

/** The org's records and recorded calls as plain data (the demo keeps its org between starts). */
export interface ZohoSnapshot {
	store: RecordStoreSnapshot;
	calls: RecordedCall[];
}

export interface RecordedCall {
	method: string;
	path: string;
	query: Record<string, string>;
	body: any;
	/** 0 when the connection was dropped. */
	status: number;
	credits: number;
	at: number;
}

export interface ZohoFault {
	times: number;
	status?: number;
	code?: string;
	/** Retry-After header in seconds (Zoho documents none; for testing that the connector honours it if sent). */
	retryAfter?: number;
	/** Destroy the socket instead of answering. */
	drop?: boolean;
	latencyMs?: number;
	/**
	 * Which calls: tested against `"METHOD /path"` (RegExp) or contained in it (string). Without `match`, any /crm/
	 * call; token endpoint calls are only hit by a `match` that matches them.
	 */
	match?: RegExp | string;
	/**
	 * Process the request first (records are written), then answer with the fault or drop the connection: the
	 * "lost response" case that makes blind retries of inserts create duplicates.
	 */
	afterProcessing?: boolean;
}

export type ValidationRule = (
	module: string,
	record: Record<string, unknown>,
) => { code: string; message: string; details: Record<string, unknown> } | undefined;

export const DEFAULT_SCOPES = [
	'ZohoCRM.modules.ALL',
	'ZohoCRM.settings.ALL',
	'ZohoCRM.coql.READ',
	'ZohoSearch.securesearch.READ',
	'ZohoCRM.users.READ',
	'ZohoCRM.org.READ',
	'ZohoCRM.composite_requests.CUSTOM',
];

interface IssuedToken {
	refreshToken: string;
	scopes: string[];
	issuedAt: number;
	expiresAt: number;
	valid: boolean;
}

interface RequestContext {
	call: RecordedCall;
	token: IssuedToken;
	credits: number;
	/** Waits the configured latency once (write handlers call it between duplicate lookup and write). */
	pause: () => Promise<void>;
	/** Inside a composite request: what the writes changed, so a rollback can undo it. */
	journal?: JournalEntry[];
}

type JournalEntry = { module: string; created: string } | { module: string; updated: StoredRecord; before: EmulatedRecord };

type Handler = (context: RequestContext, body: any, query: Record<string, string>) => Promise<Answer> | Answer;

interface Route {
	handler: Handler;
	/** Each inner list is one requirement; any of its scopes satisfies it. */
	scopes: string[][];
	jsonBody: boolean;
}

const API_PREFIX = '/crm/v8/';
const TOKEN_WINDOW_MS = 10 * 60 * 1000;
// "Using a refresh token, your app can create up to ten access tokens in a span of ten minutes"
// (https://zoho.com/accounts/protocol/oauth/web-apps/access-token-expiry.html)
const TOKENS_PER_WINDOW = 10;
// "max 15 active access tokens per refresh token (the 16th invalidates the oldest)" (CRM v8 Token Validity)
const MAX_ACTIVE_TOKENS = 15;
const TRIGGERS = new Set(['workflow', 'approval', 'blueprint', 'pathfinder', 'orchestration']);
const WRITE_KEYS: Record<WriteKind, string[]> = {
	insert: ['data', 'trigger', 'lar_id', 'apply_feature_execution', 'skip_feature_execution'],
	upsert: ['data', 'duplicate_check_fields', 'trigger', 'apply_feature_execution', 'skip_feature_execution'],
	update: ['data', 'trigger', 'apply_feature_execution', 'skip_feature_execution'],
};

type WriteKind = 'insert' | 'upsert' | 'update';

/** Scope alternatives for `ZohoCRM.<group>[.<item>].<operation>`; ALL covers every operation. */
function scopeOptions(group: string, item: string | undefined, operations: string[]): string[] {
	const withAll = [...operations, 'ALL'];
	const options = withAll.map((operation) => `ZohoCRM.${group}.${operation}`);
	if (item) options.push(...withAll.map((operation) => `ZohoCRM.${group}.${item}.${operation}`));
	return options;
}

const settingsScopes = (item: string, operations: string[]) => [...scopeOptions('settings', item, operations), 'ZohoCRM.settings.ALL'];

/** COQL, search, and writes of more than 10 records count against the shared limit of complex calls. */
function isHeavyCall(method: string, path: string, raw: Buffer): boolean {
	// Composite is in the complex group by third-party digests of the v8 API-limits page (unconfirmed, pessimistic)
	if (path.endsWith('/coql') || path.endsWith('/search') || path.endsWith('/__composite_requests')) return true;
	if (method !== 'POST' && method !== 'PUT') return false;
	try {
		const body = JSON.parse(raw.toString('utf8')) as { data?: unknown };
		return Array.isArray(body?.data) && body.data.length > 10;
	} catch {
		return false;
	}
}

const sleep = (ms: number, timers: Set<NodeJS.Timeout>) =>
	ms > 0
		? new Promise<void>((resolve) => {
				const timer = setTimeout(() => {
					timers.delete(timer);
					resolve();
				}, ms);
				timers.add(timer);
			})
		: Promise.resolve();

export class ZohoEmulator {
	readonly clientId: string;

	readonly clientSecret: string;

	readonly refreshToken: string;

	url = '';

	calls: RecordedCall[] = [];

	private readonly options: Required<
		Omit<ZohoEmulatorOptions, 'port' | 'clientId' | 'clientSecret' | 'refreshToken' | 'extraRoutes'>
	> & { salesOrders: boolean };

	private modules: Map<string, ModuleDef>;

	private readonly store: RecordStore;

	private readonly server: Server;

	private readonly sockets = new Set<Socket>();

	private readonly timers = new Set<NodeJS.Timeout>();

	private readonly tokens = new Map<string, IssuedToken>();

	private readonly revokedRefreshTokens = new Set<string>();

	/** Mint times per refresh token, for the 10-per-10-minutes limit. */
	private readonly mintLog = new Map<string, number[]>();

	private grantCodeUsed = false;

	private mintScopes: string[];

	private faults: ZohoFault[] = [];

	private rules: ValidationRule[] = [];

	private latencyMs = 0;

	private activeCalls = 0;

	/** Active "complex" calls, sharing the sub-concurrency limit of 10 (schema.ts HEAVY_CALL_LIMIT). */
	private activeHeavyCalls = 0;

	private peakCalls = 0;

	private rejectedForConcurrency = 0;

	private constructor(options: ZohoEmulatorOptions) {
		this.clientId = options.clientId ?? '1000.TESTCLIENT';
		this.clientSecret = options.clientSecret ?? 'testsecret';
		this.refreshToken = options.refreshToken ?? '1000.refresh.test';
		const edition = options.edition ?? 'professional';
		this.options = {
			edition,
			salesOrders: EDITIONS[edition].salesOrders,
			taxes: options.taxes ?? [],
			taxRatesModifiable: options.taxRatesModifiable ?? true,
			pipelines: options.pipelines ?? false,
			multiCurrency: options.multiCurrency ?? false,
			orderIdField: options.orderIdField ?? false,
			uniqueProductCode: options.uniqueProductCode ?? false,
			accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
			searchIndexDelayMs: options.searchIndexDelayMs ?? 0,
			creditAllowance: options.creditAllowance ?? 50000,
			concurrencyLimit: options.concurrencyLimit ?? EDITIONS[edition].concurrency,
			scopes: options.scopes ?? DEFAULT_SCOPES,
			compositeConcurrencySlots: options.compositeConcurrencySlots ?? 5,
			aliasApiVersions: options.aliasApiVersions ?? [],
		};
		this.mintScopes = [...this.options.scopes];
		this.modules = buildModules(this.options);
		this.store = new RecordStore(
			() => this.modules,
			() => this.orgTaxes(),
			() => this.options.taxRatesModifiable,
		);
		this.server = createServer((request, response) => {
			if (options.extraRoutes?.(request, response)) return;
			this.handle(request, response).catch((error: Error) => {
				if (!response.headersSent) send(response, errorAnswer(500, 'INTERNAL_ERROR', { emulator: error.message }));
			});
		});
		this.server.on('connection', (socket: Socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
	}

	static async start(options: ZohoEmulatorOptions = {}): Promise<ZohoEmulator> {
		const emulator = new ZohoEmulator(options);
		await new Promise<void>((resolve, reject) => {
			emulator.server.once('error', reject);
			emulator.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
		});
		const { port } = emulator.server.address() as AddressInfo;
		emulator.url = `http://127.0.0.1:${port}`;
		return emulator;
	}

	async stop(): Promise<void> {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	// ------------------------------------------------------------------------------------------------- test controls

	/** Every access token this emulator issued (for tests that look for leaked secrets). */
	issuedAccessTokens(): string[] {
		return [...this.tokens.keys()];
	}

	apiCalls(): RecordedCall[] {
		return this.calls.filter((call) => call.path.startsWith('/crm/'));
	}

	creditsUsed(): number {
		return this.calls.reduce((sum, call) => sum + call.credits, 0);
	}

	/** A copy of the stored records of a module, oldest first. */
	records(module: string): EmulatedRecord[] {
		return this.store.list(module).map((stored) => structuredClone(stored.data));
	}

	/** Mints a valid access token for the configured refresh token (not counted against the mint limit). */
	issueAccessToken(scopes?: string[]): string {
		return this.mint(this.refreshToken, scopes ?? this.mintScopes);
	}

	/** Scopes of tokens minted from now on (token endpoint and issueAccessToken); null restores the defaults. */
	restrictScopes(scopes: string[] | null): void {
		this.mintScopes = scopes ? [...scopes] : [...this.options.scopes];
	}

	expireAccessTokens(): void {
		for (const token of this.tokens.values()) token.valid = false;
	}

	/**
	 * "When you generate an access token using a revoked refresh token, the system returns the invalid_code error";
	 * access tokens minted from it stop working too (CRM v2.1 Token Validity).
	 */
	revokeRefreshToken(): void {
		this.revokedRefreshTokens.add(this.refreshToken);
		for (const token of this.tokens.values()) if (token.refreshToken === this.refreshToken) token.valid = false;
	}

	snapshot(): ZohoSnapshot {
		return structuredClone({ store: this.store.dump(), calls: this.calls });
	}

	/** Records and recorded calls (so credits) from snapshot(); custom fields, tokens and faults are not part of it. */
	restore(snapshot: ZohoSnapshot): void {
		this.store.load(snapshot.store);
		this.calls = structuredClone(snapshot.calls);
	}

	/**
	 * An outage: the port stops listening (new connections are refused, ECONNREFUSED) and open connections are cut
	 * (in-flight calls get no answer, whatever they already wrote stays written). Records, tokens and faults are kept;
	 * `comeUp()` listens on the same port again.
	 */
	async goDown(): Promise<void> {
		const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
		for (const socket of this.sockets) socket.destroy();
		await closed;
	}

	async comeUp(): Promise<void> {
		const port = Number(new URL(this.url).port);
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, '127.0.0.1', () => {
				this.server.off('error', reject);
				resolve();
			});
		});
	}

	inject(fault: ZohoFault): void {
		this.faults.push({ ...fault });
	}

	addValidationRule(rule: ValidationRule): void {
		this.rules.push(rule);
	}

	clearFaults(): void {
		this.faults = [];
		this.rules = [];
	}

	setLatency(ms: number): void {
		this.latencyMs = ms;
	}

	/**
	 * The most API calls that were active at once since start or the last reset, counted per org as Zoho counts its
	 * concurrency limit ("counted per org, not per client process"), and how many calls were refused with 429 for it.
	 */
	concurrency(): { peak: number; limit: number; rejected: number } {
		return { peak: this.peakCalls, limit: this.options.concurrencyLimit, rejected: this.rejectedForConcurrency };
	}

	resetConcurrencyStats(): void {
		this.peakCalls = this.activeCalls;
		this.rejectedForConcurrency = 0;
	}

	/**
	 * Setup → Modules and Fields → field → "Do not allow duplicate values": Email fields may be made unique
	 * (Kaizen #56: Single Line, Email, Phone, Number, Long Integer and URL). Records already stored stay as they are.
	 */
	setFieldUnique(module: string, apiName: string, unique: boolean): void {
		const field = this.modules.get(module)?.fields.find((candidate) => candidate.apiName === apiName);
		if (!field) throw new Error(`no field ${module}.${apiName} in the emulator`);
		if (unique && !['text', 'email', 'phone', 'website', 'integer', 'bigint'].includes(field.type)) {
			throw new Error(`${module}.${apiName} (${field.type}) cannot be unique in Zoho`);
		}
		field.unique = unique;
	}

	setSearchIndexDelay(ms: number): void {
		this.options.searchIndexDelayMs = ms;
	}

	/**
	 * Back to the org as started: records, custom fields, recorded calls (so credits), faults and validation rules,
	 * latency, the token mint history, the authorization code and a revoked refresh token (usable again). Access
	 * tokens stay as they are (valid ones stay valid).
	 */
	reset(): void {
		this.store.clear();
		this.modules = buildModules(this.options);
		this.calls = [];
		this.clearFaults();
		this.latencyMs = 0;
		this.mintLog.clear();
		this.grantCodeUsed = false;
		this.revokedRefreshTokens.clear();
		this.peakCalls = this.activeCalls;
		this.rejectedForConcurrency = 0;
	}

	// ------------------------------------------------------------------------------------------------------ dispatch

	private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const raw = await readBody(request);
		const url = new URL(request.url ?? '/', 'http://127.0.0.1');
		const query = Object.fromEntries(url.searchParams);
		const method = (request.method ?? 'GET').toUpperCase();
		const call: RecordedCall = { method, path: url.pathname, query, body: undefined, status: 0, credits: 0, at: Date.now() };
		call.body = this.describeBody(request, raw);
		this.calls.push(call);

		const fault = this.takeFault(method, url.pathname);
		if (fault && !fault.afterProcessing && (fault.drop || fault.status)) {
			await sleep(fault.latencyMs ?? 0, this.timers);
			this.finish(response, call, this.faultAnswer(fault), fault);
			return;
		}

		let answer: Answer;
		if (url.pathname === '/oauth/v2/token' || url.pathname === '/oauth/v2/token/revoke') {
			await sleep(fault?.latencyMs ?? 0, this.timers);
			answer = this.tokenEndpoint(request, method, url.pathname, query, raw);
		} else if (url.pathname.startsWith('/crm/')) {
			answer = await this.api(request, call, method, this.v8Path(url.pathname), query, raw, fault?.latencyMs ?? 0);
		} else {
			answer = errorAnswer(404, 'INVALID_URL_PATTERN');
		}
		this.finish(response, call, fault?.afterProcessing ? this.faultAnswer(fault) : answer, fault?.afterProcessing ? fault : undefined);
	}

	/** `/crm/v2/…` → `/crm/v8/…` for the versions in `aliasApiVersions`. */
	private v8Path(path: string): string {
		const version = /^\/crm\/(v[0-9.]+)\//.exec(path)?.[1];
		return version && this.options.aliasApiVersions.includes(version) ? path.replace(`/crm/${version}/`, API_PREFIX) : path;
	}

	private finish(response: ServerResponse, call: RecordedCall, answer: Answer | 'drop', fault?: ZohoFault) {
		if (answer === 'drop' || fault?.drop) {
			call.status = 0;
			response.socket?.destroy();
			return;
		}
		call.status = answer.status;
		send(response, answer);
	}

	private describeBody(request: IncomingMessage, raw: Buffer): unknown {
		if (raw.length === 0) return undefined;
		const text = raw.toString('utf8');
		try {
			return JSON.parse(text);
		} catch {
			const form = parseFormBody(request.headers['content-type'], raw);
			return Object.keys(form).length > 0 ? form : text;
		}
	}

	private takeFault(method: string, path: string): ZohoFault | undefined {
		const target = `${method} ${path}`;
		const fault = this.faults.find((candidate) => {
			if (candidate.times <= 0) return false;
			if (candidate.match === undefined) return path.startsWith('/crm/');
			return typeof candidate.match === 'string' ? target.includes(candidate.match) : candidate.match.test(target);
		});
		if (fault) fault.times -= 1;
		this.faults = this.faults.filter((candidate) => candidate.times > 0);
		return fault;
	}

	private faultAnswer(fault: ZohoFault): Answer | 'drop' {
		if (fault.drop) return 'drop';
		const status = fault.status ?? 500;
		const code =
			fault.code ?? (status === 429 ? 'TOO_MANY_REQUESTS' : status === 401 ? 'INVALID_TOKEN' : status >= 500 ? 'INTERNAL_ERROR' : 'INVALID_DATA');
		const answer = errorAnswer(status, code);
		// Zoho documents no Retry-After (reference §5.1); only an injected fault sends one.
		if (fault.retryAfter !== undefined) answer.headers = { 'Retry-After': String(fault.retryAfter) };
		return answer;
	}

	// --------------------------------------------------------------------------------------------------- OAuth token

	private mint(refreshToken: string, scopes: string[]): string {
		const now = Date.now();
		const token = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
		this.tokens.set(token, {
			refreshToken,
			scopes: [...scopes],
			issuedAt: now,
			expiresAt: now + this.options.accessTokenTtlSeconds * 1000,
			valid: true,
		});
		const active = [...this.tokens.values()]
			.filter((issued) => issued.refreshToken === refreshToken && issued.valid && issued.expiresAt > now)
			.sort((a, b) => a.issuedAt - b.issuedAt);
		for (const dropped of active.slice(0, Math.max(0, active.length - MAX_ACTIVE_TOKENS))) dropped.valid = false;
		return token;
	}

	/**
	 * `POST {accounts}/oauth/v2/token`. Parameters may come as a query string or a form body, client credentials also
	 * as HTTP Basic (access-token-expiry page). Errors are JSON `error` keys with HTTP 200 (Kaizen #43: "The status
	 * code for the requests made after exceeding the allowed limit remains 200"; invalid_code observed with 200).
	 */
	private tokenEndpoint(request: IncomingMessage, method: string, path: string, query: Record<string, string>, raw: Buffer): Answer {
		const params: Record<string, string> = { ...query, ...parseFormBody(request.headers['content-type'], raw) };
		if (path === '/oauth/v2/token/revoke') {
			// POST /oauth/v2/token/revoke?token={refresh_token}
			if (method !== 'POST') return { status: 200, body: { error: 'invalid_request' } };
			if (params.token === this.refreshToken) this.revokeRefreshToken();
			return { status: 200, body: { status: 'success' } };
		}
		if (method !== 'POST') return { status: 200, body: { error: 'invalid_request' } };
		const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '');
		if (basic) {
			const [id, ...secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
			params.client_id ??= decodeURIComponent(id);
			params.client_secret ??= decodeURIComponent(secret.join(':'));
		}
		// wrong client id/secret (or wrong data center's accounts server) → invalid_client (Zoho Bookings refresh doc)
		if (params.client_id !== this.clientId || params.client_secret !== this.clientSecret) {
			return { status: 200, body: { error: 'invalid_client' } };
		}
		const now = Date.now();
		const granted = () => ({
			scope: this.mintScopes.join(' '),
			api_domain: this.url,
			token_type: 'Bearer',
			expires_in: this.options.accessTokenTtlSeconds,
		});
		if (params.grant_type === 'authorization_code') {
			// Grant tokens are one-time use (CRM Token Validity).
			if (params.code !== 'test-code' || this.grantCodeUsed) return { status: 200, body: { error: 'invalid_code' } };
			this.grantCodeUsed = true;
			this.revokedRefreshTokens.delete(this.refreshToken);
			const accessToken = this.mint(this.refreshToken, this.mintScopes);
			return { status: 200, body: { access_token: accessToken, refresh_token: this.refreshToken, ...granted() } };
		}
		if (params.grant_type !== 'refresh_token') return { status: 200, body: { error: 'unsupported_grant_type' } };
		if (params.refresh_token !== this.refreshToken || this.revokedRefreshTokens.has(params.refresh_token)) {
			return { status: 200, body: { error: 'invalid_code' } };
		}
		const recent = (this.mintLog.get(params.refresh_token) ?? []).filter((at) => now - at < TOKEN_WINDOW_MS);
		if (recent.length >= TOKENS_PER_WINDOW) {
			this.mintLog.set(params.refresh_token, recent);
			// https://zoho.com/crm/developer/docs/api/v4/token-validity.html
			return {
				status: 200,
				body: {
					error_description: 'You have made too many requests continuously. Please try again after some time.',
					error: 'Access Denied',
					status: 'failure',
				},
			};
		}
		recent.push(now);
		this.mintLog.set(params.refresh_token, recent);
		return { status: 200, body: { access_token: this.mint(params.refresh_token, this.mintScopes), ...granted() } };
	}

	// ----------------------------------------------------------------------------------------------------------- API

	private async api(
		request: IncomingMessage,
		call: RecordedCall,
		method: string,
		path: string,
		query: Record<string, string>,
		raw: Buffer,
		faultLatencyMs: number,
	): Promise<Answer> {
		// `Authorization: Zoho-oauthtoken {token}` (every v8 page). The standard `Bearer` scheme is accepted too:
		// n8n's own Zoho CRM node signs requests through n8n's OAuth2 helper with `Bearer` and works against Zoho.
		const header = /^(Zoho-oauthtoken|Bearer)\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
		if (!header) return errorAnswer(401, 'AUTHENTICATION_FAILURE');
		const token = this.tokens.get(header[2]);
		if (!token || !token.valid || token.expiresAt <= Date.now()) return errorAnswer(401, 'INVALID_TOKEN');

		// Concurrency per user per app: Standard 10; excess → 429 TOO_MANY_REQUESTS (Kaizen #35, #203). A composite
		// call takes `compositeConcurrencySlots` (zoho/composite.ts).
		const slots = path === `${API_PREFIX}__composite_requests` ? this.options.compositeConcurrencySlots : 1;
		if (this.activeCalls + slots > this.options.concurrencyLimit) {
			this.rejectedForConcurrency++;
			return errorAnswer(429, 'TOO_MANY_REQUESTS');
		}
		// Credits exhausted for the rolling 24 h → 429 TOO_MANY_REQUESTS, no Retry-After documented (API limits page).
		if (this.creditsUsed() >= this.options.creditAllowance) return errorAnswer(429, 'TOO_MANY_REQUESTS');
		// Complex calls share 10 slots in every edition; exceeding it answers TOO_MANY_REQUESTS (Kaizen #203).
		const heavy = isHeavyCall(method, path, raw);
		if (heavy && this.activeHeavyCalls >= HEAVY_CALL_LIMIT) return errorAnswer(429, 'TOO_MANY_REQUESTS');

		this.activeCalls += slots;
		if (heavy) this.activeHeavyCalls++;
		this.peakCalls = Math.max(this.peakCalls, this.activeCalls);
		try {
			let paused = false;
			const context: RequestContext = {
				call,
				token,
				credits: 1,
				pause: async () => {
					if (paused) return;
					paused = true;
					await sleep(this.latencyMs + faultLatencyMs, this.timers);
				},
			};
			const answer = await this.route(context, method, path, query, raw);
			await context.pause();
			// Rejected calls (auth, scope, concurrency) cost nothing; everything that reached a handler costs credits.
			if (context.credits > 0) {
				call.credits = context.credits;
				const used = this.creditsUsed();
				// "X-API-CREDITS-REMAINING appears once usage reaches ≥ 50% of the allowance" (v8 API limits, reference §5.1)
				if (used >= this.options.creditAllowance / 2) {
					answer.headers = { ...(answer.headers ?? {}), 'X-API-CREDITS-REMAINING': String(Math.max(0, this.options.creditAllowance - used)) };
				}
			}
			return answer;
		} finally {
			this.activeCalls -= slots;
			if (heavy) this.activeHeavyCalls--;
		}
	}

	private async route(context: RequestContext, method: string, path: string, query: Record<string, string>, raw: Buffer): Promise<Answer> {
		context.credits = 0;
		if (!path.startsWith(API_PREFIX)) return errorAnswer(404, 'INVALID_URL_PATTERN');
		const segments = path.slice(API_PREFIX.length).split('/').filter((segment) => segment !== '').map(decodeURIComponent);
		const resolved = this.resolveRoute(segments);
		if (typeof resolved.status === 'number') return resolved as Answer;
		const route = (resolved as Record<string, Route>)[method];
		if (!route) return errorAnswer(400, 'INVALID_REQUEST_METHOD');
		const missing = route.scopes.find((options) => !options.some((scope) => this.hasScope(context.token, scope)));
		if (missing) return errorAnswer(401, 'OAUTH_SCOPE_MISMATCH');
		context.credits = 1;
		let body: unknown;
		if (route.jsonBody) {
			try {
				body = JSON.parse(raw.toString('utf8'));
			} catch {
				return errorAnswer(400, 'INVALID_DATA', {}, 'body is not a valid JSON');
			}
		}
		return route.handler(context, body, query);
	}

	/** Scope strings compared case-insensitively ("modules.contacts" vs OAS "modules.Contacts", reference §2.5). */
	private hasScope(token: IssuedToken, scope: string): boolean {
		const wanted = scope.toLowerCase();
		return token.scopes.some((granted) => granted.toLowerCase() === wanted);
	}

	private moduleScope(module: ModuleDef, operations: string[]) {
		return scopeOptions('modules', module.scopeName, operations);
	}

	private resolveRoute(segments: string[]): Record<string, Route> | Answer {
		const [first, second, third] = segments;
		const route = (handler: Handler, scopes: string[][], jsonBody = false): Route => ({ handler, scopes, jsonBody });
		if (segments.length === 1 && first === '__composite_requests') {
			// "ZohoCRM.composite_requests.CUSTOM (and) Scope of the subrequest" (v8 Composite API page)
			return { POST: route((context, body) => this.composite(context, body), [['ZohoCRM.composite_requests.CUSTOM']], true) };
		}
		if (segments.length === 1 && first === 'coql') {
			// ZohoCRM.coql.READ, plus module READ (checked after parsing) and settings.fields.READ: "Without this scope,
			// the system will throw an OAUTH_SCOPE_MISMATCH error" (v7 COQL page).
			return { POST: route((context, body) => this.coql(context, body), [['ZohoCRM.coql.READ', 'ZohoCRM.coql.ALL'], settingsScopes('fields', ['READ'])], true) };
		}
		if (first === 'settings' && segments.length === 2) {
			if (second === 'fields') {
				return {
					GET: route((_context, _body, query) => this.getFields(query), [settingsScopes('fields', ['READ'])]),
					POST: route((_context, body, query) => this.createFields(body, query), [settingsScopes('fields', ['CREATE'])], true),
				};
			}
			if (second === 'layouts') return { GET: route((_context, _body, query) => this.getLayouts(query), [settingsScopes('layouts', ['READ'])]) };
			if (second === 'pipeline') return { GET: route((_context, _body, query) => this.getPipelines(query), [settingsScopes('pipeline', ['READ'])]) };
			return errorAnswer(404, 'INVALID_URL_PATTERN');
		}
		if (first === 'users' && segments.length === 1) return { GET: route(() => this.getUsers(), [scopeOptions('users', undefined, ['READ'])]) };
		if (first === 'org' && segments.length === 1) return { GET: route(() => this.getOrg(), [scopeOptions('org', undefined, ['READ'])]) };
		if (first === 'org' && second === 'taxes' && segments.length === 2) {
			// GET /org/taxes (the official SDK 8.0 TaxesOperations.getTaxes path); scope ZohoCRM.org.READ or settings.taxes
			return { GET: route(() => this.getTaxes(), [[...scopeOptions('org', undefined, ['READ']), ...settingsScopes('taxes', ['READ'])]]) };
		}
		if (first === 'org' && second === 'currencies' && segments.length === 2) {
			return { GET: route(() => this.getCurrencies(), [settingsScopes('currencies', ['READ'])]) };
		}
		if (!first || segments.length > 2) return errorAnswer(404, 'INVALID_URL_PATTERN');
		// Module API names in paths are matched case-insensitively: n8n's built-in Zoho CRM node calls `/contacts/upsert`
		// and `/deals` and works against Zoho.
		const module = this.modules.get(first) ?? [...this.modules.values()].find((candidate) => candidate.apiName.toLowerCase() === first.toLowerCase());
		// Only the five modules the connector uses exist here; anything else (Leads, Quotes, typos) → INVALID_MODULE.
		if (!module || module.isSubform) return errorAnswer(400, 'INVALID_MODULE');
		const read = this.moduleScope(module, ['READ']);
		if (segments.length === 1) {
			return {
				GET: route((_context, _body, query) => this.listRecords(module, query), [read]),
				POST: route((context, body) => this.write(context, 'insert', module, body), [this.moduleScope(module, ['CREATE', 'WRITE'])], true),
				// Update accepts ALL / WRITE / UPDATE (v7 Update Records page)
				PUT: route((context, body) => this.write(context, 'update', module, body), [this.moduleScope(module, ['UPDATE', 'WRITE'])], true),
			};
		}
		if (second === 'upsert') {
			// Upsert accepts ALL / WRITE / CREATE (v7 Upsert Records page)
			return { POST: route((context, body) => this.write(context, 'upsert', module, body), [this.moduleScope(module, ['CREATE', 'WRITE'])], true) };
		}
		if (second === 'search') {
			// Search also needs ZohoSearch.securesearch.READ (v7 Search Records: OAUTH_SCOPE_MISMATCH otherwise)
			return {
				GET: route((_context, _body, query) => this.search(module, query), [read, ['ZohoSearch.securesearch.READ', 'ZohoSearch.securesearch.ALL']]),
			};
		}
		if (third === undefined && /^\d+$/.test(second)) {
			return {
				GET: route(() => this.getRecord(module, second), [read]),
				PUT: route((context, body) => this.write(context, 'update', module, body, second), [this.moduleScope(module, ['UPDATE', 'WRITE'])], true),
			};
		}
		return errorAnswer(404, 'INVALID_URL_PATTERN');
	}

	// ----------------------------------------------------------------------------------------------------- composite

	/** `POST /__composite_requests` (rules and sources in zoho/composite.ts). Sub-requests cost no credits of their own. */
	private async composite(context: RequestContext, body: unknown): Promise<Answer> {
		const journal: JournalEntry[] = [];
		const answer = await runComposite(body, {
			run: async (sub) => {
				const raw = sub.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(sub.body));
				return await this.route({ ...context, credits: 0, journal }, sub.method, sub.path, sub.query, raw);
			},
			rollback: () => {
				for (const entry of journal.reverse()) {
					if ('created' in entry) this.store.remove(entry.module, entry.created);
					else {
						entry.updated.data = entry.before;
						entry.updated.versions.pop();
					}
				}
			},
		});
		context.credits = compositeCredits(body);
		return answer;
	}

	// -------------------------------------------------------------------------------------------------------- writes

	/**
	 * Insert (`POST /{Module}`), upsert (`POST /{Module}/upsert`) and update (`PUT /{Module}`, `PUT /{Module}/{id}`).
	 * Each record is validated alone and answered in input order. Then, for realism under concurrency, the duplicate
	 * lookup happens before the latency and the write after it: two concurrent upserts of one key can both decide
	 * "insert"; the unique-field check at write time makes the second fail with DUPLICATE_DATA, while a non-unique
	 * duplicate-check field (Contacts Email) lets both insert — Zoho documents neither, so the emulator takes the
	 * pessimistic reading (reference §3.3, §9.1). Records of one batch behave the same way: a key repeated within a
	 * batch is not merged, so the connector must not send one key twice in a batch.
	 */
	private async write(context: RequestContext, kind: WriteKind, module: ModuleDef, body: unknown, pathId?: string): Promise<Answer> {
		if (!isPlainObject(body)) return errorAnswer(400, 'INVALID_DATA', { expected_data_type: 'jsonobject', json_path: '$' });
		for (const key of Object.keys(body)) {
			if (!WRITE_KEYS[kind].includes(key)) return errorAnswer(400, 'INVALID_DATA', { api_name: key, json_path: `$.${key}` });
		}
		const data = body.data;
		if (data === undefined) return errorAnswer(400, 'MANDATORY_NOT_FOUND', { api_name: 'data', json_path: '$.data' });
		if (!Array.isArray(data)) return errorAnswer(400, 'INVALID_DATA', { api_name: 'data', json_path: '$.data', expected_data_type: 'jsonarray' });
		// "You can insert up to 100 records in a single API call" (v8 Insert Records); one record for PUT /{Module}/{id}
		const limit = pathId ? 1 : 100;
		if (data.length === 0 || data.length > limit) return errorAnswer(400, 'LIMIT_EXCEEDED', { api_name: 'data', json_path: '$.data', limit });
		// Insert/Update/Upsert cost 1 credit per 10 records (API limits page: "100 records → 10 credits")
		context.credits = Math.ceil(data.length / 10);
		if (body.trigger !== undefined) {
			if (!Array.isArray(body.trigger)) return errorAnswer(400, 'INVALID_DATA', { api_name: 'trigger', json_path: '$.trigger', expected_data_type: 'jsonarray' });
			const badTrigger = body.trigger.findIndex((trigger) => typeof trigger !== 'string' || !TRIGGERS.has(trigger));
			if (badTrigger >= 0) return errorAnswer(400, 'INVALID_DATA', { api_name: 'trigger', json_path: `$.trigger[${badTrigger}]` });
		}
		let duplicateFields: string[] = [];
		if (kind === 'upsert') {
			const fields = this.duplicateCheckFields(module, body.duplicate_check_fields);
			if ('status' in fields) return fields;
			duplicateFields = fields.list;
		}

		type Plan =
			| { issue: RecordIssue }
			| { action: 'insert'; input: Record<string, unknown>; path: string }
			| { action: 'update'; input: Record<string, unknown>; path: string; target: StoredRecord; duplicateField: string | null };
		const env = {
			modules: this.modules,
			recordExists: (name: string, id: string) => this.store.get(name, id) !== undefined,
			taxes: this.orgTaxes(),
		};
		const plans: Plan[] = data.map((input: unknown, index: number): Plan => {
			const path = `$.data[${index}]`;
			if (!isPlainObject(input)) return { issue: invalidData('data', path, { expected_data_type: 'jsonobject' }) };
			let target: StoredRecord | undefined;
			if (kind === 'update') {
				const id = pathId ?? input.id;
				if (id === undefined) return { issue: mandatoryNotFound('id', `${path}.id`) };
				if (pathId && input.id !== undefined && input.id !== pathId) return { issue: invalidData('id', `${path}.id`) };
				target = typeof id === 'string' ? this.store.get(module.apiName, id) : undefined;
				// "the id given seems to be invalid" (v7 Update Records)
				if (!target) return { issue: { code: 'INVALID_DATA', message: 'the id given seems to be invalid', details: { id } } };
			}
			const fieldIssue = validateFields(module, input, path, env, kind === 'update');
			if (fieldIssue) return { issue: fieldIssue };
			let duplicateField: string | null = null;
			if (kind === 'upsert') {
				for (const field of duplicateFields) {
					target = this.store.findByValue(module.apiName, field, input[field]);
					if (target) {
						duplicateField = field;
						break;
					}
				}
			}
			const mandatoryIssue = checkMandatory(module, input, path, !target);
			if (mandatoryIssue) return { issue: mandatoryIssue };
			const rowIssue = this.store.checkRowIds(module, input, path, target);
			if (rowIssue) return { issue: rowIssue };
			for (const rule of this.rules) {
				const ruleIssue = rule(module.apiName, input);
				if (ruleIssue) return { issue: ruleIssue };
			}
			return target ? { action: 'update', input, path, target, duplicateField } : { action: 'insert', input, path };
		});

		await context.pause();

		const results = plans.map((plan) => {
			if ('issue' in plan) return { ...plan.issue, status: 'error' };
			const duplicate = this.uniqueConflict(module, plan.input, plan.path, plan.action === 'update' ? plan.target.data.id : undefined);
			if (duplicate) return { ...duplicate, status: 'error' };
			const now = Date.now();
			if (plan.action === 'update') context.journal?.push({ module: module.apiName, updated: plan.target, before: structuredClone(plan.target.data) });
			const stored = plan.action === 'update' ? plan.target : this.store.create(module, plan.input, now);
			if (plan.action === 'update') this.store.update(module, plan.target, plan.input, now);
			else context.journal?.push({ module: module.apiName, created: stored.data.id });
			const details = {
				Modified_Time: stored.data.Modified_Time,
				Modified_By: stored.data.Modified_By,
				Created_Time: stored.data.Created_Time,
				id: stored.data.id,
				Created_By: stored.data.Created_By,
				$approval_state: 'approved',
			};
			const message = plan.action === 'update' ? 'record updated' : 'record added';
			if (kind !== 'upsert') return { code: 'SUCCESS', details, message, status: 'success' };
			// Upsert items carry `action` and `duplicate_field` (OAS record.json Success_Response; v7 Upsert sample)
			return {
				code: 'SUCCESS',
				duplicate_field: plan.action === 'update' ? plan.duplicateField : null,
				action: plan.action,
				details,
				message,
				status: 'success',
			};
		});
		const succeeded = results.filter((result) => result.status === 'success');
		// 201 record added, 207 partial success (v8 Status Codes); per-record validation errors are HTTP 400 (v7 pages).
		// Status for an all-failed batch and for mixed insert/update upserts is unconfirmed (reference §9.2).
		let status = 200;
		if (succeeded.length === 0) status = 400;
		else if (succeeded.length < results.length) status = 207;
		else if (succeeded.every((result) => (result as { message: string }).message === 'record added')) status = 201;
		return { status, body: { data: results } };
	}

	/**
	 * duplicate_check_fields may hold only the module's system duplicate-check field and user-defined unique fields;
	 * without it the order is system field, then unique fields (v7 Upsert Records, "How does the duplicate check
	 * work?"; Kaizen #56).
	 */
	private duplicateCheckFields(module: ModuleDef, requested: unknown): { list: string[] } | Answer {
		const allowed = [module.duplicateCheckField, ...module.fields.filter((field) => field.unique).map((field) => field.apiName)].filter(
			(name): name is string => Boolean(name),
		);
		if (requested === undefined) return { list: allowed };
		if (!Array.isArray(requested) || requested.length === 0) {
			return errorAnswer(400, 'INVALID_DATA', { api_name: 'duplicate_check_fields', json_path: '$.duplicate_check_fields', expected_data_type: 'jsonarray' });
		}
		for (let index = 0; index < requested.length; index++) {
			const name = requested[index];
			if (typeof name !== 'string' || !allowed.includes(name)) {
				return errorAnswer(400, 'INVALID_DATA', { api_name: String(name), json_path: `$.duplicate_check_fields[${index}]` });
			}
		}
		return { list: requested as string[] };
	}

	/**
	 * "Duplicates are checked for every insert record API call based on unique fields" (v7 Insert Records). The
	 * existing record is named in `duplicate_record` ("the 'module' JSON object gives the API name and ID of the
	 * existing record"; exact key shape unconfirmed, reference §4).
	 */
	private uniqueConflict(module: ModuleDef, input: Record<string, unknown>, path: string, selfId?: string): RecordIssue | undefined {
		for (const field of module.fields) {
			if (!field.unique || input[field.apiName] === undefined) continue;
			const existing = this.store.findByValue(module.apiName, field.apiName, input[field.apiName], selfId);
			if (existing) {
				return {
					code: 'DUPLICATE_DATA',
					message: 'duplicate data',
					details: {
						api_name: field.apiName,
						json_path: `${path}.${field.apiName}`,
						duplicate_record: { id: existing.data.id, module: { api_name: module.apiName, id: module.id } },
					},
				};
			}
		}
		return undefined;
	}

	// --------------------------------------------------------------------------------------------------------- reads

	/**
	 * GET /{Module}/{id}: an unknown id answers 204 No Content (the v8 Status Codes page's 204; the official SDK
	 * treats [204, 304] as "no object"). Unconfirmed whether Zoho answers INVALID_DATA instead for some ids.
	 */
	private getRecord(module: ModuleDef, id: string): Answer {
		const stored = this.store.get(module.apiName, id);
		if (!stored) return { status: 204 };
		return { status: 200, body: { data: [structuredClone(stored.data)] } };
	}

	/** GET /{Module}: `fields` is mandatory in v8 (max 50), page/per_page ≤ 200 (v7 Get Records). 204 when empty. */
	private listRecords(module: ModuleDef, query: Record<string, string>): Answer {
		if (!query.fields) return errorAnswer(400, 'REQUIRED_PARAM_MISSING', { param: 'fields' });
		const fields = query.fields.split(',').map((name) => name.trim());
		if (fields.length > 50) return errorAnswer(400, 'LIMIT_EXCEEDED', { param: 'fields', limit: 50 });
		const unknown = fields.find((name) => !findField(module, name));
		if (unknown) return errorAnswer(400, 'INVALID_DATA', { param: 'fields', api_name: unknown });
		return this.page(this.store.list(module.apiName).map((stored) => stored.data), query, fields);
	}

	private page(records: EmulatedRecord[], query: Record<string, string>, fields?: string[]): Answer {
		const page = Number(query.page ?? 1);
		const perPage = Number(query.per_page ?? 200);
		if (!Number.isInteger(page) || page < 1) return errorAnswer(400, 'INVALID_DATA', { param: 'page' });
		if (!Number.isInteger(perPage) || perPage < 1 || perPage > 200) return errorAnswer(400, 'INVALID_DATA', { param: 'per_page', maximum: 200 });
		// at most 2000 records without page_token (v7 Get Records / Search Records)
		if (page * perPage > 2000) return errorAnswer(400, 'LIMIT_REACHED', { limit: 2000 });
		const slice = records.slice((page - 1) * perPage, page * perPage);
		if (slice.length === 0) return { status: 204 };
		const data = slice.map((record) =>
			fields ? Object.fromEntries([['id', record.id], ...fields.map((name) => [name, structuredClone(record[name] ?? null)])]) : structuredClone(record),
		);
		return {
			status: 200,
			body: { data, info: { per_page: perPage, count: data.length, page, more_records: records.length > page * perPage } },
		};
	}

	/**
	 * GET /{Module}/search (v7 Search Records): one of criteria > email > phone > word; `equals` behaves like contains;
	 * no match → HTTP 204 with no body; "When you create or edit a record, and search for it immediately, you may face
	 * the 204 NO CONTENT error due to a delay in indexing" — emulated by `searchIndexDelayMs`, which matches each record
	 * by its newest version older than the delay.
	 */
	private search(module: ModuleDef, query: Record<string, string>): Answer {
		let matcher: (read: (field: string) => unknown) => boolean;
		if (query.criteria !== undefined) {
			let criteria;
			try {
				criteria = parseSearchCriteria(query.criteria);
			} catch (error) {
				if (error instanceof QueryError) return errorAnswer(400, error.code, error.details, error.message);
				throw error;
			}
			const unknown = searchFields(criteria).find((name) => !findField(module, name) || findField(module, name)?.type === 'subform');
			if (unknown) return errorAnswer(400, 'INVALID_QUERY', { api_name: unknown, reason: 'invalid field' }, 'invalid query formed');
			matcher = (read) => evaluateSearch(criteria, read);
		} else {
			const [param, value] = (['email', 'phone', 'word'] as const).map((name) => [name, query[name]] as const).find(([, given]) => given !== undefined) ?? [];
			if (!param || value === undefined) return errorAnswer(400, 'EXPECTED_PARAM_MISSING', { param_name: 'criteria|email|phone|word' });
			if (value.trim().length < 2) return errorAnswer(400, 'INVALID_DATA', { param_name: param }, 'the search value should contain at least two characters');
			const ofType = (types: string[]) => module.fields.filter((field) => types.includes(field.type)).map((field) => field.apiName);
			const needle = value.trim().toLowerCase();
			if (param === 'email') {
				// "All the email fields of a particular module will be searched"
				const emailFields = ofType(['email']);
				matcher = (read) => emailFields.some((field) => String(read(field) ?? '').toLowerCase() === needle);
			} else if (param === 'phone') {
				const digits = needle.replace(/\D/g, '');
				const phoneFields = ofType(['phone']);
				matcher = (read) => digits !== '' && phoneFields.some((field) => String(read(field) ?? '').replace(/\D/g, '').includes(digits));
			} else {
				const textFields = ofType(['text', 'email', 'phone', 'textarea', 'picklist']);
				matcher = (read) => textFields.some((field) => String(read(field) ?? '').toLowerCase().includes(needle));
			}
		}
		const visibleBefore = Date.now() - this.options.searchIndexDelayMs;
		const found = this.store.list(module.apiName).filter((stored) => {
			const indexed = [...stored.versions].reverse().find((version) => version.at <= visibleBefore);
			if (!indexed) return false;
			return matcher((field) => indexed.data[field]);
		});
		return this.page(
			found.map((stored) => stored.data),
			query,
			query.fields ? query.fields.split(',').map((name) => name.trim()) : undefined,
		);
	}

	/**
	 * POST /coql {select_query}. No rows: answered 204 with no body — whether Zoho answers 204 or 200 with empty data is
	 * unconfirmed (reference §3.5, §9.10); the connector must handle both. Credits: 1 up to limit 200, 2 up to 1000, 3
	 * up to 2000 (v8 API limits as quoted by digests, reference §5.1).
	 */
	private coql(context: RequestContext, body: unknown): Answer {
		if (!isPlainObject(body)) return errorAnswer(400, 'INVALID_DATA', { expected_data_type: 'jsonobject', json_path: '$' });
		for (const key of Object.keys(body)) {
			if (key !== 'select_query' && key !== 'include_meta') return errorAnswer(400, 'INVALID_DATA', { api_name: key, json_path: `$.${key}` });
		}
		if (body.select_query === undefined) return errorAnswer(400, 'MANDATORY_NOT_FOUND', { api_name: 'select_query', json_path: '$.select_query' });
		if (typeof body.select_query !== 'string') {
			return errorAnswer(400, 'INVALID_DATA', { api_name: 'select_query', json_path: '$.select_query', expected_data_type: 'string' });
		}
		let parsed;
		try {
			parsed = parseCoql(body.select_query);
		} catch (error) {
			if (error instanceof QueryError) return errorAnswer(400, error.code, error.details, error.message);
			throw error;
		}
		const module = [...this.modules.values()].find((candidate) => !candidate.isSubform && candidate.apiName.toLowerCase() === parsed.module.toLowerCase());
		if (!module) return errorAnswer(400, 'INVALID_QUERY', { clause: 'from', module: parsed.module }, 'invalid module');
		if (!this.moduleScope(module, ['READ']).some((scope) => this.hasScope(context.token, scope))) {
			context.credits = 0;
			return errorAnswer(401, 'OAUTH_SCOPE_MISMATCH');
		}
		const columns: Array<[string, string[]]> = [
			['select', parsed.fields],
			['where', conditionFields(parsed.where)],
			['order by', parsed.orderBy.map((order) => order.field)],
		];
		for (const [clause, names] of columns) {
			for (const name of names) {
				const problem = this.checkColumn(module, name);
				if (problem) return errorAnswer(400, problem.code, { clause, column_name: name }, problem.message);
			}
		}
		context.credits = parsed.limit <= 200 ? 1 : parsed.limit <= 1000 ? 2 : 3;
		const rows = this.store
			.list(module.apiName)
			.map((stored) => stored.data)
			.filter((record) => evaluateCondition(parsed.where as Condition, (name) => this.readColumn(module, record, name)));
		for (const order of [...parsed.orderBy].reverse()) {
			rows.sort((a, b) => {
				const left = this.readColumn(module, a, order.field);
				const right = this.readColumn(module, b, order.field);
				const comparison = String(left ?? '').localeCompare(String(right ?? ''), undefined, { numeric: true });
				return order.descending ? -comparison : comparison;
			});
		}
		const page = rows.slice(parsed.offset, parsed.offset + parsed.limit);
		if (page.length === 0) return { status: 204 };
		const data = page.map((record) => {
			const row: Record<string, unknown> = {};
			for (const name of parsed.fields) row[name] = structuredClone(this.readColumn(module, record, name, true) ?? null);
			row.id = record.id;
			return row;
		});
		return { status: 200, body: { data, info: { count: data.length, more_records: rows.length > parsed.offset + parsed.limit } } };
	}

	/** A COQL column: a field, or a lookup chain `Account_Name.Account_Name` (at most two joins, v7 COQL). */
	private checkColumn(module: ModuleDef, name: string): { code: string; message: string } | undefined {
		const parts = name.split('.');
		if (parts.length > 3) return { code: 'LIMIT_EXCEEDED', message: 'the query has more than two joins' };
		let current: ModuleDef | undefined = module;
		for (let index = 0; index < parts.length; index++) {
			const field = current ? findField(current, parts[index]) : undefined;
			if (!field || field.type === 'subform' || field.type === 'layout') return { code: 'INVALID_QUERY', message: 'invalid column name' };
			if (index < parts.length - 1) {
				if (field.type !== 'lookup') return { code: 'INVALID_QUERY', message: 'invalid column name' };
				current = this.modules.get(field.lookupModule as string);
			}
		}
		return undefined;
	}

	private readColumn(module: ModuleDef, record: Record<string, unknown>, name: string, forOutput = false): unknown {
		const parts = name.split('.');
		let current: Record<string, unknown> | undefined = record;
		let currentModule: ModuleDef | undefined = module;
		for (let index = 0; index < parts.length; index++) {
			if (!current || !currentModule) return null;
			const value: unknown = current[parts[index]];
			if (index === parts.length - 1) {
				// lookups come back as {name, id} from v7 on (v7 COQL "Sample query to fetch lookup fields")
				if (forOutput && isPlainObject(value)) return { name: value.name, id: value.id };
				return value;
			}
			const field = findField(currentModule, parts[index]);
			const lookupId: string | undefined = isPlainObject(value) ? (value.id as string) : undefined;
			currentModule = field?.lookupModule ? this.modules.get(field.lookupModule) : undefined;
			current = lookupId && currentModule ? this.store.get(currentModule.apiName, lookupId)?.data : undefined;
		}
		return null;
	}

	// ----------------------------------------------------------------------------------------------------- settings

	private moduleParam(query: Record<string, string>, allowSubform: boolean): ModuleDef | Answer {
		if (!query.module) return errorAnswer(400, 'REQUIRED_PARAM_MISSING', { param_name: 'module' });
		const module = this.modules.get(query.module);
		if (!module || (module.isSubform && !allowSubform)) return errorAnswer(400, 'INVALID_MODULE', { param_name: 'module' });
		return module;
	}

	/** GET /settings/fields?module= (subform fields with module=Ordered_Items, as the v2 Subforms doc describes). */
	private getFields(query: Record<string, string>): Answer {
		const module = this.moduleParam(query, true);
		if ('status' in module) return module;
		return { status: 200, body: { fields: fieldMetadata(module, this.modules) } };
	}

	/**
	 * POST /settings/fields?module= (v7 Create Custom Field): `{fields: [{field_label, data_type, length, unique}]}`;
	 * "You can create a maximum of two unique fields per module in all the editions" → LIMIT_EXCEEDED; only Single
	 * Line, Email, Phone, Number, Long Integer and URL fields can be unique (Kaizen #56).
	 */
	private createFields(body: unknown, query: Record<string, string>): Answer {
		const module = this.moduleParam(query, false);
		if ('status' in module) return module;
		if (!isPlainObject(body) || !Array.isArray(body.fields) || body.fields.length === 0) {
			return errorAnswer(400, 'INVALID_DATA', { api_name: 'fields', json_path: '$.fields', expected_data_type: 'jsonarray' });
		}
		const creatable = new Set(['text', 'textarea', 'email', 'phone', 'website', 'integer', 'bigint', 'double', 'currency', 'date', 'datetime', 'boolean']);
		const uniqueCapable = new Set(['text', 'email', 'phone', 'website', 'integer', 'bigint']);
		const allowedKeys = new Set(['field_label', 'data_type', 'length', 'unique', 'api_name', 'tooltip', 'profiles', 'external', 'filterable', 'decimal_place', 'rounding_option', 'crypt', 'history_tracking']);
		const results = (body.fields as unknown[]).map((input, index) => {
			const path = `$.fields[${index}]`;
			const fail = (code: string, details: Record<string, unknown>, message?: string) => ({ ...errorBody(code, details, message) });
			if (!isPlainObject(input)) return fail('INVALID_DATA', { json_path: path, expected_data_type: 'jsonobject' });
			const unknownKey = Object.keys(input).find((key) => !allowedKeys.has(key));
			if (unknownKey) return fail('INVALID_DATA', { api_name: unknownKey, json_path: `${path}.${unknownKey}` });
			if (typeof input.field_label !== 'string' || input.field_label.trim() === '') return fail('MANDATORY_NOT_FOUND', { api_name: 'field_label', json_path: `${path}.field_label` });
			if (input.data_type === undefined) return fail('MANDATORY_NOT_FOUND', { api_name: 'data_type', json_path: `${path}.data_type` });
			if (typeof input.data_type !== 'string' || !creatable.has(input.data_type)) return fail('INVALID_DATA', { api_name: 'data_type', json_path: `${path}.data_type` });
			const maxLength = input.data_type === 'textarea' ? 32000 : 255;
			if (input.length !== undefined && (typeof input.length !== 'number' || !Number.isInteger(input.length) || input.length < 1 || input.length > maxLength)) {
				return fail('DEPENDENT_MISMATCH', { api_name: 'length', json_path: `${path}.length` }, 'The given length value seems to be invalid.');
			}
			const apiName =
				typeof input.api_name === 'string' && input.api_name !== ''
					? input.api_name
					: input.field_label.trim().replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
			if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(apiName)) return fail('INVALID_DATA', { api_name: 'api_name', json_path: `${path}.api_name` });
			if (module.fields.some((field) => field.apiName.toLowerCase() === apiName.toLowerCase() || field.label.toLowerCase() === (input.field_label as string).trim().toLowerCase())) {
				return fail('DUPLICATE_DATA', { api_name: 'field_label', json_path: `${path}.field_label` }, 'Duplicate field label');
			}
			// Custom fields per module are limited by edition (Standard: 10); Zoho answers LIMIT_EXCEEDED like for unique fields.
			const customLimit = EDITIONS[this.options.edition].customFieldsPerModule;
			if (customLimit !== null && module.fields.filter((field) => field.custom).length >= customLimit) {
				return fail('LIMIT_EXCEEDED', { api_name: 'fields', json_path: path, limit: customLimit }, 'The field has reached its maximum creation limit');
			}
			let unique = false;
			if (input.unique !== undefined) {
				// `{"case_sensitive": false}` (OAS v8 fields createFields example); Zoho's own SDK 8.0 `Unique` model sends
				// `{"casesensitive": "false"}`, accepted too since Zoho's client sends it
				const caseInsensitive =
					isPlainObject(input.unique) &&
					Object.keys(input.unique).length === 1 &&
					(input.unique.case_sensitive === false || input.unique.casesensitive === 'false');
				if (!caseInsensitive) {
					return fail('INVALID_DATA', { api_name: 'unique', json_path: `${path}.unique` });
				}
				if (!uniqueCapable.has(input.data_type)) return fail('INVALID_DATA', { api_name: 'unique', json_path: `${path}.unique` });
				if (module.fields.filter((field) => field.unique).length >= 2) {
					return fail('LIMIT_EXCEEDED', { api_name: 'unique', json_path: `${path}.unique`, limit: 2 }, 'The field has reached its maximum creation limit');
				}
				unique = true;
			}
			const id = this.store.nextId();
			module.fields.push({
				id,
				apiName,
				label: input.field_label.trim(),
				type: input.data_type as ModuleDef['fields'][number]['type'],
				length: (input.length as number | undefined) ?? (input.data_type === 'textarea' ? 32000 : input.data_type === 'text' ? 255 : undefined),
				unique,
				custom: true,
			});
			return { code: 'SUCCESS', details: { id }, message: 'field created', status: 'success' };
		});
		const succeeded = results.filter((result) => result.status === 'success').length;
		const status = succeeded === 0 ? 400 : succeeded < results.length ? 207 : 201;
		return { status, body: { fields: results } };
	}

	private getLayouts(query: Record<string, string>): Answer {
		const module = this.moduleParam(query, false);
		if ('status' in module) return module;
		return {
			status: 200,
			body: {
				layouts: [{ id: STANDARD_LAYOUT_ID, name: 'Standard', api_name: 'Standard__s', display_label: 'Standard', status: 'active', visible: true, source: 'crm' }],
			},
		};
	}

	/**
	 * GET /settings/pipeline?layout_id= (v7 Get Pipelines): 204 when the org has no pipeline. The docs call layout_id
	 * mandatory; the emulator lets it be omitted (the connector's brief) but rejects a wrong one with INVALID_DATA.
	 */
	private getPipelines(query: Record<string, string>): Answer {
		if (query.layout_id !== undefined && query.layout_id !== STANDARD_LAYOUT_ID) return errorAnswer(400, 'INVALID_DATA', { param_name: 'layout_id' }, 'The layout ID is invalid.');
		if (!this.options.pipelines) return { status: 204 };
		return {
			status: 200,
			body: {
				pipeline: [
					{
						display_value: STANDARD_PIPELINE,
						actual_value: STANDARD_PIPELINE,
						default: true,
						id: STANDARD_PIPELINE_ID,
						maps: DEAL_STAGES.map((stage, index) => ({
							display_value: stage,
							actual_value: stage,
							sequence_number: index + 1,
							id: String(4150868000000006801n + BigInt(index * 2)),
							forecast_type: stage === 'Closed Won' ? 'Closed Won' : stage.startsWith('Closed Lost') ? 'Closed Lost' : 'Open',
						})),
					},
				],
			},
		};
	}

	private getUsers(): Answer {
		return {
			status: 200,
			body: {
				users: [{ id: USER.id, full_name: USER.name, last_name: USER.name, email: USER.email, status: 'active', role: { name: 'CEO', id: '4150868000000026005' }, profile: { name: 'Administrator', id: '4150868000000026011' } }],
				info: { per_page: 200, count: 1, page: 1, more_records: false },
			},
		};
	}

	private getOrg(): Answer {
		return {
			status: 200,
			body: {
				org: [
					{
						id: ORG_ID,
						company_name: 'Emulated Store',
						primary_email: USER.email,
						iso_code: HOME_CURRENCY,
						currency_symbol: '$',
						currency: 'US Dollar - USD',
						mc_status: this.options.multiCurrency,
						time_zone: 'GMT',
						created_time: zohoTime(Date.UTC(2020, 0, 1)),
					},
				],
			},
		};
	}

	private orgTaxes(): Map<string, { name: string; value: number }> {
		return new Map(this.options.taxes.map((tax) => [tax.name.trim().toLowerCase(), { name: tax.name, value: tax.value }]));
	}

	/** GET /org/taxes: `{org_taxes: {taxes: [{id, name, display_label, value, sequence_number}], preference}}` (SDK 8.0 taxes models). */
	private getTaxes(): Answer {
		return {
			status: 200,
			body: {
				org_taxes: {
					taxes: this.options.taxes.map((tax, index) => ({
						id: String(4150868000000400001n + BigInt(index)),
						name: tax.name,
						display_label: `${tax.name} - ${tax.value} %`,
						value: tax.value,
						sequence_number: index + 1,
					})),
					preference: { auto_populate_tax: false, modify_tax_rates: this.options.taxRatesModifiable },
				},
			},
		};
	}

	private getCurrencies(): Answer {
		const codes = this.options.multiCurrency ? ORG_CURRENCIES : [HOME_CURRENCY];
		return {
			status: 200,
			body: {
				currencies: codes.map((code, index) => ({
					id: String(4150868000000300001n + BigInt(index)),
					iso_code: code,
					name: code,
					is_base: code === HOME_CURRENCY,
					is_active: true,
					exchange_rate: (EXCHANGE_RATES[code] ?? 1).toFixed(9),
				})),
			},
		};
	}
}
