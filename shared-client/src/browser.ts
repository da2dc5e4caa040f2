/**
 * Browser entry point of `@primehub-suite/client`: the client over `fetch`, without any Node
 * module (no config file access, no local file transfers). Every name is re-exported explicitly;
 * `entryPoints.test.ts` checks that the Node entry point offers the same ones.
 *
 * The root holds what an application uses: the client, its errors, the API's types and small
 * domain helpers (recurrences, PHFS paths, job phases, server health). Notebook helpers are only
 * in `@primehub-suite/client/notebook`; the client's internals (the operation registry, retry
 * mechanics) are in no entry: tests import them from their source files.
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
export { describeError, isCancel } from './describeError';
export type { ErrorKind, UserFacingError } from './describeError';
export { redact, redactHeaders, REDACTED } from './redact';
export { NOOP_LOGGER } from './logger';
export type { Logger } from './logger';
export { isRetryable } from './retry';
export type { RetryOptions } from './retry';
export { FetchTransport } from './transport/FetchTransport';
export type { FetchLike, FetchTransportOptions, XhrConstructor, XhrLike } from './transport/FetchTransport';
export type { Transport, TransportBody, TransportRequest, TransportResponse } from './transport/types';
export type { ExtraHeaders, RequestHook, RestRequest, RestResult, SendRequest } from './Requester';
export type { LocalFs, LocalFileEntry } from './localFs';
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
  PredictionResult,
  PredictOptions
} from './resources/DeploymentsApi';
export type { GroupsApi } from './resources/GroupsApi';
export type { MeApi } from './resources/MeApi';
export { notebookSshHost, SSH_KEY_LINK_PARAM, sshKeyLink } from './resources/SshApi';
export type { NotebookSshdState, NotebookSshStatus, SshApi, SshBastionInfo } from './resources/SshApi';
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
