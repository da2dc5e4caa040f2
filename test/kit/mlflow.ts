/** PrimeHub Local's MLflow as tests wait for it: `/api/health`'s `mlflow` state. */
import { existsSync, readFileSync } from 'node:fs';
import { DataDir } from '../../packages/local-server/src/DataDir';
import type { MlflowStatus } from '../../packages/local-server/src/mlflow/MlflowServer';
import type { LocalServerProcess } from './localServer';

/** A start of the real `mlflow server` takes 6 to 15 s on two busy cores (imports and, once, migrations): ample. */
export const MLFLOW_START_MS = 150_000;

export async function mlflowHealth(server: LocalServerProcess): Promise<MlflowStatus> {
  const res = await fetch(`${server.baseUrl}/api/health`);
  return ((await res.json()) as { mlflow: MlflowStatus }).mlflow;
}

/**
 * Waits until /api/health says MLflow runs after `restarts` restarts. Fails at once with the reason when it is
 * disabled or given up (e.g. `mlflow` not installed), and with its log's end when it takes too long.
 */
export async function mlflowRunning(server: LocalServerProcess, restarts = 0): Promise<MlflowStatus & { url: string }> {
  const until = Date.now() + MLFLOW_START_MS;
  for (;;) {
    const m = await mlflowHealth(server);
    if (m.state === 'running' && m.restarts === restarts && m.url) {
      return { ...m, url: m.url };
    }
    if (m.state === 'disabled' || (m.state === 'stopped' && /not restarted/.test(m.reason ?? ''))) {
      throw new Error(`MLflow is ${m.state}: ${m.reason}`);
    }
    if (Date.now() > until) {
      const log = new DataDir(server.dataDir).mlflowLog;
      const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '(no log)';
      throw new Error(`MLflow not running after ${MLFLOW_START_MS} ms: ${JSON.stringify(m)}\n${log}:\n${tail}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
}

/**
 * A job's command training two runs of experiment `iris` (C = 0.05 and 1), each logging its model as `model` and a note as `notes/`;
 * it runs with the group's MLflow variables PrimeHub Local gives every job.
 */
export const TRAIN_IRIS = [
  "python - <<'EOF'",
  'import mlflow',
  'from sklearn.datasets import load_iris',
  'from sklearn.linear_model import LogisticRegression',
  "mlflow.set_experiment('iris')",
  'X, y = load_iris(return_X_y=True)',
  'for c in (0.05, 1.0):',
  "    with mlflow.start_run(run_name=f'C={c}') as run:",
  '        clf = LogisticRegression(C=c, max_iter=500).fit(X, y)',
  "        mlflow.log_param('C', c)",
  "        mlflow.log_metric('accuracy', clf.score(X, y))",
  "        mlflow.sklearn.log_model(clf, name='model')",
  "        mlflow.log_text('trained on iris', 'notes/readme.txt')",
  "        print('RUN', run.info.run_id, c)",
  'EOF'
].join('\n');
