import {
	getAccountMapperFields,
	getContactMapperFields,
	getDealMapperFields,
	getProductMapperFields,
	getSalesOrderMapperFields,
} from './resourceMapping';

export * as listSearch from './listSearch';
export * as loadOptions from './loadOptions';

export const resourceMapping = {
	getAccountMapperFields,
	getContactMapperFields,
	getDealMapperFields,
	getProductMapperFields,
	getSalesOrderMapperFields,
};
