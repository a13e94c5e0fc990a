/** Types for chromium.js. */
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_PATH: string;
export const CHROMIUM_ARGS: string[];
/** throws when there is no Chromium at CHROMIUM_PATH */
export function assertChromium(): void;
/** Chromium with a fresh profile; close() also removes the profile */
export function launchChromium(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; close(): Promise<void> }>;
/** closes what the n8n editor pops up over the canvas on a first visit */
export function dismissPopups(page: Page): Promise<void>;
