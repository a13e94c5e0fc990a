import fs from 'node:fs';
import path from 'node:path';

import { cronNodeOptions, NodeHelpers } from 'n8n-workflow';
import type { INodeParameters, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { WooCommerceOrderPollTrigger } from '../../nodes/WooCommerceOrderPollTrigger/WooCommerceOrderPollTrigger.node';
import { WooCommerceOrderTrigger } from '../../nodes/WooCommerceOrderTrigger/WooCommerceOrderTrigger.node';
import { ZohoCrmOrderSync } from '../../nodes/ZohoCrmOrderSync/ZohoCrmOrderSync.node';
import { ZohoSyncDeadLetter } from '../../nodes/ZohoSyncDeadLetter/ZohoSyncDeadLetter.node';

/**
 * The templates in workflows/ as a user imports them: every node of this package at the version the editor gives a
 * new node (so Zoho CRM Order Sync is version 2, with the "Zoho Fields" mapper and the record locators), and every
 * parameter the file sets one that version shows, in the shape its type takes. n8n imports a workflow without
 * checking either: a stale version or a parameter of another version would only show up in the editor.
 */
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const WORKFLOWS = path.join(REPO_ROOT, 'workflows');
const PACKAGE = 'n8n-nodes-woocommerce-zohocrm';

const packageNodes: INodeType[] = [
	new WooCommerceOrderTrigger(),
	new WooCommerceOrderPollTrigger(),
	new ZohoCrmOrderSync(),
	new ZohoSyncDeadLetter(),
];
/** What n8n's node loader adds to every polling node (n8n-core nodes-loader, applySpecialNodeParameters). */
const pollTimes: INodeProperties = {
	displayName: 'Poll Times',
	name: 'pollTimes',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	default: { item: [{ mode: 'everyMinute' }] },
	options: cronNodeOptions,
};
const descriptions = new Map(
	packageNodes.map(({ description }) => [
		`${PACKAGE}.${description.name}`,
		{ ...description, properties: [...(description.polling ? [pollTimes] : []), ...description.properties] },
	]),
);

interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: INodeParameters;
	retryOnFail?: boolean;
	maxTries?: number;
}

const bundled = fs
	.readdirSync(WORKFLOWS)
	.filter((file) => file.endsWith('.json'))
	.map((file) => ({ file, nodes: (JSON.parse(fs.readFileSync(path.join(WORKFLOWS, file), 'utf8')).nodes as WorkflowNode[]) }));

const versionsOf = (description: INodeTypeDescription) =>
	Array.isArray(description.version) ? description.version : [description.version];
/** The version n8n gives a node added in the editor. */
const newNodeVersion = (description: INodeTypeDescription) =>
	description.defaultVersion ?? Math.max(...versionsOf(description));

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why `value` does not fit the shape `property` takes ([] when it does); `at` names it in the messages. */
function shapeProblems(property: INodeProperties, value: unknown, at: string): string[] {
	switch (property.type) {
		case 'resourceLocator': {
			const modes = (property.modes ?? []).map((mode) => mode.name);
			return isObject(value) && modes.includes(String(value.mode)) && 'value' in value
				? []
				: [`${at}: a resource locator takes { mode: ${modes.join('|')}, value }, not ${JSON.stringify(value)}`];
		}
		case 'resourceMapper':
			return isObject(value) && typeof value.mappingMode === 'string' && 'value' in value
				? []
				: [`${at}: a resource mapper takes { mappingMode, value, … }, not ${JSON.stringify(value)}`];
		case 'collection': {
			if (!isObject(value)) return [`${at}: a collection takes an object`];
			const options = (property.options ?? []) as INodeProperties[];
			return Object.entries(value).flatMap(([name, entry]) => {
				const option = options.find((candidate) => candidate.name === name);
				return option ? shapeProblems(option, entry, `${at}.${name}`) : [`${at}.${name}: not an option of ${property.displayName}`];
			});
		}
		case 'fixedCollection': {
			if (!isObject(value)) return [`${at}: a fixed collection takes an object`];
			const groups = (property.options ?? []) as Array<{ name: string; values: INodeProperties[] }>;
			return Object.entries(value).flatMap(([name, entries]) => {
				const group = groups.find((candidate) => candidate.name === name);
				if (!group) return [`${at}.${name}: not a group of ${property.displayName}`];
				return (Array.isArray(entries) ? entries : [entries]).flatMap((entry, index) =>
					isObject(entry)
						? Object.entries(entry).flatMap(([key, fieldValue]) => {
								const field = group.values.find((candidate) => candidate.name === key);
								return field ? shapeProblems(field, fieldValue, `${at}.${name}[${index}].${key}`) : [`${at}.${name}[${index}].${key}: unknown`];
							})
						: [`${at}.${name}[${index}]: not an object`],
				);
			});
		}
		case 'string':
			return typeof value === 'string' ? [] : [`${at}: a string parameter, not ${JSON.stringify(value)}`];
		case 'boolean':
		case 'number':
			// an expression is a string starting with "="
			return typeof value === property.type || (typeof value === 'string' && value.startsWith('='))
				? []
				: [`${at}: a ${property.type} parameter, not ${JSON.stringify(value)}`];
		default:
			return [];
	}
}

/** What is wrong with a workflow node of this package ([] when nothing is). */
function nodeProblems(node: WorkflowNode): string[] {
	const description = descriptions.get(node.type);
	if (!description) return [`${node.name}: ${node.type} is not a node of this package`];
	const problems: string[] = [];
	if (!versionsOf(description).includes(node.typeVersion)) problems.push(`${node.name}: version ${node.typeVersion} does not exist`);
	if (node.typeVersion < newNodeVersion(description)) {
		problems.push(`${node.name}: version ${node.typeVersion}, but a new node is version ${newNodeVersion(description)}`);
	}
	// what the node's other parameters are in the editor (defaults filled in), which decides what is shown
	const values =
		NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description) ?? {};
	for (const [name, value] of Object.entries(node.parameters)) {
		const shown = description.properties.filter(
			(property) => property.name === name && NodeHelpers.displayParameter(values, property, node, description),
		);
		if (!shown.length) {
			problems.push(`${node.name}: "${name}" is no parameter of version ${node.typeVersion} for these settings`);
			continue;
		}
		problems.push(...shown.flatMap((property) => shapeProblems(property, value, `${node.name}: ${name}`)));
	}
	return problems;
}

describe('bundled workflows', () => {
	const packageNodesInWorkflows = bundled.flatMap(({ file, nodes }) =>
		nodes.filter((node) => node.type.startsWith(`${PACKAGE}.`)).map((node) => ({ file, node })),
	);

	it('use Zoho CRM Order Sync at the version a new node gets (2: Zoho Fields mapper, record locators)', () => {
		const zohoNodes = packageNodesInWorkflows.filter(({ node }) => node.type === `${PACKAGE}.zohoCrmOrderSync`);
		// the five templates: 2 + 5 + 2 + 1 + 2 Zoho nodes
		expect(zohoNodes.length).toBeGreaterThanOrEqual(10);
		expect(newNodeVersion(new ZohoCrmOrderSync().description)).toBe(2);
		expect(zohoNodes.filter(({ node }) => node.typeVersion !== 2).map(({ file, node }) => `${file}: ${node.name}`)).toEqual([]);
	});

	it('set only parameters their node version shows, in the shape of its type, at the newest versions', () => {
		expect(packageNodesInWorkflows.length).toBeGreaterThan(20);
		const problems = packageNodesInWorkflows.flatMap(({ file, node }) => nodeProblems(node).map((problem) => `${file}: ${problem}`));
		expect(problems).toEqual([]);
	});

	it('the check finds a version-1 node and version-1 parameters left in a version-2 node', () => {
		const type = `${PACKAGE}.zohoCrmOrderSync`;
		const v1Deal: WorkflowNode = {
			name: 'Create Deal',
			type,
			typeVersion: 1,
			parameters: {
				resource: 'deal',
				operation: 'create',
				contactId: '={{ $json.zoho?.contact?.id }}',
				customFields: { field: [{ name: 'Probability', value: '75' }] },
			},
		};
		expect(nodeProblems(v1Deal)).toEqual(['Create Deal: version 1, but a new node is version 2']);
		// only the version raised: the collection is gone in version 2, the text id is now a resource locator
		expect(nodeProblems({ ...v1Deal, typeVersion: 2 })).toEqual([
			'Create Deal: contactId: a resource locator takes { mode: list|id|url, value }, not "={{ $json.zoho?.contact?.id }}"',
			'Create Deal: "customFields" is no parameter of version 2 for these settings',
		]);
		// migrated: a locator By ID with the same expression, the field in the "Zoho Fields" mapper
		const v2Deal: WorkflowNode = {
			...v1Deal,
			typeVersion: 2,
			parameters: {
				resource: 'deal',
				operation: 'create',
				contactId: { __rl: true, mode: 'id', value: '={{ $json.zoho?.contact?.id }}' },
				zohoFields: { mappingMode: 'defineBelow', value: { Probability: 75 }, matchingColumns: [], schema: [] },
			},
		};
		expect(nodeProblems(v2Deal)).toEqual([]);
		expect(nodeProblems({ ...v2Deal, parameters: { ...v2Deal.parameters, options: { maxRetryWait: 10 } } })).toEqual([
			'Create Deal: options.maxRetryWait: not an option of Options',
		]);
	});

	// n8n 2.40.7's Data Table "create" with Create If Not Exists looks the name up, then creates: two executions
	// saving the first dead letters at the same instant (two queue-mode workers, or one process) both find no table,
	// and the second create fails with a name conflict. A retry finds the table and returns it.
	const tableCreators = bundled.flatMap(({ file, nodes }) =>
		nodes
			.filter(
				(node) =>
					node.type === 'n8n-nodes-base.dataTable' && node.parameters.resource === 'table' && node.parameters.operation === 'create',
			)
			.map((node) => [`${file}: ${node.name}`, node] as const),
	);

	it('create the dead-letter table in every workflow that saves or replays dead letters', () => {
		expect(tableCreators.length).toBeGreaterThanOrEqual(5);
	});

	it.each(tableCreators)('%s retries, so a concurrent first create does not lose the dead letter', (_name, node) => {
		expect(node).toMatchObject({ retryOnFail: true });
		expect(Number(node.maxTries)).toBeGreaterThanOrEqual(2);
	});
});
