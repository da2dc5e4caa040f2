export { LocalServer, type LocalServerOptions } from './LocalServer';
export { DataDir, resolveDataDir, toGroupPath } from './DataDir';
export { notebookEnvironment, type NotebookGroup } from './notebookEnvironment';
export { DEFAULT_GROUP, DEFAULT_USER } from './seed';
export { readSdkConfig, writeSdkConfig, type SdkConfig } from './userConfig';
export { SCHEMA_FILE } from './graphql/schema';
export { createLogger, type Logger } from './logger';
export { depthRules, estimateCost, GRAPHQL_LIMITS } from './graphql/costLimits';
