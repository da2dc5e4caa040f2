import type { Browser } from 'playwright-core';

/** A running code-server. */
export interface CodeServer {
  url: string;
  port: number;
  output(): string;
  stop(): Promise<void>;
}

export const CODE_SERVER: string;
export { CHROMIUM, CHROMIUM_ARGS, freePort } from '../../scripts/machine.cjs';
export function checkInstalled(): void;
export function startCodeServer(opts: {
  userDataDir: string;
  extensionsDir: string;
  folder?: string;
  env?: Record<string, string>;
}): Promise<CodeServer>;
export function installExtension(vsix: string, dirs: { userDataDir: string; extensionsDir: string }): Promise<string>;
export function launchChromium(): Promise<Browser>;
