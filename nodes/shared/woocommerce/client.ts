import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

/**
 * The one WooCommerce REST API v3 client of this package, used by both order triggers and by the dead-letter replay
 * (current orders): requests signed by the `wooCommerceStoreApi` credential, WooCommerce's own error text in the
 * NodeApiError, and paging.
 */

export const WOOCOMMERCE_CREDENTIAL = 'wooCommerceStoreApi';

/** The REST controllers cap `per_page` at 100 (`WC_REST_Controller::get_collection_params()`). */
export const WOOCOMMERCE_PAGE_SIZE = 100;

/**
 * A store address as a comparable key: trimmed, lower case, without trailing slashes. The credential's Store URL and
 * a delivery's `X-WC-Webhook-Source` (`home_url( '/' )`) then name the same store.
 */
export function storeKey(url: unknown): string {
	return typeof url === 'string' ? url.trim().toLowerCase().replace(/\/+$/, '') : '';
}

/** WooCommerce REST error body: `{ code, message, data: { status } }` (WP_Error as JSON). */
interface WooErrorBody {
	code: string;
	message: string;
	data?: { status?: number };
}

function isWooErrorBody(value: unknown): value is WooErrorBody {
	return (
		value !== null &&
		typeof value === 'object' &&
		typeof (value as IDataObject).code === 'string' &&
		typeof (value as IDataObject).message === 'string'
	);
}

function parseMaybeJson(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch {
		return value;
	}
}

/** Finds WooCommerce's error body and the HTTP status in whatever n8n's request helper threw. */
export function describeRequestError(error: unknown): { status?: number; body?: WooErrorBody } {
	const candidates: unknown[] = [];
	const seen = new Set<unknown>();
	const queue: unknown[] = [error];
	let status: number | undefined;
	while (queue.length > 0 && seen.size < 20) {
		const current = queue.shift();
		if (current === null || typeof current !== 'object' || seen.has(current)) continue;
		seen.add(current);
		const record = current as IDataObject;
		const response = record.response as IDataObject | undefined;
		if (status === undefined && response && typeof response.status === 'number') status = response.status;
		if (status === undefined && typeof record.httpCode === 'string' && /^\d{3}$/.test(record.httpCode)) {
			status = Number(record.httpCode);
		}
		candidates.push(parseMaybeJson(response?.data), parseMaybeJson(response?.body));
		candidates.push(parseMaybeJson((record.context as IDataObject | undefined)?.data));
		candidates.push(parseMaybeJson(record.error), parseMaybeJson(record.body));
		queue.push(record.cause, response, record.error);
	}
	const body = candidates.find(isWooErrorBody);
	if (status === undefined && body?.data && typeof body.data.status === 'number') status = body.data.status;
	return { status, body };
}

/**
 * One call to the store's REST API. WooCommerce's own error text (e.g. "Consumer secret is invalid.",
 * "Sorry, you are not allowed to create resources.") becomes the NodeApiError message.
 */
export async function wooCommerceApiRequest(
	this: IHookFunctions | IPollFunctions | IExecuteFunctions,
	method: IHttpRequestMethods,
	endpoint: string,
	options: { body?: IDataObject; qs?: IDataObject; returnFullResponse?: boolean } = {},
): Promise<any> {
	const credentials = await this.getCredentials(WOOCOMMERCE_CREDENTIAL);
	const storeUrl = String(credentials.url ?? '').trim().replace(/\/+$/, '');
	const requestOptions: IHttpRequestOptions = {
		method,
		url: `${storeUrl}/wp-json/wc/v3${endpoint}`,
		qs: options.qs ?? {},
		json: true,
		returnFullResponse: options.returnFullResponse === true,
	};
	if (options.body !== undefined) requestOptions.body = options.body;
	try {
		return await this.helpers.httpRequestWithAuthentication.call(this, WOOCOMMERCE_CREDENTIAL, requestOptions);
	} catch (error) {
		const { status, body } = describeRequestError(error);
		if (body) {
			throw new NodeApiError(this.getNode(), body as unknown as JsonObject, {
				message: body.message,
				description: `WooCommerce answered ${method} ${endpoint} with HTTP ${status ?? '?'} (${body.code})`,
				httpCode: status !== undefined ? String(status) : undefined,
			});
		}
		throw new NodeApiError(this.getNode(), error as JsonObject, {
			httpCode: status !== undefined ? String(status) : undefined,
		});
	}
}

/** One response header by name, whatever the case of the header names; a repeated header gives its first value. */
export function readHeader(headers: unknown, name: string): string | undefined {
	if (headers === null || typeof headers !== 'object') return undefined;
	for (const [key, value] of Object.entries(headers as IDataObject)) {
		if (key.toLowerCase() === name.toLowerCase()) return Array.isArray(value) ? String(value[0]) : String(value);
	}
	return undefined;
}

/**
 * Whether a list endpoint has a page after `page`: by X-WP-TotalPages when WordPress sends it, else by a full page.
 */
export function hasMorePages(headers: unknown, page: number, pageItemCount: number): boolean {
	if (pageItemCount === 0) return false;
	const totalPages = Number(readHeader(headers, 'x-wp-totalpages'));
	return Number.isFinite(totalPages) ? page < totalPages : pageItemCount === WOOCOMMERCE_PAGE_SIZE;
}
