import { mlflowError } from '../errors';
import type { MlflowSetting } from './groupMlflow';
import { MlflowNoAnswer, type MlflowAnswer, type MlflowHttp } from './MlflowHttp';

/** PrimeHub's resolver gives MLflow 10 s per call. */
const DEFAULT_TIMEOUT_MS = 10_000;
/** What MLflow 3 reads `MLFLOW_WORKSPACE` into. */
const WORKSPACE_HEADER = 'X-MLFLOW-WORKSPACE';

/** MLflow's error body: `{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "..."}`. */
interface MlflowErrorBody {
  error_code?: unknown;
  message?: unknown;
}

/** True for MLflow's own answer that what was to be created exists (e.g. `registered-models/create`). */
export function isAlreadyThere(err: unknown): boolean {
  return (err as { code?: unknown } | undefined)?.code === 'RESOURCE_ALREADY_EXISTS';
}

/**
 * The headers that sign a request in to MLflow as `trackingEnvs` say, as MLflow's Python client does:
 * `MLFLOW_TRACKING_TOKEN` as a bearer token, else `MLFLOW_TRACKING_USERNAME`/`_PASSWORD` as basic auth;
 * `MLFLOW_WORKSPACE` as MLflow 3's workspace header. They hold a secret: never log them.
 */
export function mlflowAuthHeaders(envs: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  if (envs.MLFLOW_TRACKING_TOKEN) {
    headers.authorization = `Bearer ${envs.MLFLOW_TRACKING_TOKEN}`;
  } else if (envs.MLFLOW_TRACKING_USERNAME) {
    const pair = `${envs.MLFLOW_TRACKING_USERNAME}:${envs.MLFLOW_TRACKING_PASSWORD ?? ''}`;
    headers.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }
  if (envs.MLFLOW_WORKSPACE) {
    headers[WORKSPACE_HEADER] = envs.MLFLOW_WORKSPACE;
  }
  return headers;
}

/**
 * MLflow's REST API (`<trackingUri>/api/2.0/mlflow/...`) as PrimeHub's models resolvers call it:
 * signed in with the group's `trackingEnvs` (`MLFLOW_TRACKING_TOKEN` as a bearer token, else
 * `MLFLOW_TRACKING_USERNAME`/`_PASSWORD` as basic auth; `MLFLOW_WORKSPACE` as MLflow 3's workspace
 * header), bounded by a timeout, with MLflow's `error_code` passed through and "MLflow is not
 * reachable" when it is down or silent.
 */
export class MlflowRest {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(
    setting: MlflowSetting,
    private readonly http: MlflowHttp,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS
  ) {
    this.base = setting.trackingUri.replace(/\/+$/, '');
    this.headers = { accept: 'application/json', ...mlflowAuthHeaders(setting.trackingEnvs) };
  }

  /**
   * `GET <api>/<path>?<query>`. With `lookup` (what is looked up, e.g. `run 0a1b…`), MLflow's refusal
   * (basic auth's 403, which it also gives for what does not exist, so as not to tell) becomes
   * `RESOURCE_DOES_NOT_EXIST`: the group's own account may read everything of its group.
   */
  get<T>(path: string, query: Record<string, string | number | undefined> = {}, lookup?: string): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined) {
        params.set(k, String(v));
      }
    }
    const qs = params.toString();
    return this.call<T>('GET', qs ? `${path}?${qs}` : path, undefined, lookup);
  }

  /** `POST <api>/<path>` with a JSON body. */
  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, lookup?: string): Promise<T> {
    const first = await this.send(method, `/api/2.0/mlflow/${path}`, body);
    // an MLflow that serves the API only under its old prefix answers a bare 404 (no error_code)
    const res =
      first.status === 404 && errorCode(parse(first.text)) === undefined
        ? await this.send(method, `/api/2.0/preview/mlflow/${path}`, body)
        : first;
    const json = parse(res.text);
    if (res.status >= 200 && res.status < 300 && json !== undefined) {
      return json as T;
    }
    const code = errorCode(json);
    if (code !== undefined) {
      const { message } = json as MlflowErrorBody;
      throw mlflowError(typeof message === 'string' && message ? message : code, code, res.status);
    }
    if (res.status === 403 && lookup) {
      throw mlflowError(`${lookup} does not exist in this group's MLflow`, 'RESOURCE_DOES_NOT_EXIST', 404);
    }
    // basic auth answers 401/403 in plain text
    const said = res.text.replace(/\s+/g, ' ').trim().slice(0, 200);
    throw mlflowError(`MLflow at ${this.base} answered HTTP ${res.status}${said ? `: ${said}` : ''}`);
  }

  private async send(method: 'GET' | 'POST', path: string, body: unknown): Promise<MlflowAnswer> {
    try {
      return await this.http.send(`${this.base}${path}`, {
        method,
        headers: this.headers,
        json: body,
        timeoutMs: this.timeoutMs
      });
    } catch (err) {
      if (err instanceof MlflowNoAnswer) {
        throw mlflowError(`MLflow is not reachable at ${this.base}: ${err.why}`, undefined, 503);
      }
      throw err;
    }
  }
}

/** A body as JSON (an empty one is `{}`); undefined when it is not JSON. */
function parse(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : {};
  } catch {
    return undefined;
  }
}

/** MLflow's own error code in a parsed body, if it has one. */
function errorCode(json: unknown): string | undefined {
  const code = (json as MlflowErrorBody | undefined)?.error_code;
  return typeof code === 'string' ? code : undefined;
}
