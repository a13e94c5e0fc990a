import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { upsertGrouped } from '../../helpers/groupedWrites';
import { withKeyedLocks } from '../../helpers/keyedLock';
import { zohoOrgKey } from '../../helpers/org';
import { groupKey, recordSummary, validationFailure, withZohoResult } from '../../helpers/outcomes';
import { buildContactRecord, type ContactFieldValues } from '../../mapping';
import type { ItemOutcome } from '../../types';
import { callOptions } from '../common.descriptions';
import { contactProperties } from '../orderFields.descriptions';
import { NO_CONTACT_EMAIL, readCallOptions, readContactAndAccount } from '../parameters';

const displayOptions = { show: { resource: ['contact'], operation: ['upsert'] } };

export const description: INodeProperties[] = [
	...contactProperties(displayOptions),
	{ ...callOptions, displayOptions },
];

interface PlannedContact {
	index: number;
	values: ContactFieldValues;
	contact: IDataObject;
	account?: IDataObject;
}

export async function execute(this: IExecuteFunctions, indices: number[]): Promise<Map<number, ItemOutcome>> {
	const items = this.getInputData();
	const { limits, trigger } = readCallOptions.call(this);
	const outcomes = new Map<number, ItemOutcome>();
	const planned: PlannedContact[] = [];

	for (const index of indices) {
		try {
			const { values, contact, account } = await readContactAndAccount.call(this, index);
			if (!contact) {
				outcomes.set(index, fail(NO_CONTACT_EMAIL, { api_name: 'Email' }));
				continue;
			}
			planned.push({ index, values, contact, account });
		} catch (error) {
			outcomes.set(index, fail((error as Error).message));
		}
	}
	if (!planned.length) return outcomes;

	const org = zohoOrgKey.call(this);
	const lockKeys = planned.flatMap(({ contact, account }) => [
		`${org}:Contacts:${groupKey(contact.Email)}`,
		...(account ? [`${org}:Accounts:${groupKey(account.Account_Name)}`] : []),
	]);

	await withKeyedLocks(lockKeys, async () => {
		// Accounts first: a contact links to its account by id. One record per company name.
		const accountResults = await upsertGrouped.call(
			this,
			'Accounts',
			planned.filter((plan) => plan.account).map((plan) => [groupKey(plan.account!.Account_Name), plan.account!]),
			['Account_Name'],
			'account.upsert',
			{ limits, trigger },
		);

		const ready: Array<[string, IDataObject]> = [];
		for (const plan of planned) {
			const accountResult = plan.account ? accountResults.get(groupKey(plan.account.Account_Name)) : undefined;
			if (accountResult && !accountResult.ok) {
				outcomes.set(plan.index, { ok: false, error: accountResult.error });
				continue;
			}
			if (accountResult?.ok) plan.contact = buildContactRecord(plan.values, accountResult.id);
			ready.push([groupKey(plan.contact.Email), plan.contact]);
		}

		// One record per email: two orders of one customer in a batch must not insert two contacts.
		const contactResults = await upsertGrouped.call(this, 'Contacts', ready, ['Email'], 'contact.upsert', {
			limits,
			trigger,
		});

		for (const plan of planned) {
			if (outcomes.has(plan.index)) continue;
			const contactResult = contactResults.get(groupKey(plan.contact.Email))!;
			if (!contactResult.ok) {
				outcomes.set(plan.index, { ok: false, error: contactResult.error });
				continue;
			}
			const accountResult = plan.account ? accountResults.get(groupKey(plan.account.Account_Name)) : undefined;
			const results: IDataObject = { contact: recordSummary(contactResult) };
			if (accountResult?.ok) results.account = { ...recordSummary(accountResult), name: plan.account!.Account_Name };
			outcomes.set(plan.index, { ok: true, json: withZohoResult(items[plan.index], results) });
		}
	});
	return outcomes;
}

const fail = (message: string, details?: IDataObject) => validationFailure('contact.upsert', message, details);
