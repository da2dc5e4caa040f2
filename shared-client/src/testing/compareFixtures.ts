/**
 * Test data in the shapes `client.models.mlflowRuns` answers (PrimeHub's camelCase `info`, MLflow's
 * `data`), as a notebook sweep training iris with sklearn autolog leaves them. Tests only.
 */
import { buildNotebookRunScript } from '../notebook/runScript';
import type { JsonValue } from '../notebook/pythonLiteral';
import type { Job } from '../types';

export const SWEEP = 'train-iris-20260101120000-a1b2c3';
const START = Date.parse('2026-01-01T12:00:00Z');

/** A notebook job as `client.notebook.runSweep` submits it (the run script names the sweep). */
export function notebookJob(
  id: string,
  parameters: Record<string, JsonValue>,
  extra: Partial<Job> & { sweepId?: string; notebookPath?: string } = {}
): Job {
  const { sweepId, notebookPath = 'ml/train-iris.ipynb', ...rest } = extra;
  const command = buildNotebookRunScript({
    input: { root: 'volume', path: notebookPath },
    workdir: { root: 'volume', path: 'ml' },
    output: { root: 'volume', path: `ml/${id}-output.ipynb` },
    artifactName: `${id}-output.ipynb`,
    volumeFallback: '/project/phusers',
    parameters,
    tracking: { runName: id, notebookPath, ...(sweepId ? { sweepId } : {}) }
  });
  return {
    id,
    displayName: id,
    cancel: null,
    command,
    groupId: 'g1',
    groupName: 'phusers',
    schedule: null,
    image: 'base-notebook',
    instanceType: null,
    userId: 'u1',
    userName: 'phuser',
    phase: 'Succeeded',
    reason: null,
    message: null,
    createTime: new Date(START).toISOString(),
    startTime: new Date(START).toISOString(),
    finishTime: new Date(START + 60_000).toISOString(),
    activeDeadlineSeconds: null,
    logEndpoint: null,
    ...rest
  };
}

/** A run as PrimeHub's `mlflowRuns` gives it. */
export function primehubRun(
  runId: string,
  runName: string,
  opts: {
    params?: Record<string, string>;
    metrics?: Record<string, number>;
    tags?: Record<string, string>;
    experimentId?: string;
    status?: string;
    start?: number;
    deleted?: boolean;
  } = {}
) {
  const start = START + (opts.start ?? 1_000);
  return {
    info: {
      runId,
      runName,
      experimentId: opts.experimentId ?? '1',
      status: opts.status ?? 'FINISHED',
      startTime: start,
      endTime: start + 30_000,
      artifactUri: `mlflow-artifacts:/1/${runId}/artifacts`,
      lifecycleStage: opts.deleted ? 'deleted' : 'active'
    },
    data: {
      metrics: Object.entries(opts.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: start, step: 0 })),
      params: Object.entries(opts.params ?? {})
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, value]) => ({ key, value })),
      tags: Object.entries({ 'mlflow.runName': runName, 'mlflow.user': 'phuser', ...opts.tags }).map(
        ([key, value]) => ({ key, value })
      )
    }
  };
}

/** The three runs of a sweep over C (autolog's params and metrics; C=1.0 is the most accurate). */
export function sweepRuns(sweepId = SWEEP) {
  const one = (c: string, accuracy: number, loss: number, i: number) =>
    primehubRun(`run${i}`, `train-iris-C=${c}`, {
      start: i * 1000,
      params: { C: c, max_iter: '500', solver: 'lbfgs' },
      metrics: { training_accuracy_score: accuracy, training_log_loss: loss, accuracy },
      tags: {
        'primehub.job_id': `job-${i}`,
        'primehub.sweep_id': sweepId,
        'mlflow.source.name': 'ml/train-iris.ipynb'
      }
    });
  return [one('0.05', 0.84, 0.61, 1), one('0.5', 0.96, 0.21, 2), one('1.0', 0.9733, 0.12, 3)];
}
