/**
 * Rerun: a notebook job runs its notebook again (its snapshot is gone by then) with the same or
 * edited values, in the job's own group; any other job is rerun by PrimeHub.
 */
import { parseNotebookParameters, type JsonValue } from '@primehub-suite/client/notebook';
import type { Job } from '@primehub-suite/client/browser';
import { notebookPathsOf, originalOfSnapshot } from '../models/notebookJobs';
import { submitNotebook, type ISubmitResult } from '../submitNotebook';
import type { IPrimeHub } from '../tokens';

/** The form of a rerun with edited parameters. */
export interface IRerunForm {
  path: string;
  notebook: string | object;
  group: string;
  prefill: { parameters: Record<string, JsonValue>; instanceType?: string; image?: string; name?: string };
}

/** What a rerun led to: the form to show (edit), or the jobs submitted. */
export type RerunOutcome = { form: IRerunForm } | { submitted: ISubmitResult };

/** What the flow needs of JupyterLab. */
export interface IRerunFlowDeps {
  hub: IPrimeHub;
  contents: { get(path: string, options: { content: boolean }): Promise<{ content: unknown }> };
}

/** Reruns `job` (as it ran, or with the form when `edit`). */
export async function rerunJob(deps: IRerunFlowDeps, job: Job, edit: boolean): Promise<RerunOutcome> {
  const { hub } = deps;
  const group = job.groupName ?? hub.group ?? hub.config?.group.name ?? '';
  const nb = notebookPathsOf(job.command, hub.config?.groupVolume ?? null);
  if (!nb || !nb.input) {
    const again = await hub.client.jobs.rerun(job.id);
    return { submitted: { jobs: [{ job: again, output: null }] } };
  }
  const path = originalOfSnapshot(nb.input);
  const notebook = (await deps.contents.get(path, { content: true })).content as object;
  const prefill = {
    parameters: nb.parameters,
    instanceType: job.instanceType?.name,
    image: job.image ?? undefined,
    name: job.displayName ?? undefined
  };
  if (edit) {
    return { form: { path, notebook, group, prefill } };
  }
  const submitted = await submitNotebook(hub, {
    path,
    group,
    instanceType: prefill.instanceType ?? hub.config?.instanceType ?? '',
    image: prefill.image ?? hub.config?.image ?? '',
    timeoutMinutes: hub.settings.defaultTimeoutMinutes,
    name: prefill.name ?? 'rerun',
    parameters: nb.parameters,
    declared: parseNotebookParameters(notebook).parameters
  });
  return { submitted };
}
