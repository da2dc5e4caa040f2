import { cronNextRuns } from './cron';

describe('cronNextRuns', () => {
  const from = new Date('2026-12-01T06:00:00');

  it('lists the next runs of a 5-field line, after the given time', () => {
    const r = cronNextRuns('*/30 * * * *', 3, from);
    expect(r.ok && r.runs.map(d => d.getMinutes())).toEqual([30, 0, 30]);
    expect(r.ok && r.runs[0].getTime()).toBeGreaterThan(from.getTime());
    expect(cronNextRuns(' 0 4 * * 1 ', 1, from)).toEqual({ ok: true, runs: [new Date('2026-12-07T04:00:00')] });
  });

  it.each([
    ['', /5 fields.*got 0/],
    ['0 4 * *', /5 fields.*got 4/],
    ['0 4 * * * *', /got 6/],
    ['61 * * * *', /./],
    ['a b c d e', /./],
    ['0 0 30 2 *', /never fires/]
  ])('refuses %j with a reason', (cron, message) => {
    const r = cronNextRuns(cron, 3, from);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(message);
  });
});
