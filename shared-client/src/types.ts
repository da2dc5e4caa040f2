/**
 * Wire types of the PrimeHub API as the client's operations select them
 * (field names and nullability follow primehub-schema.graphql).
 */

/** Options accepted by every call. */
export interface CallOptions {
  /** Aborts the call; the abort reason is rethrown untouched. */
  signal?: AbortSignal;
  /** Overrides the client's per-call timeout (ms; 0 disables). */
  timeoutMs?: number;
}

/** Options of calls that work on a group. */
export interface GroupCallOptions extends CallOptions {
  /** Group name overriding the client's current group for this call. */
  group?: string;
}

export interface User {
  id: string;
  username: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  isAdmin: boolean | null;
}

/** A group reference as stored in the SDK config. */
export interface GroupRef {
  id: string;
  name: string;
  displayName: string | null;
}

export interface GroupWithQuota extends GroupRef {
  quotaCpu: number | null;
  quotaGpu: number | null;
  quotaMemory: number | null;
  projectQuotaCpu: number | null;
  projectQuotaGpu: number | null;
  projectQuotaMemory: number | null;
}

export interface InstanceType {
  name: string;
  displayName: string | null;
  description: string | null;
  cpuRequest: number | null;
  cpuLimit: number | null;
  memoryRequest: number | null;
  memoryLimit: number | null;
  gpuLimit: number | null;
  global: boolean | null;
}

export interface Image {
  id: string;
  name: string;
  displayName: string | null;
  description: string | null;
  useImagePullSecret: string | null;
  spec: unknown;
}

export interface Volume {
  id: string;
  name: string;
  displayName: string | null;
  description: string | null;
  type: string | null;
}

export interface License {
  licensedTo: string | null;
  licenseStatus: string | null;
  startedAt: string | null;
  expiredAt: string | null;
  maxUser: number | null;
  maxGroup: number | null;
  maxNode: number | null;
  maxModelDeploy: number | null;
  usage: {
    maxUser: number | null;
    maxGroup: number | null;
    maxNode: number | null;
    maxModelDeploy: number | null;
  } | null;
}

/** PrimeHub Enterprise or Community edition. */
export type Edition = 'ee' | 'ce';

export interface JobInstanceType {
  id: string;
  name: string;
  displayName: string | null;
  cpuLimit: number | null;
  memoryLimit: number | null;
  gpuLimit: number | null;
}

/** Job phases; Succeeded, Failed, Cancelled and Unknown are terminal. */
export type JobPhase = 'Pending' | 'Preparing' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled' | 'Unknown';

export interface Job {
  id: string;
  displayName: string | null;
  cancel: boolean | null;
  command: string | null;
  groupId: string | null;
  groupName: string | null;
  /** Id of the recurring job that spawned this job, if any. */
  schedule: string | null;
  image: string | null;
  instanceType: JobInstanceType | null;
  userId: string | null;
  userName: string | null;
  phase: JobPhase | null;
  reason: string | null;
  message: string | null;
  createTime: string | null;
  startTime: string | null;
  finishTime: string | null;
  /** The job's own timeout (s), when it was given one. */
  activeDeadlineSeconds: number | null;
  /** Absolute URL its log streams from (use `jobs.logs`, which also reconnects). */
  logEndpoint: string | null;
  /** The job's artifacts; only `jobs.get` asks for them (listing them costs the server a storage walk). */
  artifact?: JobArtifact | null;
}

/** A job's artifacts folder (`/jobArtifacts/<jobId>/` in PHFS). */
export interface JobArtifact {
  /** Storage prefix, e.g. `groups/<group path>/jobArtifacts/<jobId>`. */
  prefix: string | null;
  items: ArtifactItem[] | null;
}

export interface ArtifactItem {
  /** Path relative to the job's artifact folder. */
  name: string;
  size: number | null;
  lastModified: string | null;
}

/** One numbered page (PrimeHub serves 10 items per page). */
export interface Page<T> {
  items: T[];
  currentPage: number;
  totalPage: number;
}

/** Recurrence types as the server stores them (`on-demand` is accepted and mapped to `inactive`). */
export type RecurrenceType = 'inactive' | 'daily' | 'weekly' | 'monthly' | 'custom';

export interface Recurrence {
  type: RecurrenceType | null;
  cron: string | null;
}

export interface Schedule {
  id: string;
  displayName: string | null;
  recurrence: Recurrence | null;
  invalid: boolean | null;
  message: string | null;
  command: string | null;
  groupId: string | null;
  groupName: string | null;
  image: string | null;
  instanceType: JobInstanceType | null;
  userId: string | null;
  userName: string | null;
  nextRunTime: string | null;
}

export interface StoreFile {
  /** Name relative to the listed prefix; directories end with `/`. */
  name: string;
  size: number | null;
  lastModified: string | null;
}

export interface MLflowSetting {
  trackingUri: string | null;
  uiUrl: string | null;
}

export interface ModelVersionSummary {
  name: string | null;
  version: string | null;
}

export interface Model {
  name: string;
  creationTimestamp: string | null;
  lastUpdatedTimestamp: string | null;
  description: string | null;
  latestVersions: ModelVersionSummary[] | null;
}

export interface ModelVersion {
  name: string;
  version: string;
  creationTimestamp: string | null;
  lastUpdatedTimestamp: string | null;
  source?: string | null;
  deployedBy: unknown;
  run?: unknown;
}

export interface MLflowArtifactFile {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** Deployment states; Deployed, Stopped and Failed are stable. */
export type DeploymentStatus = 'Deploying' | 'Deployed' | 'Stopping' | 'Stopped' | 'Failed';

export interface DeploymentClient {
  name: string;
}

export interface Deployment {
  id: string;
  name: string | null;
  modelImage: string | null;
  modelURI?: string | null;
  imagePullSecret: string | null;
  description: string | null;
  replicas: number | null;
  stop: boolean | null;
  endpointAccessType: string | null;
  endpointClients: DeploymentClient[] | null;
  status: DeploymentStatus | null;
  endpoint: string | null;
  availableReplicas: number | null;
  message: string | null;
  lastUpdatedTime?: string | null;
  pods?: Array<{ name: string | null }> | null;
}

export interface DeploymentDetail {
  id: string;
  status: DeploymentStatus | null;
  message: string | null;
  name: string | null;
  description: string | null;
  updateMessage: string | null;
  metadata: Record<string, unknown> | null;
  stop: boolean | null;
  userName: string | null;
  groupName: string | null;
  endpoint: string | null;
  modelImage: string | null;
  modelURI: string | null;
  replicas: number | null;
  availableReplicas: number | null;
  imagePullSecret: string | null;
  instanceType: { name: string } | null;
  creationTime: string | null;
  lastUpdatedTime: string | null;
  pods: Array<{ name: string | null }> | null;
  env: Array<{ name: string; value: string | null }> | null;
  endpointAccessType: string | null;
  endpointClients: DeploymentClient[] | null;
}

export interface DeploymentHistoryItem {
  time: string | null;
  deployment: Omit<Deployment, 'pods' | 'availableReplicas' | 'message'> | null;
}

export interface Pod {
  name: string | null;
  phase: string | null;
  logEndpoint: string | null;
}
