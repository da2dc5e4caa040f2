import { processesWithEnv } from '../../packages/local-server/src/processes';

/** Polls `check` until it returns something truthy, which is returned; fails naming `what` after the timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  intervalMs = 50
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) {
      return value;
    }
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise(r => setTimeout(r, intervalMs));
  }
}

/** Live (non-zombie) processes of a job, found by the PHJOB_NAME PrimeHub Local puts in every job's environment. */
export function jobProcesses(jobId: string): number[] {
  return processesWithEnv(`PHJOB_NAME=${jobId}`);
}
