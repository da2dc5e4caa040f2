import { RECURRENCE_PRESETS, type RecurrenceSpec, type Schedule } from '@primehub-suite/client';

/** The recurrence choices offered when creating or updating a recurring job. */
export const RECURRENCE_CHOICES: ReadonlyArray<{ type: RecurrenceSpec['type']; label: string; cron?: string }> = [
  { type: 'inactive', label: 'On demand (paused)' },
  { type: 'daily', label: 'Daily', cron: RECURRENCE_PRESETS.daily },
  { type: 'weekly', label: 'Weekly', cron: RECURRENCE_PRESETS.weekly },
  { type: 'monthly', label: 'Monthly', cron: RECURRENCE_PRESETS.monthly },
  { type: 'custom', label: 'Custom cron expression' }
];

/** "next: Tue 04:00, Wed 04:00, …" for a prompt. */
export function describeNextRuns(next: Date[]): string {
  return `next runs: ${next.map(d => d.toLocaleString(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })).join(' · ')}`;
}

/** How a schedule's recurrence reads in the tree ("daily (0 4 * * *)", "paused"). */
export function recurrenceLabel(s: Pick<Schedule, 'recurrence'>): string {
  const type = s.recurrence?.type ?? 'inactive';
  if (type === 'inactive') {
    return 'on demand';
  }
  return s.recurrence?.cron ? `${type} (${s.recurrence.cron})` : type;
}

/** True when the schedule does not run by itself. */
export function isPaused(s: Pick<Schedule, 'recurrence'>): boolean {
  return (s.recurrence?.type ?? 'inactive') === 'inactive';
}
