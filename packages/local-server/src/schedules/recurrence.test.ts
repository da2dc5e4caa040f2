import { nextRun, resolveRecurrence } from './recurrence';

describe('resolveRecurrence', () => {
  const from = new Date('2026-01-15T10:00:00Z');

  test('presets, on demand and paused (inactive with its cron)', () => {
    expect(resolveRecurrence({ type: 'inactive' }, from)).toEqual({
      type: 'inactive',
      cron: '',
      invalid: false,
      message: null,
      nextRunTime: null
    });
    // a paused schedule: inactive, its cron kept for resuming, never run
    expect(resolveRecurrence({ type: 'inactive', cron: ' */30 * * * * ' }, from)).toEqual({
      type: 'inactive',
      cron: '*/30 * * * *',
      invalid: false,
      message: null,
      nextRunTime: null
    });
    const daily = resolveRecurrence({ type: 'daily', cron: '*/5 * * * *' }, from);
    expect(daily).toMatchObject({ cron: '0 4 * * *', invalid: false, nextRunTime: nextRun('0 4 * * *', from) });
  });

  test.each([
    ['0 0 30 2 *', /never fires/],
    ['0 0 31 4 *', /never fires/],
    ['61 * * * *', /./],
    ['* * *', /5 fields/],
    ['', /needs a cron/]
  ])('custom %j is invalid with a message and no next run', (cron, message) => {
    const r = resolveRecurrence({ type: 'custom', cron }, from);
    expect(r).toMatchObject({ type: 'custom', cron, invalid: true, nextRunTime: null });
    expect(r.message).toMatch(message);
    expect(r.message).toContain(`invalid cron "${cron}"`);
  });

  test('a rare but possible custom cron is valid (Feb 29th)', () => {
    const r = resolveRecurrence({ type: 'custom', cron: '0 0 29 2 *' }, from);
    expect(r).toMatchObject({ invalid: false, message: null });
    expect(r.nextRunTime).toMatch(/^2028-02-(28|29)T/);
  });

  test('an unknown type is refused', () => {
    expect(() => resolveRecurrence({ type: 'hourly' }, from)).toThrow(/recurrence type must be one of/);
  });
});
