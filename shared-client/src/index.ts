/**
 * `@primehub-suite/client` for Node (the `node` condition of `.` and the `./node` subpath): the
 * client over undici with local file transfers, the SDK config file and the undici transport.
 * Browsers resolve `browser.ts` (the `default` condition) instead. This entry is the browser's API
 * (its explicit list) with the Node client and the disk and config additions; the names exported
 * here come first, so they win over the browser's of the same name (`PrimeHubClient`).
 */
export { PrimeHubClient } from './node/PrimeHubClient';
export type { FromConfigOptions, NodePrimeHubClientOptions } from './node/PrimeHubClient';
export type { PrimeHubClientOptions } from './PrimeHubClient';
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
export type { NodeFilesApi } from './node/NodeFilesApi';
export type { NodeJobsApi } from './node/NodeJobsApi';
export * from './browser';
