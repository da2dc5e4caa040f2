import { isPaused, recurrenceLabel } from './recurrence';

describe('recurrence labels', () => {
  it('reads schedules', () => {
    expect(recurrenceLabel({ recurrence: { type: 'daily', cron: '0 4 * * *' } })).toBe('daily (0 4 * * *)');
    expect(recurrenceLabel({ recurrence: { type: 'inactive', cron: '' } })).toBe('on demand');
    expect(isPaused({ recurrence: null })).toBe(true);
    expect(isPaused({ recurrence: { type: 'custom', cron: '* * * * *' } })).toBe(false);
  });
});
