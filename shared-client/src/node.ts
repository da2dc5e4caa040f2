/**
 * Node entry point of `@primehub-suite/client` (also `@primehub-suite/client/node`): the client
 * over undici with local file transfers, the SDK config file and the undici transport.
 */
export * from './core';
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
