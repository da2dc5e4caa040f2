import { checkCron, isPaused, recurrenceLabel } from './recurrence';

describe('checkCron', () => {
  const from = new Date('2026-12-01T06:00:00');

  it('accepts five fields and lists the next runs', () => {
    const r = checkCron('*/30 * * * *', 3, from);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.next.map(d => d.getMinutes())).toEqual([30, 0, 30]);
      expect(r.next[0].getTime()).toBeGreaterThan(from.getTime());
    }
  });

  it.each([
    ['0 4 * *', /5 fields/],
    ['0 4 * * * *', /5 fields/],
    ['61 * * * *', /./],
    ['a b c d e', /./]
  ])('refuses %s', (cron, message) => {
    const r = checkCron(cron, 3, from);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(message);
    }
  });
});

describe('recurrence labels', () => {
  it('reads schedules', () => {
    expect(recurrenceLabel({ recurrence: { type: 'daily', cron: '0 4 * * *' } })).toBe('daily (0 4 * * *)');
    expect(recurrenceLabel({ recurrence: { type: 'inactive', cron: '' } })).toBe('on demand');
    expect(isPaused({ recurrence: null })).toBe(true);
    expect(isPaused({ recurrence: { type: 'custom', cron: '* * * * *' } })).toBe(false);
  });
});
