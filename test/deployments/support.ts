/** What the deployment suites share: GraphQL calls on deployments, waiting on a status, the prediction endpoint. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gql, gqlOk } from '../kit/http';
import { REPO_ROOT, type LocalServerProcess } from '../kit/localServer';
import { waitFor } from '../kit/wait';

export const PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');
/** The test models' Python files (the echo model, seldon-core user classes, the training script). */
export const MODELS_DIR = join(__dirname, 'models');
export const SKLEARN_IMAGE = 'infuseai/sklearn-prepackaged:v0.1.0';
export const MLFLOW_IMAGE = 'seldonio/mlflowserver:1.17.1';

export const DEPLOYMENT_FIELDS =
  'id name status message stop replicas availableReplicas endpoint modelURI modelImage endpointAccessType userName lastUpdatedTime';

/** Known iris rows: a setosa, a versicolor and a virginica. */
export const IRIS_ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.4, 3.2, 4.5, 1.5],
  [6.7, 3.0, 5.2, 2.3]
];

/** The class with the highest probability in each row of a Seldon `t:0…t:2` answer. */
export const classes = (rows: number[][]): number[] => rows.map(r => r.indexOf(Math.max(...r)));

/** Fails with the reason when the project's virtualenv is missing (the bootstrap makes it). */
export function requirePython(): void {
  if (!existsSync(PYTHON)) {
    throw new Error(`no virtualenv at ${PYTHON}: run the bootstrap (npm test) first`);
  }
}

/** The folders of the test models: see {@link trainModels}. */
export interface ModelTargets {
  /** `model.joblib`, the iris classifier. */
  iris?: string;
  /** The same classifier as an MLflow sklearn model folder. */
  irisMlflow?: string;
  /** The echo model as an MLflow pyfunc folder. */
  echo?: string;
}

/**
 * Copies the trained test models to the folders asked for (made when missing). `models/train.py` runs once for the
 * content of the training scripts and of the virtualenv (its bootstrap stamp), into a folder under the temporary
 * directory that later suites copy from: it cost each deployment suite 4 to 12 s.
 */
export function trainModels(targets: ModelTargets): void {
  const trained = trainedModels();
  const folders: Record<keyof ModelTargets, string> = { iris: 'iris', irisMlflow: 'iris-mlflow', echo: 'echo' };
  for (const [model, target] of Object.entries(targets) as [keyof ModelTargets, string | undefined][]) {
    if (target) {
      cpSync(join(trained, folders[model]), target, { recursive: true });
    }
  }
}

function trainedModels(): string {
  const key = createHash('sha256');
  for (const file of ['train.py', 'echo_model.py']) {
    key.update(readFileSync(join(MODELS_DIR, file)));
  }
  const stamp = join(REPO_ROOT, '.venv', '.bootstrap-stamp');
  key.update(existsSync(stamp) ? readFileSync(stamp) : 'no stamp');
  const dir = join(tmpdir(), `phl-test-models-${key.digest('hex').slice(0, 16)}`);
  if (existsSync(dir)) {
    return dir;
  }
  // trained beside and renamed into place, so a suite in the other worker never sees a half-written folder
  const partial = mkdtempSync(`${dir}.partial-`);
  mkdirSync(join(partial, 'iris'));
  const trained = spawnSync(PYTHON, [join(MODELS_DIR, 'train.py'), partial], {
    cwd: MODELS_DIR,
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }
  });
  if (trained.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`training the test models failed: ${trained.stderr}`);
  }
  try {
    renameSync(partial, dir);
  } catch (err) {
    // the other worker finished first: its models are the same
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(dir)) {
      throw err;
    }
  }
  return dir;
}

/** GraphQL on one PrimeHub Local's deployments, as its default user. */
export class Deployments {
  constructor(private readonly server: LocalServerProcess) {}

  /** `createPhDeployment` with the sklearn server, cpu-1 and the default group unless `data` says otherwise. */
  create(data: Record<string, unknown>) {
    return gql(
      this.server.endpoint,
      this.server.token,
      `mutation ($data: PhDeploymentCreateInput!) { createPhDeployment(data: $data) { ${DEPLOYMENT_FIELDS} } }`,
      {
        data: {
          name: data.id,
          groupId: this.server.groupId,
          instanceType: 'cpu-1',
          modelImage: SKLEARN_IMAGE,
          ...data
        }
      }
    );
  }

  /** {@link create}, failing on a GraphQL error. */
  async createOk(data: Record<string, unknown>): Promise<any> {
    const res = await this.create(data);
    if (res.body.errors) {
      throw new Error(`createPhDeployment failed: ${JSON.stringify(res.body.errors)}`);
    }
    return res.body.data!.createPhDeployment;
  }

  async update(id: string, data: Record<string, unknown>): Promise<any> {
    return (
      await gqlOk(
        this.server.endpoint,
        this.server.token,
        `mutation ($where: PhDeploymentWhereUniqueInput!, $data: PhDeploymentUpdateInput!) { updatePhDeployment(where: $where, data: $data) { ${DEPLOYMENT_FIELDS} } }`,
        { where: { id }, data }
      )
    ).updatePhDeployment;
  }

  async delete(id: string): Promise<void> {
    await gqlOk(
      this.server.endpoint,
      this.server.token,
      'mutation ($where: PhDeploymentWhereUniqueInput!) { deletePhDeployment(where: $where) { id } }',
      { where: { id } }
    );
  }

  async get(id: string): Promise<any> {
    return (
      await gqlOk(
        this.server.endpoint,
        this.server.token,
        `query ($where: PhDeploymentWhereUniqueInput!) { phDeployment(where: $where) { ${DEPLOYMENT_FIELDS} pods { name phase logEndpoint } } }`,
        { where: { id } }
      )
    ).phDeployment;
  }

  /** Waits until the deployment has `status`; a Failed one fails at once with its message. */
  waitStatus(id: string, status: string, timeoutMs = 60_000): Promise<any> {
    return waitFor(
      `deployment ${id} to be ${status}`,
      async () => {
        const d = await this.get(id);
        if (d.status === 'Failed' && status !== 'Failed') {
          throw new Error(`deployment ${id} failed: ${d.message}`);
        }
        return d.status === status && d;
      },
      timeoutMs,
      100
    );
  }

  /** A request to the deployment's prediction endpoint (`path` after `/deployment/<id>/`). */
  send(id: string, init: RequestInit = {}, path = 'api/v1.0/predictions'): Promise<Response> {
    return fetch(`${this.server.baseUrl}/deployment/${id}/${path}`, { method: 'POST', ...init });
  }

  /** POSTs `body` (JSON unless a string) to the deployment's prediction endpoint. */
  predict(id: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.send(id, {
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body)
    });
  }
}

/**
 * Sends iris predictions to a deployment from `senders` loops until `stop()`, which resolves to the number answered
 * and every answer that was not a 200 with the right classes; `answered()` counts them so far.
 */
export function keepPredicting(
  deployments: Deployments,
  id: string,
  senders = 2
): { answered(): number; stop(): Promise<{ answered: number; failures: string[] }> } {
  const failures: string[] = [];
  let answered = 0;
  let sending = true;
  const loop = async () => {
    while (sending) {
      try {
        const res = await deployments.predict(id, { data: { ndarray: IRIS_ROWS } });
        const text = await res.text();
        if (res.status !== 200 || JSON.stringify(classes(JSON.parse(text).data.ndarray)) !== '[0,1,2]') {
          failures.push(`${res.status} ${text}`);
        }
      } catch (err) {
        failures.push(String(err));
      }
      answered++;
    }
  };
  const loops = Array.from({ length: senders }, loop);
  return {
    answered: () => answered,
    async stop() {
      sending = false;
      await Promise.all(loops);
      return { answered, failures };
    }
  };
}

/** A status and a JSON body (the text when it is not JSON). */
export async function answerOf(res: Response): Promise<{ status: number; body: unknown }> {
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

/** A free loopback port. */
export { freePort } from '../../scripts/machine.cjs';

/**
 * The real seldon-core 1.17.1 microservice (`seldon-core-microservice <userClass>` from `.venv-seldon-core`,
 * made by the test bootstrap) serving a user class of {@link MODELS_DIR}, in a process group of its own.
 */
export class SeldonMicroservice {
  static readonly VENV = join(REPO_ROOT, '.venv-seldon-core');
  output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number
  ) {}

  /** Starts it on free ports (HTTP, gRPC and metrics, which it binds on every interface) and waits for its health check. */
  static async start(
    userClass: string,
    ports: [number, number, number],
    env: Record<string, string>
  ): Promise<SeldonMicroservice> {
    const bin = join(SeldonMicroservice.VENV, 'bin', 'seldon-core-microservice');
    if (!existsSync(bin)) {
      throw new Error(`no seldon-core 1.17.1 at ${bin}: run the test bootstrap (npm test) first`);
    }
    const [http, grpc, metrics] = ports.map(String);
    const child = spawn(
      bin,
      [userClass, '--service-type', 'MODEL', '--http-port', http, '--grpc-port', grpc, '--metrics-port', metrics],
      {
        cwd: MODELS_DIR,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: '1', ...env }
      }
    );
    const service = new SeldonMicroservice(child, ports[0]);
    child.stdout!.on('data', d => (service.output += d));
    child.stderr!.on('data', d => (service.output += d));
    await waitFor(
      `seldon-core-microservice ${userClass} to answer on ${http}`,
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`seldon-core-microservice ${userClass} exited with ${child.exitCode}:\n${service.output}`);
        }
        try {
          return (await fetch(`http://127.0.0.1:${http}/health/ping`)).status === 200;
        } catch {
          return false;
        }
      },
      60_000,
      100
    );
    return service;
  }

  /** A request to the microservice itself (`path` as on the deployment's endpoint). */
  send(init: RequestInit = {}, path = 'api/v1.0/predictions'): Promise<Response> {
    return fetch(`http://127.0.0.1:${this.port}/${path}`, { method: 'POST', ...init });
  }

  /** Ends its gunicorn and workers (its own process group) and waits for the exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const exited = new Promise(r => this.child.once('exit', r));
    process.kill(-this.child.pid!, 'SIGTERM');
    await exited;
  }
}
