import { RefreshScheduler } from './RefreshScheduler';

function fakeTimers() {
  const timers: Array<{ fn: () => void; ms: number; handle: number }> = [];
  let next = 1;
  return {
    timers,
    setTimer: (fn: () => void, ms: number) => {
      const handle = next++;
      timers.push({ fn, ms, handle });
      return handle;
    },
    clearTimer: (h: unknown) => {
      const i = timers.findIndex(t => t.handle === h);
      if (i >= 0) {
        timers.splice(i, 1);
      }
    },
    async fire() {
      const t = timers.shift();
      t?.fn();
      await new Promise(r => setImmediate(r));
      return t?.ms;
    }
  };
}

describe('RefreshScheduler', () => {
  it('refreshes only while visible', async () => {
    const t = fakeTimers();
    let calls = 0;
    const s = new RefreshScheduler(async () => void calls++, { intervalMs: () => 1000, ...t });
    expect(calls).toBe(0);
    s.setVisible(true);
    await new Promise(r => setImmediate(r));
    expect(calls).toBe(1);
    expect(t.timers.map(x => x.ms)).toEqual([1000]);
    await t.fire();
    expect(calls).toBe(2);
    s.setVisible(false);
    expect(t.timers).toHaveLength(0);
    s.dispose();
  });

  it('backs off after errors up to the maximum, and recovers after a success', async () => {
    const t = fakeTimers();
    let fail = true;
    const s = new RefreshScheduler(
      async () => {
        if (fail) {
          throw new Error('down');
        }
      },
      { intervalMs: () => 1000, maxBackoffMs: 5000, ...t }
    );
    s.setVisible(true);
    await new Promise(r => setImmediate(r));
    const delays: number[] = [t.timers[0].ms];
    for (let i = 0; i < 3; i++) {
      await t.fire();
      delays.push(t.timers[0].ms);
    }
    expect(delays).toEqual([2000, 4000, 5000, 5000]);
    fail = false;
    await t.fire();
    expect(t.timers[0].ms).toBe(1000);
    expect(s.consecutiveFailures).toBe(0);
    s.dispose();
  });

  it('joins a refresh in flight instead of starting another', async () => {
    let release!: () => void;
    let calls = 0;
    const s = new RefreshScheduler(
      () => {
        calls++;
        return new Promise<void>(r => (release = r));
      },
      { intervalMs: () => 1000, ...fakeTimers() }
    );
    const a = s.now();
    const b = s.now();
    release();
    await Promise.all([a, b]);
    expect(calls).toBe(1);
    s.dispose();
  });
});
