import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { groupKey, recordSummary, validationFailure, withZohoResult } from '../../helpers/outcomes';
import { writeProducts } from '../../helpers/productWrites';
import { buildProductRecord, type ProductSource } from '../../mapping';
import type { ItemOutcome } from '../../types';
import { callOptions, customFieldsProperty, zohoFieldsMapper } from '../common.descriptions';
import { readCallOptions, readCustomFields } from '../parameters';

const displayOptions = { show: { resource: ['product'], operation: ['upsert'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Product Code',
		name: 'productCode',
		type: 'string',
		default: '',
		placeholder: 'SKU-123',
		description:
			'The product is found by this code in Zoho’s Product_Code: upserted on it when Product_Code is unique in Zoho, else looked up with COQL. Leave empty for the code the Sales Order operation gives a line item: the WooCommerce SKU, else wc-&lt;variation or product ID&gt;.',
		displayOptions,
	},
	{ displayName: 'Product Name', name: 'productName', type: 'string', default: '={{ $json.name }}', required: true, displayOptions },
	{ displayName: 'Unit Price', name: 'unitPrice', type: 'string', default: '={{ $json.price }}', displayOptions },
	{ displayName: 'Description', name: 'description', type: 'string', default: '', displayOptions },
	customFieldsProperty('Products', 'getProductFields', displayOptions),
	zohoFieldsMapper('Products', 'getProductMapperFields', displayOptions),
	{ ...callOptions, displayOptions },
];

export async function execute(this: IExecuteFunctions, indices: number[]): Promise<Map<number, ItemOutcome>> {
	const items = this.getInputData();
	const settings = readCallOptions.call(this);
	const outcomes = new Map<number, ItemOutcome>();
	const planned: Array<{ index: number; key: string; record: IDataObject }> = [];
	for (const index of indices) {
		const param = (name: string) => this.getNodeParameter(name, index, '') as unknown;
		try {
			const record = buildProductRecord(
				{
					Product_Name: param('productName'),
					Product_Code: param('productCode'),
					Unit_Price: param('unitPrice'),
					Description: param('description'),
					customFields: await readCustomFields.call(this, index, 'Products'),
				},
				items[index].json as ProductSource,
			);
			if (!record.Product_Name) {
				outcomes.set(index, fail('No product name: Zoho requires Product_Name', { api_name: 'Product_Name' }));
				continue;
			}
			if (!record.Product_Code) {
				// without a code the product cannot be found again: it would be created again on every run
				outcomes.set(
					index,
					fail('No product code: products are found by Product_Code, so the product would be created again on every run', {
						api_name: 'Product_Code',
					}),
				);
				continue;
			}
			planned.push({ index, key: groupKey(record.Product_Code), record });
		} catch (error) {
			outcomes.set(index, fail((error as Error).message));
		}
	}
	if (!planned.length) return outcomes;
	const results = await writeProducts.call(
		this,
		planned.map(({ key, record }) => [key, record]),
		'product.upsert',
		settings,
	);
	for (const { index, key } of planned) {
		const result = results.get(key)!;
		outcomes.set(
			index,
			result.ok
				? { ok: true, json: withZohoResult(items[index], { product: recordSummary(result) }) }
				: { ok: false, error: result.error },
		);
	}
	return outcomes;
}

const fail = (message: string, details?: IDataObject) => validationFailure('product.upsert', message, details);
