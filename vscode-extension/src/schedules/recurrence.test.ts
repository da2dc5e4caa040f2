import { isPaused, recurrenceLabel, scheduleContextValue } from './recurrence';

describe('recurrence labels', () => {
  it('reads schedules', () => {
    expect(recurrenceLabel({ recurrence: { type: 'daily', cron: '0 4 * * *' } })).toBe('daily (0 4 * * *)');
    expect(recurrenceLabel({ recurrence: { type: 'inactive', cron: '' } })).toBe('on demand');
    expect(isPaused({ recurrence: { type: 'custom', cron: '* * * * *' } })).toBe(false);
  });

  it('shows a paused job with the schedule it resumes with, and offers Resume only then', () => {
    const paused = { recurrence: { type: 'inactive' as const, cron: '0 4 * * *' } };
    expect(recurrenceLabel(paused)).toBe('paused · daily (0 4 * * *)');
    expect(recurrenceLabel({ recurrence: { type: 'inactive', cron: '5 1 * * 2' } })).toBe(
      'paused · custom (5 1 * * 2)'
    );
    expect(scheduleContextValue(paused)).toBe('schedule.paused');
    expect(scheduleContextValue({ recurrence: { type: 'inactive', cron: null } })).toBe('schedule.onDemand');
    expect(scheduleContextValue({ recurrence: { type: 'weekly', cron: '0 0 * * 0' } })).toBe('schedule.active');
  });
});
