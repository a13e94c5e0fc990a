import { sleep } from 'n8n-workflow';

/*
 * Time and randomness for the transport, in one small module so unit tests can replace them
 * (jest.spyOn(clock, 'wait')) and record back-off waits without really waiting.
 */

/**
 * Waits `ms` milliseconds (n8n's sleep: community nodes may not use setTimeout); with `signal`, n8n's sleep
 * rejects as soon as the signal aborts (the execution was cancelled).
 */
export async function wait(ms: number, signal?: AbortSignal): Promise<void> {
	if (ms > 0) await sleep(ms, signal);
}

export function now(): number {
	return Date.now();
}

/** A number in [0, 1) for back-off jitter. */
export function random(): number {
	return Math.random();
}
