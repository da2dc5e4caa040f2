/**
 * `@primehub-suite/client` for Node (the `node` condition of `.` and the `./node` subpath): the
 * client over undici with local file transfers, the SDK config file and the undici transport.
 * Browsers resolve `browser.ts` (the `default` condition) instead; both list the same core API.
 */
export { PrimeHubClient } from './node/PrimeHubClient';
export type { FromConfigOptions, NodePrimeHubClientOptions } from './node/PrimeHubClient';
export type { PrimeHubClientOptions } from './PrimeHubClient';
export { PrimeHubClient as BasePrimeHubClient } from './PrimeHubClient';
export { defaultConfigPath, loadConfig, saveConfig } from './node/config';
export type {
  ConfigSource,
  LoadConfigOptions,
  PrimeHubConfig,
  PrimeHubConfigFile,
  SaveConfigInput
} from './node/config';
export { createNodeLocalFs } from './node/nodeLocalFs';
export { UndiciTransport } from './transport/UndiciTransport';
export type { UndiciTransportOptions } from './transport/UndiciTransport';
export * from './core';
