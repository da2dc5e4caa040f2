/**
 * PrimeHub's cron lines (five fields: minute hour day-of-month month day-of-week), read with croner
 * as PrimeHub Local's scheduler reads them, so a line the editors accept is one the server runs.
 */
import { Cron } from 'croner';

/** The next runs of a cron line, or what is wrong with it. */
export type CronCheck = { ok: true; runs: Date[] } | { ok: false; message: string };

/** The next `count` runs of a 5-field cron line after `from` (local time), or the problem with it. */
export function cronNextRuns(cron: string, count = 3, from: Date = new Date()): CronCheck {
  const line = typeof cron === 'string' ? cron.trim() : '';
  const fields = line === '' ? 0 : line.split(/\s+/).length;
  if (fields !== 5) {
    return {
      ok: false,
      message: `a cron line has 5 fields (minute hour day-of-month month day-of-week); got ${fields}`
    };
  }
  let runs: Date[];
  try {
    runs = new Cron(line, { paused: true }).nextRuns(count, from);
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  // well-formed but impossible (`0 0 30 2 *`, February 30th) never fires
  return runs.length > 0 ? { ok: true, runs } : { ok: false, message: 'it never fires (no date matches it)' };
}
