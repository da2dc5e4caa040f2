import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
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

/** Where a job writes its termination message, as in a Kubernetes container. */
export const TERMINATION_LOG = '/dev/termination-log';

/** The most of a termination message Kubernetes keeps (and so PrimeHub shows). */
export const TERMINATION_MESSAGE_BYTES = 4096;

/**
 * The outcome of a command that exited by itself. A failed job that left a termination message
 * (see {@link TERMINATION_LOG}) fails with it, in the words of PrimeHub's job controller:
 * `Job failed due to Error: <message>`.
 */
export function exitOutcome(code: number | null, signal: NodeJS.Signals | null, terminationMessage = ''): Outcome {
  if (code === 0) {
    return ['Succeeded', 'PodSucceeded', 'Job completed'];
  }
  const message = terminationMessage.trim();
  if (message) {
    return ['Failed', 'PodFailed', `Job failed due to Error: ${message}`];
  }
  return [
    'Failed',
    'PodFailed',
    signal ? `Job failed: the command was killed by ${signal}` : `Job failed: the command exited with code ${code}`
  ];
}

/**
 * What a job left in its termination message file: the first {@link TERMINATION_MESSAGE_BYTES}
 * bytes as text, '' when there is none. The job controls the file's content only; it is opened
 * without following a link and read only if it is a regular file.
 */
export function readTerminationMessage(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return '';
  }
  try {
    if (!fstatSync(fd).isFile()) {
      return '';
    }
    const buf = Buffer.alloc(TERMINATION_MESSAGE_BYTES);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) {
        break;
      }
      n += got;
    }
    // a cut in the middle of a character becomes U+FFFD, never an error
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The outcome when the command could not start. */
export function startErrorOutcome(message: string): Outcome {
  return ['Failed', 'StartError', `The job could not start: ${message}`];
}
