/** Types for chromium.js. */
export const CHROMIUM_PATH: string;
export const CHROMIUM_ARGS: string[];
/** throws when there is no Chromium at CHROMIUM_PATH */
export function assertChromium(): void;
