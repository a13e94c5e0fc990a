/** Types for queue.js (n8n 2.40.7 in queue mode: PostgreSQL, Redis, main, webhook process, workers). */
import type { N8nInstance } from './harness';

export interface QueueStartOptions {
	/** n8n credential export objects { id, name, type, data } with plain `data` (encrypted on import) */
	credentials?: object[];
	/** workflow JSON objects, each with an id */
	workflows?: object[];
	/** workflow ids published before start; default: every imported workflow with a trigger other than manual */
	publish?: string[];
	/** number of `n8n worker` processes (default 2) */
	workers?: number;
	/** `n8n worker --concurrency` (default 10) */
	workerConcurrency?: number;
	/** extra environment for every n8n process */
	env?: Record<string, string>;
	startTimeoutMs?: number;
}

export interface QueueDeployment {
	/** `n8n start`: editor, REST, trigger activation; use it for executions and data tables */
	readonly main: N8nInstance;
	/** `n8n webhook`: receives production webhook calls (N8N_WEBHOOK_URL points here) */
	readonly webhook: N8nInstance;
	/** `n8n worker` processes, index 0 = worker1 */
	readonly workers: N8nInstance[];
	/** the environment every n8n process shares (queue mode, database, Redis, webhook URL) */
	readonly sharedEnv: Record<string, string>;
	webhookUrl(webhookId: string, path?: string): string;
	/** main, webhook and workers that were started */
	processes(): N8nInstance[];
	startWorker(index: number, options?: { concurrency?: number; timeoutMs?: number }): Promise<N8nInstance>;
	/** SIGKILL to one worker's process group; resolves when it is gone */
	killWorker(index: number): Promise<void>;
	/** index of the worker whose log shows it ran that execution, or -1 */
	workerOf(executionId: string): number;
	/** stops every process, Redis and PostgreSQL, and removes the throwaway folder (N8N_QUEUE_KEEP=1 keeps it) */
	stop(): Promise<void>;
}

export function startQueueDeployment(options?: QueueStartOptions): Promise<QueueDeployment>;
