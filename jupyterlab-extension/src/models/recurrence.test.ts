import { cronOf, recurrenceSpec } from './recurrence';

describe('recurrence', () => {
  it('uses the presets PrimeHub uses', () => {
    expect(cronOf('daily', '')).toBe('0 4 * * *');
    expect(cronOf('on-demand', '')).toBe('');
    expect(cronOf('custom', ' */5 * * * * ')).toBe('*/5 * * * *');
    expect(recurrenceSpec('custom', ' 0 1 * * * ')).toEqual({ type: 'custom', cron: '0 1 * * *' });
    expect(recurrenceSpec('weekly', 'ignored')).toEqual({ type: 'weekly' });
  });
});
