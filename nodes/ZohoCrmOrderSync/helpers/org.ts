import type { IExecuteFunctions } from 'n8n-workflow';

import { zohoCredentialKey, zohoCredentialType } from '../transport';

/** Identifies the Zoho org this node writes to (its credential), for in-process locks. */
export function zohoOrgKey(this: IExecuteFunctions): string {
	return zohoCredentialKey.call(this, zohoCredentialType.call(this));
}
