import type { JobPhase } from '../db/JobStore';

/** A job's final phase, reason and message, as PrimeHub reports them. */
export type Outcome = [JobPhase, string, string];

/** Why PrimeHub Local stopped a job itself. */
export type StopReason = 'cancel' | 'deadline' | 'shutdown';

export const DEADLINE_OUTCOME: Outcome = [
  'Failed',
  'DeadlineExceeded',
  'Job was active longer than specified deadline'
];
export const SHUTDOWN_OUTCOME: Outcome = [
  'Failed',
  'ServerShutdown',
  'PrimeHub Local stopped while the job was running; the job was stopped'
];
/** A process of the job was killed for using more memory than its instance type holds (PrimeHub's reason). */
export const OOM_OUTCOME: Outcome = [
  'Failed',
  'OOMKilled',
  "Job failed: it used more memory than its instance type's limit and was killed (OOMKilled)"
];
export const RESTART_MESSAGE = 'PrimeHub Local restarted while the job was running; the job was stopped';

/** The outcome of a command that exited by itself. */
export function exitOutcome(code: number | null, signal: NodeJS.Signals | null): Outcome {
  if (code === 0) {
    return ['Succeeded', 'PodSucceeded', 'Job completed'];
  }
  return [
    'Failed',
    'PodFailed',
    signal ? `Job failed: the command was killed by ${signal}` : `Job failed: the command exited with code ${code}`
  ];
}

/** The outcome when the command could not start. */
export function startErrorOutcome(message: string): Outcome {
  return ['Failed', 'StartError', `The job could not start: ${message}`];
}
