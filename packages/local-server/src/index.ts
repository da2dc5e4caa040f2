export { LocalServer, type LocalServerOptions } from './LocalServer';
export { DataDir, resolveDataDir, toGroupPath } from './DataDir';
export { SCHEMA_FILE } from './graphql/schema';
export { createLogger, type Logger } from './logger';
export { depthRules, estimateCost, GRAPHQL_LIMITS } from './graphql/costLimits';
