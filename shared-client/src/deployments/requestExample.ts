/** A sample prediction request from what MLflow recorded of a model: its input example or signature. */
import type { PredictInput } from '../resources/DeploymentsApi';

/** Rows of an input example kept in a sample request. */
const MAX_ROWS = 5;
/** Larger tensor signatures (images…) are not worth a sample of zeros. */
const MAX_VALUES = 1024;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parsed(value: unknown): unknown {
  if (typeof value !== 'string') {
    return value;
  }
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function rowsOf(data: unknown): unknown[] | undefined {
  return Array.isArray(data) && data.length > 0 ? data.slice(0, MAX_ROWS) : undefined;
}

/** The value a column or tensor of this MLflow type gets in a sample. */
function zeroOf(type: unknown): unknown {
  const t = String(type ?? '');
  if (/^(string|str|object|binary|bytes)$/.test(t)) {
    return '';
  }
  if (/^bool/.test(t)) {
    return false;
  }
  return /^(long|integer|int\d*|uint\d*)$/.test(t) ? 0 : 0.0;
}

/** Zeros of a tensor shape, its first (batch) dimension of -1 taken as one row. */
function zeros(shape: number[], value: unknown): unknown {
  const dims = shape.map((d, i) => (d < 0 ? (i === 0 ? 1 : undefined) : d));
  if (dims.some(d => d === undefined) || dims.reduce<number>((a, d) => a * (d ?? 0), 1) > MAX_VALUES) {
    return undefined;
  }
  const build = (level: number): unknown =>
    level === dims.length ? value : Array.from({ length: dims[level]! }, () => build(level + 1));
  return build(0);
}

function fromExample(example: unknown): PredictInput | undefined {
  const ex = parsed(example);
  if (Array.isArray(ex)) {
    const rows = rowsOf(ex);
    return rows && { ndarray: rows };
  }
  if (!isRecord(ex)) {
    return undefined;
  }
  // MLflow's serving formats: {"inputs": …}, {"dataframe_split": {columns, data}}, {"dataframe_records": […]},
  // and the split orient a pandas example is saved in ({columns, data})
  if ('inputs' in ex) {
    return fromExample(ex.inputs);
  }
  const split = isRecord(ex.dataframe_split) ? ex.dataframe_split : ex;
  if (Array.isArray(split.columns) && Array.isArray(split.data)) {
    const rows = rowsOf(split.data);
    return rows && { ndarray: rows, names: split.columns.map(String) };
  }
  if (Array.isArray(ex.dataframe_records) && ex.dataframe_records.every(isRecord)) {
    const records = ex.dataframe_records.slice(0, MAX_ROWS) as Record<string, unknown>[];
    const names = records.length > 0 ? Object.keys(records[0]!) : [];
    return names.length > 0 ? { ndarray: records.map(r => names.map(n => r[n])), names } : undefined;
  }
  return undefined;
}

function fromSignature(inputs: unknown): PredictInput | undefined {
  const specs = parsed(inputs);
  if (!Array.isArray(specs) || specs.length === 0 || !specs.every(isRecord)) {
    return undefined;
  }
  const tensor = specs[0]!['tensor-spec'];
  if (specs[0]!.type === 'tensor' && isRecord(tensor) && Array.isArray(tensor.shape)) {
    const sample = zeros(tensor.shape.map(Number), zeroOf(tensor.dtype));
    return Array.isArray(sample) ? { ndarray: sample } : undefined;
  }
  const names = specs.map((s, i) => (typeof s.name === 'string' ? s.name : `t:${i}`));
  return { ndarray: [specs.map(s => zeroOf(s.type))], names };
}

/**
 * A sample request for a model: its MLflow input example when there is one (first rows kept),
 * else one row of zeros shaped by its signature's `inputs` (tensor-spec or columns, JSON text or
 * parsed); undefined when neither says enough to build one.
 */
export function exampleRequest(signatureInputs?: unknown, inputExample?: unknown): PredictInput | undefined {
  return fromExample(inputExample) ?? fromSignature(signatureInputs);
}
