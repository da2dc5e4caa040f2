/** Reading a Seldon v1 answer: its table of predictions, and what a failed one says. */

/** A Seldon answer as a table: one row per instance, one column per name. */
export interface PredictionTable {
  columns: string[];
  rows: unknown[][];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `t:0…t:n-1`, the names seldon-core gives a 2-D answer without class names. */
function defaultNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `t:${i}`);
}

/** Rows of a tensor `{shape, values}`: a 1-D tensor is one row, 2-D is a row each, deeper is not a table. */
function tensorRows(tensor: unknown): unknown[][] | undefined {
  if (!isRecord(tensor) || !Array.isArray(tensor.shape) || !Array.isArray(tensor.values)) {
    return undefined;
  }
  const shape = tensor.shape as unknown[];
  const values = tensor.values as unknown[];
  if (shape.length === 1) {
    return [values];
  }
  if (shape.length !== 2 || typeof shape[0] !== 'number' || typeof shape[1] !== 'number') {
    return undefined;
  }
  const [n, width] = shape as [number, number];
  if (n * width !== values.length) {
    return undefined;
  }
  return Array.from({ length: n }, (_, i) => values.slice(i * width, (i + 1) * width));
}

/** Rows of an ndarray: a list of lists is a row each, a flat list is one value per row. */
function ndarrayRows(ndarray: unknown): unknown[][] | undefined {
  if (!Array.isArray(ndarray)) {
    return undefined;
  }
  if (ndarray.every(Array.isArray)) {
    return ndarray as unknown[][];
  }
  return ndarray.map(v => [v]);
}

/**
 * A Seldon answer's `data` (`ndarray` or `tensor`, with `names`) as a table; undefined when the
 * answer is not tabular (`strData`, `jsonData`, `binData`), so the caller shows it as text or JSON.
 */
export function predictionTable(response: unknown): PredictionTable | undefined {
  if (!isRecord(response) || !isRecord(response.data)) {
    return undefined;
  }
  const data = response.data;
  const rows = 'tensor' in data ? tensorRows(data.tensor) : ndarrayRows(data.ndarray);
  if (!rows) {
    return undefined;
  }
  const width = Math.max(0, ...rows.map(r => r.length));
  const names = Array.isArray(data.names) ? data.names.map(String) : [];
  const columns = names.length === width ? names : [...names, ...defaultNames(width).slice(names.length)];
  return { columns, rows };
}

const REASONS: Record<string, string> = {
  MICROSERVICE_BAD_DATA: 'The model server could not use the request',
  MICROSERVICE_INTERNAL_ERROR: 'The model server failed while predicting',
  UNAUTHORIZED: 'The endpoint is private and refused the credentials',
  REQUEST_TOO_LARGE: 'The request is larger than the endpoint takes',
  DEPLOYING: 'The deployment is still starting',
  STOPPING: 'The deployment is stopping',
  STOPPED: 'The deployment is stopped',
  FAILED: 'The deployment failed',
  UNAVAILABLE: 'No replica of the deployment is ready'
};

const STATUSES: Record<number, string> = {
  400: 'The model server could not use the request',
  401: 'The endpoint is private: send a client name and token',
  403: 'The credentials are not allowed to call this endpoint',
  404: 'There is no deployment at this endpoint',
  413: 'The request is larger than the endpoint takes',
  500: 'The model server failed while predicting',
  502: 'The model server could not be reached',
  503: 'The endpoint is not serving',
  504: 'The model server did not answer in time'
};

/** Sentence case, one trailing full stop. */
function sentence(text: string): string {
  const t = text.trim().replace(/[.\s]+$/, '');
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}.`;
}

/**
 * One sentence saying why a prediction failed: Seldon's error body
 * (`{"status":{"code":-1,"info":"…","reason":"MICROSERVICE_BAD_DATA"}}`) decoded, else the HTTP
 * status explained with whatever text the answer carried.
 */
export function describePredictionFailure(status: number, body: unknown): string {
  const general = STATUSES[status] ?? (status >= 500 ? 'The endpoint failed' : 'The endpoint refused the request');
  if (isRecord(body) && isRecord(body.status)) {
    const info = typeof body.status.info === 'string' ? body.status.info.trim() : '';
    const reason = typeof body.status.reason === 'string' ? body.status.reason : '';
    const lead = REASONS[reason] ?? general;
    return sentence(info ? `${lead} (HTTP ${status}): ${info}` : `${lead} (HTTP ${status})`);
  }
  let text = '';
  if (typeof body === 'string') {
    // an HTML error page says nothing a sentence can use
    text = body.trim().startsWith('<') ? '' : body.trim().slice(0, 300);
  } else if (isRecord(body) && typeof body.message === 'string') {
    text = body.message;
  } else if (body !== undefined && body !== null && body !== '') {
    text = JSON.stringify(body).slice(0, 300);
  }
  return sentence(text ? `${general} (HTTP ${status}): ${text}` : `${general} (HTTP ${status})`);
}
