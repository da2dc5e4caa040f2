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
