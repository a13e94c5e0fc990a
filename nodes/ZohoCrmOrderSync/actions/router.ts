import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { buildOutput } from '../helpers/outcomes';
import { withVersionGate } from '../helpers/versionRecord';
import { runWithLedger, type ItemOperation } from '../transport';
import * as account from './account/Account.resource';
import * as contact from './contact/Contact.resource';
import * as deal from './deal/Deal.resource';
import * as order from './order/Order.resource';
import * as setUpOrderIdField from './orderIdField/setUp.operation';
import * as product from './product/Product.resource';
import * as salesOrder from './salesOrder/SalesOrder.resource';

const itemOperations: Record<string, Record<string, ItemOperation>> = {
	account: { upsert: account.upsert.execute },
	contact: { upsert: contact.upsert.execute },
	deal: { create: deal.create.execute },
	order: { syncInOneCall: order.syncInOneCall.execute },
	product: { upsert: product.upsert.execute },
	salesOrder: { create: salesOrder.create.execute },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;

	if (operation === 'setUpOrderIdField') {
		// It changes the Zoho schema; the editor hides it from AI agents and this refuses a tool call anyway.
		if (this.getNode().type.endsWith('Tool')) {
			throw new NodeOperationError(this.getNode(), '"Set Up Order ID Field" is not available to AI agents', {
				description: 'Run it once from a normal Zoho CRM Order Sync node in the editor.',
			});
		}
		return [await setUpOrderIdField.executeOnce.call(this)];
	}

	const execute = itemOperations[resource]?.[operation];
	if (!execute) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	const operationName = `${resource}.${operation}`;
	const outcomes = await runWithLedger.call(this, operationName, withVersionGate(operationName, execute));
	return [buildOutput(this, this.getInputData().length, outcomes)];
}
