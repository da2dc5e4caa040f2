import type { Job, PrimeHubClient } from '@primehub-suite/client/browser';
import { failureHint, notebookFailure, outputArtifactOf } from './notebookJobs';

/** A message that says no more than that the job's command failed. */
const GENERIC_MESSAGE = /^(job failed: )?(the )?command exited with code \d+\.?$/i;

/** The output notebook papermill leaves in a job's artifacts is read only up to this size. */
const MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024;

async function text(body: AsyncIterable<Uint8Array>, limit: number): Promise<string | null> {
  const decoder = new TextDecoder();
  let out = '';
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) {
      return null;
    }
    out += decoder.decode(chunk, { stream: true });
  }
  return out + decoder.decode();
}

/**
 * Why a job failed, in one line: PrimeHub's message when it says more than an exit code, else
 * the failing cell and its exception from the output notebook in its artifacts, else what the
 * end of its log tells (a missing papermill). '' when nothing more is known.
 */
export async function failureOf(client: PrimeHubClient, job: Job): Promise<string> {
  // PrimeHub's controller words a container's termination message "Job failed due to <reason>: <message>".
  const message = (job.message ?? '').trim().replace(/^Job failed due to \w+: /, '');
  if (message && !GENERIC_MESSAGE.test(message)) {
    return message;
  }
  const artifact = outputArtifactOf(job.command);
  if (artifact) {
    try {
      const download = await client.jobs.downloadArtifact(job.id, artifact);
      const notebook = await text(download.body, MAX_NOTEBOOK_BYTES);
      const failure = notebook === null ? null : notebookFailure(notebook);
      if (failure) {
        return failure;
      }
    } catch {
      // No output notebook (papermill never started): the log may say why.
    }
  }
  try {
    const lines: string[] = [];
    for await (const line of client.jobs.logs(job.id, { tail: 50 })) {
      lines.push(line);
    }
    return failureHint(lines).replace(/^: /, '');
  } catch {
    return '';
  }
}
