import { ValidationError } from '../errors';
import type { JsonValue } from './pythonLiteral';

/** One job of an expanded sweep. */
export interface SweepJob {
  /** Readable unique name, e.g. `train-lr=0.1-epochs=5`. */
  name: string;
  /** Fixed parameters merged with this combination. */
  parameters: Record<string, JsonValue>;
}

/** Options of `expandSweep`. */
export interface SweepOptions {
  /** Upper bound of jobs (default 50); more throws ValidationError. */
  maxJobs?: number;
  /** Max characters of one value in names (default 24). */
  maxValueLength?: number;
}

/** Formats a value for a job name: readable, shell- and path-friendly. */
export function formatSweepValue(v: JsonValue, maxLength = 24): string {
  let s: string;
  if (v === null) {
    s = 'None';
  } else if (typeof v === 'string') {
    s = v;
  } else if (typeof v === 'number' || typeof v === 'boolean') {
    s = String(v);
  } else {
    s = JSON.stringify(v);
  }
  s = s.replace(/[^A-Za-z0-9._+-]+/g, '_').replace(/^_+|_+$/g, '');
  if (s === '') {
    s = '_';
  }
  return s.length > maxLength ? s.slice(0, maxLength) : s;
}

/**
 * Expands a sweep (several values per parameter) into the cartesian product of job specs,
 * in the order the parameters and values are given.
 */
export function expandSweep(
  baseName: string,
  fixed: Record<string, JsonValue>,
  sweep: Record<string, ReadonlyArray<JsonValue>>,
  options: SweepOptions = {}
): SweepJob[] {
  const maxJobs = options.maxJobs ?? 50;
  const keys = Object.keys(sweep);
  let total = 1;
  for (const k of keys) {
    const values = sweep[k];
    if (!Array.isArray(values) || values.length === 0) {
      throw new ValidationError(`sweep parameter "${k}" needs at least one value`);
    }
    total *= values.length;
    if (total > maxJobs) {
      const full = keys.reduce((a, key) => a * Math.max(1, sweep[key]?.length ?? 1), 1);
      throw new ValidationError(
        `the sweep would create ${full} jobs, more than the limit of ${maxJobs}; remove values or raise maxJobs`
      );
    }
  }
  const jobs: SweepJob[] = [];
  const used = new Set<string>();
  const combo = new Array<number>(keys.length).fill(0);
  for (let n = 0; n < total; n++) {
    const params: Record<string, JsonValue> = { ...fixed };
    const parts: string[] = [baseName];
    keys.forEach((k, i) => {
      const v = sweep[k][combo[i]];
      params[k] = v;
      parts.push(`${k}=${formatSweepValue(v, options.maxValueLength)}`);
    });
    const base = parts.join('-');
    let name = base;
    // formatting can map distinct values to one name ("a b" and "a_b")
    for (let i = 2; used.has(name); i++) {
      name = `${base}-${i}`;
    }
    used.add(name);
    jobs.push({ name, parameters: params });
    for (let i = keys.length - 1; i >= 0; i--) {
      combo[i]++;
      if (combo[i] < sweep[keys[i]].length) {
        break;
      }
      combo[i] = 0;
    }
  }
  return jobs;
}
