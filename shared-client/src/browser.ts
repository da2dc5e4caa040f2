/**
 * Browser entry point of `@primehub-suite/client`: the client over `fetch`, without any Node
 * module (no config file access, no local file transfers). Every name is re-exported explicitly;
 * `entryPoints.test.ts` checks that the Node entry point offers the same ones.
 */
export { PrimeHubClient } from './PrimeHubClient';
export type { PrimeHubClientOptions } from './PrimeHubClient';
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
export { isPaused, normalizeRecurrence, RECURRENCE_PRESETS, resumedRecurrence } from './resources/SchedulesApi';
export { cronNextRuns } from './cron';
export { HEALTH_PATH, readServerHealth } from './serverHealth';
export type { ServerHealth } from './serverHealth';
export type { CronCheck } from './cron';
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
