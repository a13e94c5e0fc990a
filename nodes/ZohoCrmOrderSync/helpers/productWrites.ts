import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { asNodeError } from '../../shared/nodeError';
import { zohoCoql, zohoGetFields } from '../transport';
import type { ZohoRecordResult, ZohoSyncError } from '../types';
import { isUniqueField, updateFoundInsertRest, upsertGrouped, type WriteSettings } from './groupedWrites';
import { withKeyedLocks } from './keyedLock';
import { zohoOrgKey } from './org';
import { groupKey, localFailure } from './outcomes';

/** Product_Code is unique in this org ("Do not allow duplicate values" set in Zoho): then it can be upserted on. */
export async function productCodeIsUnique(this: IExecuteFunctions): Promise<boolean> {
	const fields = await zohoGetFields.call(this, 'Products');
	return isUniqueField(fields.find((field) => field.api_name === 'Product_Code'));
}

/** Codes COQL can compare safely inside quotes. */
const SAFE_CODE = /^[^'\\]+$/;
const CODES_PER_QUERY = 50;

/**
 * Writes products keyed by their lower-cased Product_Code, one Zoho product per code:
 * - Product_Code unique in Zoho → one upsert on Product_Code (atomic in Zoho, safe across n8n workers);
 * - otherwise (a new org: Product_Code is not unique, and Zoho's upsert accepts only the system duplicate-check
 *   field Product_Name and unique fields in duplicate_check_fields) → COQL lookup by Product_Code, update the
 *   oldest match by id, insert the missing ones. In-process locks per code stop two executions of this n8n process
 *   from inserting one SKU twice; several workers need Product_Code made unique in Zoho (README).
 */
export async function writeProducts(
	this: IExecuteFunctions,
	keyed: Array<[string, IDataObject]>,
	operation: string,
	settings: WriteSettings,
): Promise<Map<string, ZohoRecordResult>> {
	const org = zohoOrgKey.call(this);
	return await withKeyedLocks(
		keyed.map(([key]) => `${org}:Products:${key}`),
		async () => {
			if (await productCodeIsUnique.call(this)) {
				return await upsertGrouped.call(this, 'Products', keyed, ['Product_Code'], operation, settings);
			}
			return await writeProductsByLookup.call(this, keyed, operation, settings);
		},
	);
}

async function writeProductsByLookup(
	this: IExecuteFunctions,
	keyed: Array<[string, IDataObject]>,
	operation: string,
	{ limits, trigger }: WriteSettings,
): Promise<Map<string, ZohoRecordResult>> {
	const answers = new Map<string, ZohoRecordResult>();
	const lookable = keyed.filter(([key, record]) => {
		if (SAFE_CODE.test(String(record.Product_Code))) return true;
		answers.set(key, {
			ok: false,
			error: localFailure(operation, 'validation', `Product code "${String(record.Product_Code)}" cannot be looked up safely (quote or backslash)`, {
				api_name: 'Product_Code',
			}),
		});
		return false;
	});
	const found = new Map<string, string>();
	for (let start = 0; start < lookable.length; start += CODES_PER_QUERY) {
		const chunk = lookable.slice(start, start + CODES_PER_QUERY);
		const list = chunk.map(([, record]) => `'${String(record.Product_Code).replace(/([(),])/g, '\\$1')}'`).join(', ');
		try {
			const rows = await zohoCoql.call(
				this,
				`select id, Product_Code from Products where Product_Code in (${list}) order by id asc limit 200`,
				operation,
				limits,
			);
			// the oldest product of a code wins when duplicates already exist
			for (const row of rows) {
				const key = groupKey(row.Product_Code);
				if (!found.has(key)) found.set(key, String(row.id));
			}
		} catch (error) {
			const syncError = (error as { syncError?: ZohoSyncError }).syncError;
			if (!syncError) throw asNodeError(this.getNode(), error);
			for (const [key] of chunk) answers.set(key, { ok: false, error: syncError });
		}
	}
	await updateFoundInsertRest.call(this, 'Products', lookable, found, answers, operation, { limits, trigger });
	return answers;
}
