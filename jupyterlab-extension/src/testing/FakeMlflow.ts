/**
 * A small in-memory MLflow REST API for model tests: the calls PrimeHub Local's models fields make
 * (registered models, versions, experiments, runs, artifact listings), answered as MLflow answers
 * them, errors with MLflow's `error_code`. A group points at it with `group set-mlflow`; stopping
 * and starting it again on the same port is an MLflow that went down and came back. The real
 * MLflow is the galata spec's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface IFakeVersion {
  name: string;
  version: string;
  source: string;
  run_id: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
}

/** A run to serve: its artifact files by path (folders are implied). */
export interface IFakeRun {
  runId: string;
  runName: string;
  startTime: number;
  params?: Record<string, string>;
  metrics?: Record<string, number>;
  tags?: Record<string, string>;
  files?: string[];
}

class Failure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
  }
}

export class FakeMlflow {
  private server: Server | null = null;
  private port = 0;
  private readonly experiments = new Map<string, { id: string; runs: IFakeRun[] }>();
  private readonly models = new Map<string, { created: number; versions: IFakeVersion[] }>();

  /** `http://127.0.0.1:<port>`, the tracking URI to give the group. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts listening (again on the same port after `stop`). */
  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops answering: requests are refused (ECONNREFUSED), as for an MLflow that is down. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  }

  /** Adds a run to an experiment (created on first use). */
  addRun(experiment: string, run: IFakeRun): void {
    let e = this.experiments.get(experiment);
    if (!e) {
      e = { id: String(this.experiments.size + 1), runs: [] };
      this.experiments.set(experiment, e);
    }
    e.runs.push(run);
  }

  /** The versions registered so far, by model. */
  registered(): Record<string, Array<{ version: string; run_id: string; source: string }>> {
    const out: Record<string, Array<{ version: string; run_id: string; source: string }>> = {};
    for (const [name, m] of this.models) {
      out[name] = m.versions.map(v => ({ version: v.version, run_id: v.run_id, source: v.source }));
    }
    return out;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const q = (k: string): string => url.searchParams.get(k) ?? '';
    let answer: unknown;
    try {
      answer = this.route(`${req.method} ${url.pathname.replace('/api/2.0/mlflow/', '')}`, q, body);
    } catch (err) {
      const f = err instanceof Failure ? err : new Failure(500, 'INTERNAL_ERROR', String(err));
      res.writeHead(f.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: f.code, message: f.message }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  }

  private route(route: string, q: (k: string) => string, body: Record<string, unknown>): unknown {
    switch (route) {
      case 'GET registered-models/search':
        return { registered_models: [...this.models.keys()].map(n => this.modelJson(n)) };
      case 'GET registered-models/get':
        return { registered_model: this.modelJson(q('name')) };
      case 'POST registered-models/create': {
        const name = String(body.name);
        if (this.models.has(name)) {
          throw new Failure(400, 'RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
        }
        this.models.set(name, { created: Date.now(), versions: [] });
        return { registered_model: this.modelJson(name) };
      }
      case 'GET model-versions/search': {
        const name = /^name='(.*)'$/.exec(q('filter'))?.[1] ?? '';
        return { model_versions: this.models.get(name)?.versions ?? [] };
      }
      case 'GET model-versions/get': {
        const v = this.model(q('name')).versions.find(x => x.version === q('version'));
        if (!v) {
          throw new Failure(
            404,
            'RESOURCE_DOES_NOT_EXIST',
            `Model Version (name=${q('name')}, version=${q('version')}) not found`
          );
        }
        return { model_version: v };
      }
      case 'POST model-versions/create': {
        const m = this.model(String(body.name));
        const now = Date.now();
        const v: IFakeVersion = {
          name: String(body.name),
          version: String(m.versions.length + 1),
          source: String(body.source),
          run_id: String(body.run_id),
          creation_timestamp: now,
          last_updated_timestamp: now
        };
        m.versions.push(v);
        return { model_version: v };
      }
      case 'GET experiments/get-by-name': {
        const e = this.experiments.get(q('experiment_name'));
        if (!e) {
          throw new Failure(
            404,
            'RESOURCE_DOES_NOT_EXIST',
            `Could not find experiment with name '${q('experiment_name')}'`
          );
        }
        return { experiment: { experiment_id: e.id, name: q('experiment_name') } };
      }
      case 'POST runs/search': {
        const ids = (body.experiment_ids as string[]) ?? [];
        return {
          runs: [...this.experiments.values()]
            .filter(e => ids.includes(e.id))
            .flatMap(e => e.runs.map(r => this.runJson(e.id, r)))
        };
      }
      case 'GET runs/get': {
        const found = this.findRun(q('run_id'));
        return { run: this.runJson(found.experimentId, found.run) };
      }
      case 'GET artifacts/list': {
        const { run } = this.findRun(q('run_id'));
        const path = q('path');
        const prefix = path ? `${path}/` : '';
        const entries = new Map<string, boolean>();
        for (const file of run.files ?? []) {
          if (file.startsWith(prefix)) {
            const rest = file.slice(prefix.length).split('/');
            entries.set(prefix + rest[0], rest.length > 1);
          }
        }
        return {
          root_uri: `mlflow-artifacts:/runs/${run.runId}/artifacts`,
          files: [...entries].map(([p, isDir]) =>
            isDir ? { path: p, is_dir: true } : { path: p, is_dir: false, file_size: 10 }
          )
        };
      }
      default:
        throw new Failure(404, 'ENDPOINT_NOT_FOUND', `no route ${route}`);
    }
  }

  private model(name: string): { created: number; versions: IFakeVersion[] } {
    const m = this.models.get(name);
    if (!m) {
      throw new Failure(404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
    }
    return m;
  }

  private modelJson(name: string): unknown {
    const m = this.model(name);
    const last = m.versions[m.versions.length - 1];
    return {
      name,
      creation_timestamp: m.created,
      last_updated_timestamp: last?.last_updated_timestamp ?? m.created,
      latest_versions: last ? [{ name, version: last.version, current_stage: 'None' }] : []
    };
  }

  private findRun(runId: string): { experimentId: string; run: IFakeRun } {
    for (const e of this.experiments.values()) {
      const run = e.runs.find(r => r.runId === runId);
      if (run) {
        return { experimentId: e.id, run };
      }
    }
    throw new Failure(404, 'RESOURCE_DOES_NOT_EXIST', `Run '${runId}' not found`);
  }

  private runJson(experimentId: string, r: IFakeRun): unknown {
    const kv = (o: Record<string, string | number> = {}) => Object.entries(o).map(([key, value]) => ({ key, value }));
    return {
      info: {
        run_id: r.runId,
        run_name: r.runName,
        experiment_id: experimentId,
        status: 'FINISHED',
        start_time: r.startTime,
        end_time: r.startTime + 1000,
        artifact_uri: `mlflow-artifacts:/runs/${r.runId}/artifacts`,
        lifecycle_stage: 'active'
      },
      data: { params: kv(r.params), metrics: kv(r.metrics), tags: kv(r.tags) }
    };
  }
}
