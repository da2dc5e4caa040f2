/** Recurrence choices of the submit dialog: PrimeHub's presets plus a cron line with its next runs. */
import { Cron } from 'croner';
import { RECURRENCE_PRESETS, type RecurrenceSpec } from '@primehub-suite/client/browser';

export type RecurrenceChoice = 'on-demand' | 'daily' | 'weekly' | 'monthly' | 'custom';

/** Labels as PrimeHub's console shows them. */
export const RECURRENCE_LABELS: Record<RecurrenceChoice, string> = {
  'on-demand': 'On demand (trigger it yourself)',
  daily: 'Every day (at 4:00am)',
  weekly: 'Every week (Monday at 4:00am)',
  monthly: 'Every month (on the 1st at 4:00am)',
  custom: 'Custom (cron)'
};

/** The cron line a choice runs on ('' for on demand). */
export function cronOf(choice: RecurrenceChoice, custom: string): string {
  if (choice === 'custom') {
    return custom.trim();
  }
  return choice === 'on-demand' ? '' : (RECURRENCE_PRESETS[choice] ?? '');
}

/** The recurrence the client sends. */
export function recurrenceSpec(choice: RecurrenceChoice, custom: string): RecurrenceSpec {
  return choice === 'custom' ? { type: 'custom', cron: custom.trim() } : { type: choice };
}

/** The next `count` runs of a 5-field cron line (in this browser's time zone), or an error message. */
export function nextRuns(cron: string, count = 3, from = new Date()): { runs: Date[] } | { error: string } {
  const fields = cron.trim().split(/\s+/);
  if (cron.trim() === '' || fields.length !== 5) {
    return { error: 'a cron line has 5 fields: minute hour day-of-month month day-of-week' };
  }
  try {
    const job = new Cron(cron.trim(), { paused: true });
    return { runs: job.nextRuns(count, from) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
