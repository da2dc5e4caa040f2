/** Recurrence choices of the submit dialog: PrimeHub's presets plus a cron line with its next runs. */
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
