import { CronExpressionParser } from 'cron-parser';
import { RECURRENCE_PRESETS, type RecurrenceSpec, type Schedule } from '@primehub-suite/client';

/** The recurrence choices offered when creating or updating a recurring job. */
export const RECURRENCE_CHOICES: ReadonlyArray<{ type: RecurrenceSpec['type']; label: string; cron?: string }> = [
  { type: 'inactive', label: 'On demand (paused)' },
  { type: 'daily', label: 'Daily', cron: RECURRENCE_PRESETS.daily },
  { type: 'weekly', label: 'Weekly', cron: RECURRENCE_PRESETS.weekly },
  { type: 'monthly', label: 'Monthly', cron: RECURRENCE_PRESETS.monthly },
  { type: 'custom', label: 'Custom cron expression' }
];

/**
 * Checks a 5-field cron expression and returns its next runs, or the problem.
 * PrimeHub takes exactly five fields (minute hour day-of-month month day-of-week).
 */
export function checkCron(
  text: string,
  count = 3,
  from: Date = new Date()
): { ok: true; next: Date[] } | { ok: false; message: string } {
  const cron = text.trim();
  const fields = cron.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    return {
      ok: false,
      message: `a cron expression has 5 fields (minute hour day month weekday); got ${fields.length}`
    };
  }
  try {
    const it = CronExpressionParser.parse(cron, { currentDate: from, strict: false });
    const next: Date[] = [];
    for (let i = 0; i < count; i++) {
      next.push(it.next().toDate());
    }
    return { ok: true, next };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

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
