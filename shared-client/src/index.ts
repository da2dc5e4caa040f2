/**
 * `@primehub-suite/client` for Node (the `node` condition of `.` and the `./node` subpath): the
 * client over undici with local file transfers, the SDK config file and the undici transport.
 * Browsers resolve `browser.ts` (the `default` condition) instead; both list the same API by name
 * (checked by `entryPoints.test.ts`), the Node one with its disk and config additions.
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
export {
  AuthError,
  ClientClosedError,
  ConflictError,
  FeatureUnavailableError,
  GraphqlError,
  HttpError,
  isAbortError,
  isPrimeHubError,
  NetworkError,
  NotFoundError,
  PartialSubmissionError,
  PermissionError,
  PrimeHubError,
  QuotaError,
  TimeoutError,
  ValidationError
} from './errors';
export type { GraphqlErrorEntry, PrimeHubErrorCode, PrimeHubErrorDetails, RequestInfo } from './errors';
export { redact, redactHeaders, REDACTED } from './redact';
export { NOOP_LOGGER } from './logger';
export type { Logger } from './logger';
export { backoffDelay, isRetryable, retryAfterMs, retryPolicy } from './retry';
export type { RetryOptions, RetryPolicy } from './retry';
export { FetchTransport } from './transport/FetchTransport';
export type { FetchLike, FetchTransportOptions, XhrConstructor, XhrLike } from './transport/FetchTransport';
export type { Transport, TransportBody, TransportRequest, TransportResponse } from './transport/types';
export type { ExtraHeaders, RequestHook, RestRequest, RestResult, SendRequest } from './Requester';
export type { LocalFs, LocalFileEntry } from './localFs';
export { ALL_OPERATIONS, OPERATIONS_BY_MODULE, defineOperation } from './operations/index';
export type { DataOf, Operation, VariablesOf } from './operations/index';
export type { LogStreamOptions } from './logStream';
export { isTerminalPhase, TERMINAL_JOB_PHASES } from './resources/JobsApi';
export type { JobListOptions, JobSpec, JobWaitOptions, JobsApi } from './resources/JobsApi';
export { normalizeRecurrence, RECURRENCE_PRESETS } from './resources/SchedulesApi';
export type { RecurrenceSpec, ScheduleListOptions, ScheduleSpec, SchedulesApi } from './resources/SchedulesApi';
export { filesUrl, normalizePhfsPath, phfsUri, toGroupPath } from './resources/FilesApi';
export type {
  DownloadResult,
  FileEntry,
  FilesApi,
  ListOptions,
  TransferOptions,
  TransferProgress
} from './resources/FilesApi';
export type { ModelDetail, ModelsApi } from './resources/ModelsApi';
export { generateDeploymentId, predictionBody } from './resources/DeploymentsApi';
export type {
  DeploymentPatch,
  DeploymentSpec,
  DeploymentWaitOptions,
  DeploymentsApi,
  EnvSpec,
  PredictInput,
  PredictOptions
} from './resources/DeploymentsApi';
export type { GroupsApi } from './resources/GroupsApi';
export type { MeApi } from './resources/MeApi';
export { SNAPSHOT_FOLDER } from './resources/NotebookJobsApi';
export type {
  NotebookJobsApi,
  NotebookRun,
  NotebookRunSpec,
  NotebookRunSweepSpec,
  NotebookSchedule,
  NotebookScheduleSpec,
  NotebookSource
} from './resources/NotebookJobsApi';
export type {
  ArtifactItem,
  CallOptions,
  Deployment,
  DeploymentClient,
  DeploymentDetail,
  DeploymentHistoryItem,
  DeploymentStatus,
  Edition,
  GroupCallOptions,
  GroupRef,
  GroupWithQuota,
  Image,
  InstanceType,
  Job,
  JobArtifact,
  JobPhase,
  License,
  MLflowArtifactFile,
  MLflowSetting,
  Model,
  ModelVersion,
  Page,
  Pod,
  Recurrence,
  RecurrenceType,
  Schedule,
  StoreFile,
  User,
  Volume
} from './types';
export {
  ARTIFACTS_DIR_VARIABLE,
  buildNotebookRunScript,
  isNotebookRunScript,
  notebookRunParameters,
  parseNotebookRunScript,
  buildNotebookCommand,
  checkParameterValue,
  coerceParameterInput,
  decodeParameters,
  encodeParameters,
  expandSweep,
  parametersToYaml,
  parseNotebookCommand,
  parseNotebookParameters,
  parseParametersSource,
  parsePythonLiteral,
  shellQuote,
  validateParameterValues
} from './notebook/index';
export type {
  JsonValue,
  LiteralKind,
  NotebookCommand,
  NotebookParameter,
  NotebookParameters,
  NotebookRunInfo,
  NotebookRunPlan,
  ParameterDiagnostic,
  RootedPath,
  SweepJob,
  SweepOptions,
  ValueIssue
} from './notebook/index';
