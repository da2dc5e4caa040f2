import { cronOf, nextRuns, recurrenceSpec } from './recurrence';

describe('recurrence', () => {
  it('uses the presets PrimeHub uses', () => {
    expect(cronOf('daily', '')).toBe('0 4 * * *');
    expect(cronOf('on-demand', '')).toBe('');
    expect(cronOf('custom', ' */5 * * * * ')).toBe('*/5 * * * *');
    expect(recurrenceSpec('custom', ' 0 1 * * * ')).toEqual({ type: 'custom', cron: '0 1 * * *' });
    expect(recurrenceSpec('weekly', 'ignored')).toEqual({ type: 'weekly' });
  });

  it('lists the next runs of a cron line', () => {
    const from = new Date(2026, 0, 1, 10, 0, 0);
    const r = nextRuns('30 4 * * *', 3, from);
    if (!('runs' in r)) {
      throw new Error(r.error);
    }
    expect(r.runs.map(d => [d.getDate(), d.getHours(), d.getMinutes()])).toEqual([
      [2, 4, 30],
      [3, 4, 30],
      [4, 4, 30]
    ]);
  });

  it('explains a bad cron line', () => {
    expect(nextRuns('* * *')).toEqual({ error: expect.stringMatching(/5 fields/) });
    expect(nextRuns('61 * * * *')).toEqual({ error: expect.any(String) });
  });
});
