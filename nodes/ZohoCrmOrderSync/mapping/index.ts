/**
 * Pure WooCommerce order → Zoho CRM record mapping (no I/O): one module per Zoho record (contact, account,
 * deal, salesOrder, product). Operations evaluate their parameters and hand the values here; every fallback
 * (deal name, product code, pipeline, currency, description) is decided in these modules.
 */
export { decodeEntities, cleanText, cleanMultilineText } from './text';
export { toAmount, roundCents, zohoDate, formatAmount } from './money';
export { buildContactRecord, contactStreet } from './contact';
export type { ContactFieldValues } from './contact';
export { accountValuesForContact, buildAccountRecord } from './account';
export type { AccountFieldValues } from './account';
export { buildDealRecord, defaultDealName, describeOrder } from './deal';
export type { DealFieldValues } from './deal';
export { buildOrderSubRequests, compositeReference } from './orderInOneCall';
export type { OrderSubRequest } from './orderInOneCall';
export { buildProductRecord, productCodeFor } from './product';
export type { ProductFieldValues, ProductSource } from './product';
export {
	buildProductRecords,
	buildSalesOrderRecord,
	salesOrderGrandTotal,
	checkSalesOrderTotal,
	checkWrittenSalesOrder,
	reconcileOrderedItems,
} from './salesOrder';
export type { SalesOrderFieldValues, SalesOrderTaxMode } from './salesOrder';
export type { ModuleField } from './common';
export type { WooAddress, WooLineItem, WooOrder } from './wooOrder';
