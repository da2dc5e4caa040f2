/**
 * Browser entry point of `@primehub-suite/client`: the client over `fetch`, without any Node
 * module (no config file access, no local file transfers).
 */
export { PrimeHubClient } from './PrimeHubClient';
export type { PrimeHubClientOptions } from './PrimeHubClient';
export * from './core';
