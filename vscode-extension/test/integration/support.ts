import * as vscode from 'vscode';
import type { PrimeHubExtensionApi } from '../../src/extension';

/** PrimeHub Local started by the jest runner (test/vscode/extensionHost.test.ts). */
export const SERVER = {
  endpoint: requireEnv('PRIMEHUB_TEST_ENDPOINT'),
  token: requireEnv('PRIMEHUB_TEST_TOKEN'),
  group: requireEnv('PRIMEHUB_TEST_GROUP'),
  /** The same server under another host name (a second profile), for a second user. */
  secondEndpoint: requireEnv('PRIMEHUB_TEST_ENDPOINT').replace('127.0.0.1', 'localhost'),
  secondUser: requireEnv('PRIMEHUB_TEST_USER2'),
  secondToken: requireEnv('PRIMEHUB_TEST_TOKEN2'),
  /** A group the second user belongs to besides the default one. */
  secondGroup: requireEnv('PRIMEHUB_TEST_GROUP2'),
  dataDir: requireEnv('PRIMEHUB_TEST_DATA_DIR')
};

function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run these tests through test/vscode/extensionHost.test.ts`);
  }
  return v;
}

/**
 * Activates the extension under test and returns what `activate` returned: its parts, which it
 * exports only in `ExtensionMode.Test` (this host runs it under development with --extensionTestsPath).
 */
export async function extensionApi(): Promise<PrimeHubExtensionApi> {
  const ext = vscode.extensions.getExtension<PrimeHubExtensionApi | undefined>('primehub-suite.primehub');
  if (!ext) {
    throw new Error('the extension primehub-suite.primehub is not loaded');
  }
  const api = await ext.activate();
  if (!api) {
    throw new Error('the extension exported nothing: the extension host did not run it in ExtensionMode.Test');
  }
  return api;
}

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 20_000
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) {
        return v;
      }
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${ms} ms${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
}
