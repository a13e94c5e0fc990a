import { ExecutionBaseError, NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

/**
 * The error a node lets go of, the n8n way. Errors n8n already understands pass unchanged: NodeApiError (our Zoho
 * and WooCommerce errors, which carry the service's own message and code), NodeOperationError and n8n's expression
 * errors (their hints stay). Anything else (a bug, a programming error in a mapping rule) becomes a
 * NodeOperationError with the original message, so the editor shows it on the node and item.
 */
export function asNodeError(
	node: INode,
	error: unknown,
	options: { itemIndex?: number } = {},
): ExecutionBaseError {
	if (error instanceof ExecutionBaseError) return error;
	const cause = error instanceof Error ? error : new Error(String(error));
	return new NodeOperationError(node, cause, { message: cause.message, itemIndex: options.itemIndex });
}
