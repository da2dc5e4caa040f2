import { Cron } from 'croner';
import { invalidInput } from '../errors';

/** PrimeHub's recurrence types and the crons its UI presets for them. */
export const RECURRENCE_PRESETS: Record<string, string> = {
  inactive: '',
  daily: '0 4 * * *',
  weekly: '0 4 * * 1',
  monthly: '0 4 1 * *'
};

export interface Recurrence {
  type: string;
  cron: string;
  /** Set, with `message`, for a recurrence the scheduler cannot run (a bad cron). */
  invalid: boolean;
  message: string | null;
  nextRunTime: string | null;
}

/**
 * Resolves `{type, cron}` as PrimeHub does: presets for daily/weekly/monthly, the user's
 * 5-field cron for `custom` (in the server's timezone), no run for `inactive`. A bad cron is
 * accepted but marked `invalid` with a message, as the real controller reports it.
 *
 * `inactive` keeps the cron it is given, unchecked, as PrimeHub's API server stores a recurrence
 * as sent and its controller ignores the cron of an inactive one: an empty cron is "on demand", a
 * kept one a paused schedule that can resume where it was.
 */
export function resolveRecurrence(
  input: { type?: string | null; cron?: string | null },
  from = new Date()
): Recurrence {
  const type = input.type ?? '';
  if (type === 'custom') {
    const cron = (input.cron ?? '').trim();
    const problem = cronProblem(cron);
    if (problem) {
      return { type, cron, invalid: true, message: `invalid cron "${cron}": ${problem}`, nextRunTime: null };
    }
    return { type, cron, invalid: false, message: null, nextRunTime: nextRun(cron, from) };
  }
  if (!(type in RECURRENCE_PRESETS)) {
    throw invalidInput(`recurrence type must be one of inactive, daily, weekly, monthly, custom (got "${type}")`);
  }
  if (type === 'inactive') {
    return { type, cron: (input.cron ?? '').trim(), invalid: false, message: null, nextRunTime: null };
  }
  const cron = RECURRENCE_PRESETS[type];
  return { type, cron, invalid: false, message: null, nextRunTime: cron ? nextRun(cron, from) : null };
}

/** The next time a valid 5-field cron fires after `from`, as ISO-8601. */
export function nextRun(cron: string, from: Date): string | null {
  return new Cron(cron, { paused: true }).nextRun(from)?.toISOString() ?? null;
}

function cronProblem(cron: string): string | undefined {
  if (cron === '') {
    return 'a custom recurrence needs a cron expression';
  }
  if (cron.split(/\s+/).length !== 5) {
    return 'expected 5 fields: minute hour day-of-month month day-of-week';
  }
  let parsed: Cron;
  try {
    parsed = new Cron(cron, { paused: true });
  } catch (err) {
    return (err as Error).message;
  }
  // Well-formed but impossible (`0 0 30 2 *`, February 30th): it would be stored with no next run, forever.
  return parsed.nextRun() ? undefined : 'it never fires (no date matches it)';
}
