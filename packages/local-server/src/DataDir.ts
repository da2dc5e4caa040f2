import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** `--data-dir`, else `$PRIMEHUB_LOCAL_HOME`, else `~/.primehub-local`. */
export function resolveDataDir(explicit?: string): string {
  return resolve(explicit ?? process.env.PRIMEHUB_LOCAL_HOME ?? join(homedir(), '.primehub-local'));
}

/** Where PrimeHub Local keeps each kind of data under its data directory. */
export class DataDir {
  constructor(readonly root: string) {}

  get database(): string {
    return join(this.root, 'primehub.db');
  }

  /** The SDK-format config for the default user (`endpoint`, `api-token`, `group`). */
  get userConfig(): string {
    return join(this.root, 'config.json');
  }

  /** How the last server started here runs jobs (`/api/health`'s `jobs`), read by `user add`. */
  get jobIsolation(): string {
    return join(this.root, 'job-isolation.json');
  }

  /** The job sandbox's passwd and group files and seccomp filter, and its probe job's scratch folder. */
  get sandbox(): string {
    return join(this.root, 'sandbox');
  }

  get phfs(): string {
    return join(this.root, 'phfs', 'groups');
  }

  /** Uploads and artifact copies are staged here, on the same filesystem as PHFS, then renamed in. */
  get staging(): string {
    return join(this.root, 'phfs', '.staging');
  }

  /** The PHFS root of one group, keyed by its storage path (see {@link toGroupPath}). */
  groupPhfs(groupName: string): string {
    return join(this.phfs, toGroupPath(groupName));
  }

  /** The group volume (`/project/<group>` on PrimeHub). */
  groupVolume(groupName: string): string {
    return join(this.root, 'volumes', groupName);
  }

  jobDir(jobId: string): string {
    return join(this.root, 'jobs', jobId);
  }

  jobLog(jobId: string): string {
    return join(this.jobDir(jobId), 'job.log');
  }

  /**
   * The file a job sees as `/dev/termination-log`: what it writes there (its first 4096 bytes)
   * becomes its failure message, as Kubernetes makes a container's termination message of it.
   */
  jobTerminationLog(jobId: string): string {
    return join(this.jobDir(jobId), 'termination-log');
  }

  jobHome(jobId: string): string {
    return join(this.jobDir(jobId), 'home');
  }

  /** A deployment's replicas (pods): each one's home, log and termination message file. */
  deploymentDir(deploymentId: string): string {
    return join(this.root, 'deployments', deploymentId);
  }

  podHome(deploymentId: string, pod: string): string {
    return join(this.deploymentDir(deploymentId), pod, 'home');
  }

  podLog(deploymentId: string, pod: string): string {
    return join(this.deploymentDir(deploymentId), pod, 'model.log');
  }

  podTerminationLog(deploymentId: string, pod: string): string {
    return join(this.deploymentDir(deploymentId), pod, 'termination-log');
  }

  /** The notebook folder of a user's JupyterLab started beside the server (`npm start`). */
  notebooks(user: string): string {
    return join(this.root, 'notebooks', user);
  }

  /**
   * The API token file of the JupyterLab `npm start` runs: its own copy of {@link userConfig}'s token,
   * so signing out of the Lab forgets only this copy.
   */
  get jupyterTokenConfig(): string {
    return join(this.root, 'jupyterlab-config.json');
  }

  /** The log of the JupyterLab `npm start` runs. */
  get jupyterLog(): string {
    return join(this.root, 'jupyterlab.log');
  }

  /** MLflow's folder: its SQLite store, the artifacts it serves, its log and the record of its process. */
  get mlflow(): string {
    return join(this.root, 'mlflow');
  }

  /** MLflow's backend store (experiments, runs, registered models). */
  get mlflowDatabase(): string {
    return join(this.mlflow, 'mlflow.db');
  }

  /** Where MLflow keeps the artifacts clients upload to it over HTTP (`mlflow-artifacts:/…`). */
  get mlflowArtifacts(): string {
    return join(this.mlflow, 'artifacts');
  }

  /** The output of `mlflow server`, every start of it appended. */
  get mlflowLog(): string {
    return join(this.mlflow, 'mlflow.log');
  }

  /** The process and port of the last `mlflow server` started here, for the next start to reuse or clean up. */
  get mlflowProcess(): string {
    return join(this.mlflow, 'process.json');
  }

  create(): void {
    for (const dir of [
      this.root,
      this.phfs,
      this.staging,
      join(this.root, 'volumes'),
      join(this.root, 'jobs'),
      join(this.root, 'deployments')
    ]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
  }
}

/** PrimeHub's storage path of a group: `name.replace(/_/g, '-').toLowerCase()`. */
export function toGroupPath(name: string): string {
  return name.replace(/_/g, '-').toLowerCase();
}
