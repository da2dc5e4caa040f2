import { EventEmitter } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import type { DataDir } from '../DataDir';
import {
  specOf,
  type DeploymentRow,
  type DeploymentSpec,
  type DeploymentStatus,
  type DeploymentStore
} from '../db/DeploymentStore';
import type { GroupRow, IdentityStore } from '../db/IdentityStore';
import { removeJobCgroups, type LimitsState } from '../jobs/cgroupLimits';
import { appendLogLine } from '../jobs/jobLog';
import { readTerminationMessage, TERMINATION_LOG } from '../jobs/jobOutcome';
import { JobProcess } from '../jobs/JobProcess';
import { POD_PHFS, podVolume, type SandboxState } from '../jobs/jobSandbox';
import type { Logger } from '../logger';
import { loopbackPort } from '../ports';
import { parseModelUri } from './modelUri';

/** How a deployment's replicas reach the model: a folder they see, or a registry version they download. */
export type ModelLocation = { path: string } | { registryUri: string; env: Record<string, string> };

export interface DeploymentRunnerOptions {
  pythonEnv?: string;
  sandbox: SandboxState;
  limits: LimitsState;
  killGraceMs: number;
  /** How long replicas may take to answer their health check before the deployment is Failed. */
  readyTimeoutMs?: number;
  /**
   * `models:/<name>/<ref>` of a group as one version's URI and the variables that download it (the
   * group's MLflow); rejects with MLflow's own error.
   */
  resolveRegistry(group: GroupRow, name: string, ref: string): Promise<{ uri: string; env: Record<string, string> }>;
}

/** A replica: one model-server process, as PrimeHub's pod of the deployment. */
export interface Pod {
  name: string;
  phase: 'Pending' | 'Running' | 'Failed';
  port?: number;
  ready: boolean;
  restarts: number;
  process?: JobProcess;
  /** Set while it is meant to run: a death is then restarted (after Deployed) or fails the deployment. */
  wanted: boolean;
  exited?: Promise<void>;
  restartTimer?: NodeJS.Timeout;
  /** Requests routed to it and not yet answered: a retiring replica ends only once they are. */
  inflight: number;
  /** Called when `inflight` drops to 0 (a retiring replica waits on it). */
  drained?: () => void;
}

interface Live {
  row: DeploymentRow;
  pods: Pod[];
  next: number;
  /** Set once every replica has answered: its replicas are restarted from then on, also while an update replaces them. */
  deployed?: boolean;
}

/**
 * Where a prediction goes: a ready replica's port and `release`, to call once its answer has ended (or
 * failed), or why there is none.
 */
export type Route = { port: number; pod: string; release: () => void } | { status: DeploymentStatus | 'Unavailable' };

const DEFAULT_READY_TIMEOUT_MS = 180_000;
const HEALTH_POLL_MS = 150;
/** How long a replica replaced by an update may take to finish the requests it was given. */
const DRAIN_TIMEOUT_MS = 120_000;
/** The fixed command of every replica: what it serves comes from its environment, never from this line. */
const SERVER_COMMAND = 'exec python -m primehub_local_serving.server';

/**
 * Runs deployments the way PrimeHub's deployment controller runs Seldon pods: each replica a
 * model-server process in the job sandbox (its group's files only) on a loopback port, Deploying
 * until every replica answers its health check, then Deployed; a replica that dies while Deployed is
 * restarted and skipped meanwhile; one that dies before is the deployment's failure, with the model
 * server's own error. Stopping ends every replica, then Stopped. A change to a serving deployment rolls:
 * its replicas keep answering (the deployment Deploying) until every new one answers its health check,
 * then they get no more requests and end once they have answered those they were given. If the new ones fail,
 * the deployment is Failed with their error and the replicas it was to replace go on answering.
 *
 * Events: `log` (pod name) when a replica's log may have grown, `closed` (pod name) when it ended.
 */
export class DeploymentRunner extends EventEmitter {
  /** Each deployment's newest generation of replicas. */
  private readonly live = new Map<string, Live>();
  /** The generation an update replaces, serving until the new one is ready (a rolling update) or if it failed. */
  private readonly retiring = new Map<string, Live>();
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
  /** Each deployment's latest change: a deploy that a later change overtook while it waited gives up. */
  private readonly changes = new Map<string, number>();
  private change = 0;
  private stopped = false;

  constructor(
    private readonly dirs: DataDir,
    private readonly store: DeploymentStore,
    private readonly identity: IdentityStore,
    private readonly opts: DeploymentRunnerOptions,
    private readonly log: Logger
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** The connections the proxy and the health checks use to reach replicas. */
  get dispatcher(): Agent {
    return this.agent;
  }

  /**
   * Starts every deployment that was serving when the server stopped. One whose latest change had not come up
   * (an update that failed, or was rolling) first gets back the replicas of the spec that last did, serving
   * while the change is tried again: a Deployment's old ReplicaSet comes back with the node too.
   */
  recover(): void {
    for (const row of this.store.running()) {
      const serving = this.store.serving(row.id);
      if (serving && !sameSpec(serving, specOf(row))) {
        this.restore(row, serving);
      }
      void this.deploy(row.id);
    }
  }

  /** Starts the replicas of `spec`, a deployed generation that a change is replacing. */
  private restore(row: DeploymentRow, spec: DeploymentSpec): void {
    const previous: DeploymentRow = { ...row, ...spec };
    const live: Live = { row: previous, pods: this.newPods(row.id, previous.replicas), next: 0, deployed: true };
    this.retiring.set(row.id, live);
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
    this.locate(live.row)
      .then(location => Promise.all(live.pods.map(pod => this.startPod(live, pod, location, deadline))))
      .catch(err =>
        this.log.warn(`deployment ${row.id}: its previous replicas not restarted: ${(err as Error).message}`)
      );
  }

  /** A generation's replicas, none started yet. */
  private newPods(id: string, replicas: number): Pod[] {
    const suffix = Math.random().toString(36).slice(2, 7).padEnd(5, '0');
    return Array.from({ length: Math.max(1, replicas) }, (_, i) => ({
      name: `deploy-${id}-${suffix}-${i}`,
      phase: 'Pending' as const,
      ready: false,
      restarts: 0,
      wanted: true,
      inflight: 0
    }));
  }

  /** (Re)starts a deployment from its stored spec: its old replicas are ended first. */
  async deploy(id: string): Promise<void> {
    const change = this.nextChange(id);
    const serving = this.live.get(id);
    if (!this.retiring.has(id) && serving?.pods.some(p => p.ready)) {
      // a rolling update: the serving generation answers until the new one is ready
      this.live.delete(id);
      this.retiring.set(id, serving);
    } else {
      await this.haltGeneration(this.live, id);
    }
    const row = this.store.get(id);
    if (!row || row.stop || this.stopped || this.changes.get(id) !== change) {
      if (this.changes.get(id) === change) {
        await this.haltGeneration(this.retiring, id);
      }
      return;
    }
    const live: Live = { row, pods: [], next: 0 };
    this.live.set(id, live);
    this.setStatus(id, 'Deploying', null);
    let location: ModelLocation;
    try {
      location = await this.locate(row);
    } catch (err) {
      if (this.current(live)) {
        this.fail(live, (err as Error).message);
      }
      return;
    }
    if (!this.current(live)) {
      return;
    }
    live.pods = this.newPods(id, row.replicas);
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
    await Promise.all(live.pods.map(pod => this.startPod(live, pod, location, deadline)));
  }

  /** Stops a deployment's replicas: Stopping, then Stopped once every one has ended. */
  async stop(id: string): Promise<void> {
    this.nextChange(id);
    if (this.store.get(id)) {
      this.setStatus(id, 'Stopping', null);
    }
    await this.halt(id);
    if (this.store.get(id)?.stop) {
      this.setStatus(id, 'Stopped', null);
    }
  }

  /** Ends a deployment's replicas and removes their files (the record is the caller's). */
  async remove(id: string): Promise<void> {
    this.nextChange(id);
    await this.halt(id);
    this.changes.delete(id);
    await rm(this.dirs.deploymentDir(id), { recursive: true, force: true });
  }

  /** The replicas of a deployment, as its `pods`: during a rolling update the new ones, then those they replace. */
  pods(id: string): Pod[] {
    return [...(this.live.get(id)?.pods ?? []), ...(this.retiring.get(id)?.pods ?? [])];
  }

  /** Every generation of replicas, the newest and the retiring ones. */
  private *generations(): Iterable<Live> {
    yield* this.live.values();
    yield* this.retiring.values();
  }

  /** The deployment a pod belongs to, while the pod is listed. */
  podOwner(podName: string): DeploymentRow | undefined {
    for (const live of this.generations()) {
      if (live.pods.some(p => p.name === podName)) {
        return this.store.get(live.row.id);
      }
    }
    return undefined;
  }

  /** Whether a pod's log is complete (it is no longer listed, or not running and not to be restarted). */
  isPodClosed(podName: string): boolean {
    for (const live of this.generations()) {
      const pod = live.pods.find(p => p.name === podName);
      if (pod) {
        return !pod.wanted && !pod.process?.running;
      }
    }
    return true;
  }

  /**
   * The next ready replica, round robin: of a Deployed deployment, or of the generation a rolling update
   * replaces while the deployment is Deploying, or Failed because the update did. `row` is the deployment's
   * record when the caller has just read it.
   */
  route(id: string, row: DeploymentRow | undefined = this.store.get(id)): Route {
    const live =
      row?.status === 'Deployed'
        ? this.live.get(id)
        : row?.status === 'Deploying' || row?.status === 'Failed'
          ? this.retiring.get(id)
          : undefined;
    if (!row || !live) {
      return { status: row?.status ?? 'Unavailable' };
    }
    const ready = live.pods.filter(p => p.ready && p.port !== undefined);
    if (ready.length === 0) {
      // a replica of the serving generation restarts (the generation a failed update left included)
      return { status: row.status === 'Deployed' || row.status === 'Failed' ? 'Unavailable' : row.status };
    }
    const pod = ready[live.next++ % ready.length];
    pod.inflight++;
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        if (--pod.inflight === 0) {
          pod.drained?.();
        }
      }
    };
    return { port: pod.port!, pod: pod.name, release };
  }

  /** A replica that could not be reached: skipped until its health check answers again. */
  unreachable(id: string, podName: string): void {
    for (const live of [this.live.get(id), this.retiring.get(id)]) {
      const pod = live?.pods.find(p => p.name === podName);
      if (live && pod?.ready) {
        pod.ready = false;
        this.updateAvailable(live);
        // one of a generation never deployed (replaced before it was) is never routed to again
        void this.watchHealth(live, pod, Date.now() + (this.opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS));
      }
    }
  }

  /** Ends every replica (the server stops); the records stay as they are, to be recovered. */
  async close(): Promise<void> {
    this.stopped = true;
    await Promise.all([...new Set([...this.live.keys(), ...this.retiring.keys()])].map(id => this.halt(id)));
    await this.agent.close();
  }

  private nextChange(id: string): number {
    const change = ++this.change;
    this.changes.set(id, change);
    return change;
  }

  /** Whether `live` is still the deployment's running generation. */
  private current(live: Live): boolean {
    return !this.stopped && this.live.get(live.row.id) === live;
  }

  /**
   * Whether `live`'s replicas are kept running (restarted when they die, their health watched): the running
   * generation's, and a deployed one's that an update is replacing or failed to replace.
   */
  private supervised(live: Live): boolean {
    return this.current(live) || (!this.stopped && live.deployed === true && this.retiring.get(live.row.id) === live);
  }

  private async locate(row: DeploymentRow): Promise<ModelLocation> {
    const uri = parseModelUri(row.model_uri, row.group_name);
    const sandboxed = this.opts.sandbox.available;
    switch (uri.kind) {
      case 'unreachable':
        throw new Error(uri.message);
      case 'phfs':
        return { path: join(sandboxed ? POD_PHFS : this.dirs.groupPhfs(row.group_name), uri.path) };
      case 'volume':
        return {
          path: join(sandboxed ? podVolume(row.group_name) : this.dirs.groupVolume(row.group_name), uri.path)
        };
      case 'registry': {
        const group = this.identity.groupById(row.group_id);
        if (!group) {
          throw new Error(`group ${row.group_name} no longer exists`);
        }
        const found = await this.opts.resolveRegistry(group, uri.name, uri.ref);
        return { registryUri: found.uri, env: found.env };
      }
    }
  }

  private async startPod(live: Live, pod: Pod, location: ModelLocation, deadline: number): Promise<void> {
    const row = live.row;
    const it = this.identity.instanceType(row.instance_type);
    const port = await loopbackPort();
    if (!this.supervised(live) || !pod.wanted) {
      return;
    }
    pod.port = port;
    const sandboxed = this.opts.sandbox.available;
    const home = this.dirs.podHome(row.id, pod.name);
    const termination = this.dirs.podTerminationLog(row.id, pod.name);
    const userEnv = Object.fromEntries(
      (JSON.parse(row.env) as { name: string; value: string }[]).map(e => [e.name, String(e.value ?? '')])
    );
    const launch = {
      jobId: pod.name,
      command: SERVER_COMMAND,
      user: row.user_name,
      group: row.group_name,
      cpu: it?.cpu_limit ?? 1,
      memoryGb: it?.memory_limit ?? 1,
      home,
      volume: this.dirs.groupVolume(row.group_name),
      phfs: this.dirs.groupPhfs(row.group_name),
      log: this.dirs.podLog(row.id, pod.name),
      terminationLog: termination,
      pythonEnv: this.opts.pythonEnv,
      sandbox: this.opts.sandbox,
      limits: this.opts.limits,
      env: {
        ...userEnv,
        ...('env' in location ? location.env : {}),
        MODEL_SERVER_PORT: String(port),
        MODEL_SERVER: /mlflow/i.test(row.model_image) ? 'mlflow' : 'sklearn',
        ...('path' in location ? { MODEL_PATH: location.path } : { MODEL_URI: location.registryUri }),
        TERMINATION_LOG: sandboxed ? TERMINATION_LOG : termination,
        // Seldon's operator names the model container; its responses carry it in meta.requestPath
        PREDICTIVE_UNIT_ID: 'model',
        PREDICTIVE_UNIT_IMAGE: row.model_image
      }
    };
    await JobProcess.prepare(launch);
    if (!this.supervised(live) || !pod.wanted) {
      return;
    }
    const proc = JobProcess.start(launch);
    pod.process = proc;
    pod.phase = 'Running';
    this.emit('log', pod.name);
    let resolveExit!: () => void;
    pod.exited = new Promise(r => (resolveExit = r));
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      resolveExit();
      void this.podExited(live, pod, launch.log, termination, code, signal);
    };
    proc.once('error', (err: Error) => {
      void appendLogLine(launch.log, `PrimeHub Local could not start the model server: ${err.message}`);
      onExit(null, null);
    });
    proc.once('exit', onExit);
    await this.watchHealth(live, pod, deadline);
  }

  /** Polls a replica's health check until it answers (ready) or it dies, or the deadline passes (Failed). */
  private async watchHealth(live: Live, pod: Pod, deadline: number): Promise<void> {
    const proc = pod.process;
    while (this.supervised(live) && pod.wanted && pod.process === proc && proc?.running) {
      if (await this.healthy(pod.port!)) {
        pod.ready = true;
        this.updateAvailable(live);
        return;
      }
      if (Date.now() > deadline) {
        if (this.current(live) && !live.deployed) {
          this.fail(
            live,
            `the model server of ${pod.name} did not answer within ${Math.round((this.opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS) / 1000)} s`
          );
        }
        return;
      }
      await new Promise(r => setTimeout(r, HEALTH_POLL_MS));
    }
  }

  private async healthy(port: number): Promise<boolean> {
    try {
      const res = await request(`http://127.0.0.1:${port}/health/ping`, {
        dispatcher: this.agent,
        headersTimeout: 2000,
        bodyTimeout: 2000
      });
      await res.body.dump();
      return res.statusCode === 200;
    } catch {
      return false;
    }
  }

  private updateAvailable(live: Live): void {
    if (!this.current(live)) {
      return;
    }
    const row = this.store.get(live.row.id);
    if (!row) {
      return;
    }
    const ready = live.pods.filter(p => p.ready).length;
    if (row.status === 'Deploying' && ready === live.pods.length) {
      live.deployed = true;
      this.store.recordServing(live.row);
      this.setStatus(row.id, 'Deployed', null);
      this.log.info(`deployment ${row.id} is Deployed (${ready} replicas)`);
      void this.retire(row.id);
    }
  }

  private async podExited(
    live: Live,
    pod: Pod,
    logFile: string,
    terminationFile: string,
    code: number | null,
    signal: NodeJS.Signals | null
  ): Promise<void> {
    pod.ready = false;
    pod.process?.kill();
    await removeJobCgroups(this.opts.limits, pod.name);
    if (!pod.wanted || !this.supervised(live)) {
      this.emit('closed', pod.name);
      return;
    }
    const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
    if (!live.deployed) {
      pod.phase = 'Failed';
      const said = readTerminationMessage(terminationFile).trim() || (await lastLines(logFile, 5));
      this.fail(live, `the model server of ${pod.name} ${why}${said ? `: ${said}` : ''} (see the pod's log)`);
      this.emit('closed', pod.name);
      return;
    }
    // Deployed: a dead replica is restarted, skipped by the proxy meanwhile, with a growing pause.
    pod.restarts++;
    pod.phase = 'Pending';
    const delay = Math.min(30_000, 500 * 2 ** Math.min(pod.restarts - 1, 6));
    await appendLogLine(logFile, `PrimeHub Local: the model server ${why}; restarting it in ${delay / 1000} s`).catch(
      () => undefined
    );
    this.emit('log', pod.name);
    this.log.warn(`deployment ${live.row.id}: replica ${pod.name} ${why}; restarting it`);
    pod.restartTimer = setTimeout(() => {
      pod.restartTimer = undefined;
      if (!this.supervised(live) || !pod.wanted) {
        return;
      }
      this.locate(live.row)
        .then(location =>
          this.startPod(live, pod, location, Date.now() + (this.opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS))
        )
        .catch(err =>
          this.log.warn(`deployment ${live.row.id}: replica ${pod.name} not restarted: ${(err as Error).message}`)
        );
    }, delay);
  }

  /**
   * Failed with `message`; the generation's other replicas are ended, its pods kept listed for their logs. The
   * replicas a failed update was to replace keep serving, as a Deployment's old ReplicaSet does while the new
   * pods fail: they are ended by the next change that succeeds (or a stop).
   */
  private fail(live: Live, message: string): void {
    const id = live.row.id;
    const replaced = this.retiring.get(id);
    const previous = replaced && (replaced.deployed || replaced.pods.some(p => p.ready));
    this.setStatus(
      id,
      'Failed',
      previous ? `the update failed, the previous replicas still serve: ${message}` : message
    );
    if (!previous) {
      void this.haltGeneration(this.retiring, id);
    }
    this.log.warn(`deployment ${id} failed: ${message}`);
    for (const pod of live.pods) {
      pod.wanted = false;
      pod.ready = false;
      clearTimeout(pod.restartTimer);
      pod.process?.terminate(this.opts.killGraceMs);
    }
  }

  /** Ends a deployment's replicas, new and retiring, and forgets them. */
  private async halt(id: string): Promise<void> {
    await Promise.all([this.haltGeneration(this.live, id), this.haltGeneration(this.retiring, id)]);
  }

  /**
   * The generation a rolling update replaced, once the new one is ready: routed to no more, ended when
   * it has answered what it was given (or after {@link DRAIN_TIMEOUT_MS}).
   */
  private async retire(id: string): Promise<void> {
    const old = this.retiring.get(id);
    if (!old) {
      return;
    }
    const busy = old.pods.filter(p => {
      p.ready = false;
      return p.inflight > 0;
    });
    await Promise.all(
      busy.map(
        pod =>
          new Promise<void>(resolve => {
            const timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
            pod.drained = () => {
              clearTimeout(timer);
              resolve();
            };
          })
      )
    );
    if (this.retiring.get(id) === old) {
      await this.haltGeneration(this.retiring, id);
    }
  }

  /** Ends the replicas of a deployment's generation in `generations` and forgets them. */
  private async haltGeneration(generations: Map<string, Live>, id: string): Promise<void> {
    const live = generations.get(id);
    if (!live) {
      return;
    }
    generations.delete(id);
    for (const pod of live.pods) {
      pod.wanted = false;
      pod.ready = false;
      // a retirement waiting for its requests waits no more
      pod.drained?.();
      clearTimeout(pod.restartTimer);
      pod.process?.terminate(this.opts.killGraceMs);
    }
    await Promise.all(live.pods.map(p => (p.process?.running ? p.exited : undefined)));
    for (const pod of live.pods) {
      this.emit('closed', pod.name);
    }
  }

  private setStatus(id: string, status: DeploymentStatus, message: string | null): void {
    if (this.store.get(id)) {
      this.store.update(id, { status, message });
    }
  }
}

/** Whether two specs are the same, field by field. */
function sameSpec(a: DeploymentSpec, b: DeploymentSpec): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof DeploymentSpec>;
  return [...keys].every(k => a[k] === b[k]);
}

/** The last `n` non-empty lines of a log, joined with " | " (a failure's message when it left no termination message). */
async function lastLines(file: string, n: number): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text
      .split('\n')
      .map(l => l.trim())
      .filter(Boolean)
      .slice(-n)
      .join(' | ')
      .slice(-2000);
  } catch {
    return '';
  }
}
