/** Pure WooCommerce order → Zoho CRM record mapping (no I/O). */
export { decodeEntities, cleanText, cleanMultilineText } from './text';
export { toAmount, roundCents, zohoDate, formatAmount } from './money';
export { buildContactRecord, contactStreet } from './contact';
export type { ContactFieldValues } from './contact';
export { buildAccountRecord } from './account';
export type { AccountFieldValues } from './account';
export { buildDealRecord, defaultDealName, describeOrder } from './deal';
export type { DealFieldValues } from './deal';
export {
	productCodeFor,
	buildProductRecords,
	buildSalesOrderRecord,
	salesOrderGrandTotal,
	checkSalesOrderTotal,
} from './salesOrder';
export type { SalesOrderFieldValues } from './salesOrder';
