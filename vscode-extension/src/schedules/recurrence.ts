import {
  isPaused,
  RECURRENCE_PRESETS,
  resumedRecurrence,
  type RecurrenceSpec,
  type Schedule
} from '@primehub-suite/client';

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

/** How a schedule's recurrence reads in the tree ("daily (0 4 * * *)", "paused · daily (0 4 * * *)", "on demand"). */
export function recurrenceLabel(s: Pick<Schedule, 'recurrence'>): string {
  const resumed = resumedRecurrence(s);
  if (resumed) {
    return `paused · ${resumed.type}${resumed.cron ? ` (${resumed.cron})` : ''}`;
  }
  const type = s.recurrence?.type ?? 'inactive';
  if (type === 'inactive') {
    return 'on demand';
  }
  return s.recurrence?.cron ? `${type} (${s.recurrence.cron})` : type;
}

/** The tree's `contextValue`: a paused job (its cron kept) offers Resume, a running one Pause. */
export function scheduleContextValue(s: Pick<Schedule, 'recurrence'>): string {
  if (isPaused(s)) {
    return 'schedule.paused';
  }
  return (s.recurrence?.type ?? 'inactive') === 'inactive' ? 'schedule.onDemand' : 'schedule.active';
}

export { isPaused };
