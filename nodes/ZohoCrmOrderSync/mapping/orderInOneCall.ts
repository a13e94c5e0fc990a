import type { IDataObject } from 'n8n-workflow';

/** One sub-request of a Zoho composite call (see transport/composite.ts). */
export interface OrderSubRequest {
	id: 'account' | 'contact' | 'deal';
	method: 'POST';
	uri: string;
	body: IDataObject;
}

/** A later sub-request's lookup to the record an earlier one wrote (Zoho's composite reference syntax). */
export const compositeReference = (subRequestId: string) => `@{${subRequestId}:$.data[0].details.id}`;

/**
 * What one order sends Zoho in one composite call: the account (only when the order has a company), the contact
 * and the deal, each an upsert of exactly one record (Zoho allows one record per write sub-request), on the same
 * keys as the two-node workflow: Account_Name, Email and the unique order-id field. The contact links to the
 * account and the deal to both by reference, so Zoho fills in ids it has not made yet.
 * `trigger`: [] turns Zoho automation off, as in the other operations.
 */
export function buildOrderSubRequests(args: {
	account?: IDataObject;
	contact: IDataObject;
	deal: IDataObject;
	orderIdField: string;
	apiVersionPath: string;
	trigger?: string[];
}): OrderSubRequest[] {
	const upsert = (id: OrderSubRequest['id'], module: string, record: IDataObject, checkField: string): OrderSubRequest => {
		const body: IDataObject = { data: [record], duplicate_check_fields: [checkField] };
		if (args.trigger !== undefined) body.trigger = args.trigger;
		return { id, method: 'POST', uri: `${args.apiVersionPath}/${module}/upsert`, body };
	};
	const subRequests: OrderSubRequest[] = [];
	const contact: IDataObject = { ...args.contact };
	const deal: IDataObject = { ...args.deal, Contact_Name: { id: compositeReference('contact') } };
	if (args.account) {
		subRequests.push(upsert('account', 'Accounts', args.account, 'Account_Name'));
		contact.Account_Name = { id: compositeReference('account') };
		deal.Account_Name = { id: compositeReference('account') };
	} else {
		delete deal.Account_Name;
	}
	subRequests.push(upsert('contact', 'Contacts', contact, 'Email'));
	subRequests.push(upsert('deal', 'Deals', deal, args.orderIdField));
	return subRequests;
}
