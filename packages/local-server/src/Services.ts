import type { DataDir } from './DataDir';
import type { DeploymentStore } from './db/DeploymentStore';
import type { DeploymentRunner } from './deployments/DeploymentRunner';
import type { DeploymentService } from './deployments/DeploymentService';
import type { IdentityStore } from './db/IdentityStore';
import type { JobStore } from './db/JobStore';
import type { ScheduleStore } from './db/ScheduleStore';
import type { JobRunner } from './jobs/JobRunner';
import type { JobService } from './jobs/JobService';
import type { LocalMlflow } from './mlflow/groupMlflow';
import type { MlflowAccounts } from './mlflow/MlflowAccounts';
import type { MlflowHttp } from './mlflow/MlflowHttp';
import type { MlflowServer } from './mlflow/MlflowServer';
import type { Phfs } from './phfs/Phfs';
import type { Scheduler } from './schedules/Scheduler';
import type { NotebookSsh } from './ssh/NotebookSsh';
import type { SshBastion } from './ssh/SshBastion';

/** Everything a request handler reaches: the stores and the engines, wired by `LocalServer`. */
export interface Services {
  dirs: DataDir;
  identity: IdentityStore;
  jobs: JobStore;
  schedules: ScheduleStore;
  jobService: JobService;
  runner: JobRunner;
  scheduler: Scheduler;
  phfs: Phfs;
  /** The MLflow tracking server PrimeHub Local supervises. */
  mlflow: MlflowServer;
  /** Each group's account in that MLflow: `trackingEnvs(group)` are the variables its jobs and notebooks log with. */
  mlflowAccounts: MlflowAccounts;
  /** Connections to the groups' MLflows, for the models resolvers' calls. */
  mlflowHttp: MlflowHttp;
  /** That MLflow as the groups without settings of their own use it (its URL and their accounts). */
  localMlflow?: LocalMlflow;
  /** The SSH servers of the notebooks that run beside this server. */
  notebookSsh: NotebookSsh;
  /** The SSH bastion in front of them. */
  bastion: SshBastion;
  /** Absolute base URL clients reach the server at, e.g. `http://127.0.0.1:8321`. */
  publicUrl(): string;
  /** Model deployments: their records, the checks on changes, and the replicas serving them. */
  deployments: DeploymentStore;
  deploymentService: DeploymentService;
  deploymentRunner: DeploymentRunner;
}
