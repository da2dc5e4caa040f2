/** Debian's Chromium (Playwright cannot download browsers here). */
export const CHROMIUM: string;
/** Its flags for headless runs here (as root, no GPU, no background traffic). */
export const CHROMIUM_ARGS: readonly string[];
/** A TCP port free on 127.0.0.1 (closed again before it is returned). */
export function freePort(): Promise<number>;
