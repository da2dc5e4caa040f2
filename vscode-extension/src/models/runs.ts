import type { Job } from '@primehub-suite/client';
import { experimentCandidates, type MlflowRun } from '@primehub-suite/client/compare';
import type { RunModelFolder } from '@primehub-suite/client/deployments';
import { parseNotebookRunScript } from '@primehub-suite/client/notebook';

/** An MLflow run as the Models view and Register Model show it (the client's Compare reads it). */
export type RunSummary = MlflowRun;

/** A metric as a list shows it: four significant digits, integers whole. */
export function formatMetric(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/** One line of a run's parameters and metrics: `C=1.0 · accuracy=0.9733`. */
export function runValuesText(run: RunSummary): string {
  return [...run.params.map(([k, v]) => `${k}=${v}`), ...run.metrics.map(([k, v]) => `${k}=${formatMetric(v)}`)].join(
    ' · '
  );
}

/**
 * The experiment a notebook job's MLflow run is in unless the notebook sets its own: the one
 * named after its notebook, as the job's script picks it. Undefined for other jobs.
 */
export function notebookExperiment(job: Pick<Job, 'command'>): string | undefined {
  return parseNotebookRunScript(job.command) ? experimentCandidates(job)[0] : undefined;
}

/** An experiment name offered by Register Model, with where it comes from. */
export interface ExperimentSuggestion {
  name: string;
  /** e.g. `notebook job train-iris` */
  source: string;
}

/** The experiments of the group's notebook jobs, newest job first, each once. */
export function notebookExperiments(jobs: readonly Job[]): ExperimentSuggestion[] {
  const seen = new Map<string, ExperimentSuggestion>();
  for (const job of jobs) {
    const name = notebookExperiment(job);
    if (name && !seen.has(name)) {
      seen.set(name, { name, source: `notebook job ${job.displayName ?? job.id}` });
    }
  }
  return [...seen.values()];
}

/**
 * The MLflow UI's base address as this window reaches it, given what `vscode.env.asExternalUri`
 * made of it: the same address locally; a forwarded port (remote VS Code), which keeps the path;
 * or code-server's port proxy (`/proxy/<port>/`), which keeps nothing of the original path, so the
 * path is put back after the proxy's.
 */
export function externalUiBase(uiUrl: string, external: string): string {
  let original: URL;
  let resolved: URL;
  try {
    original = new URL(uiUrl);
    resolved = new URL(external);
  } catch {
    return uiUrl;
  }
  if (original.origin === resolved.origin && original.pathname === resolved.pathname) {
    return uiUrl;
  }
  const path = original.pathname.replace(/^\/+|\/+$/g, '');
  const base = `${resolved.origin}${resolved.pathname.replace(/\/+$/, '')}`;
  return path && !base.endsWith(`/${path}`) ? `${base}/${path}` : base;
}

/**
 * `url`, a page of the MLflow UI at `uiUrl` (its ticket and fragment included), at the address this window
 * reaches that UI at ({@link externalUiBase}); other URLs unchanged.
 */
export function onExternalBase(url: string, uiUrl: string, externalBase: string): string {
  const ui = uiUrl.replace(/\/+$/, '');
  return url.startsWith(ui) ? `${externalBase.replace(/\/+$/, '')}${url.slice(ui.length)}` : url;
}

/** A folder of a run's artifacts that Register Model offers (`isModel`: it holds an `MLmodel`). */
export type ArtifactFolder = RunModelFolder;
