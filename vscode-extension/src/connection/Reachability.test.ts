import { AuthError, NetworkError, TimeoutError } from '@primehub-suite/client';
import { Reachability } from './Reachability';

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
      await settle();
      return t?.ms;
    }
  };
}

const settle = () => new Promise(r => setImmediate(r));

describe('Reachability', () => {
  it('goes offline on a request that found no server, checks health with bounded backoff, and comes back on the first answer', async () => {
    const t = fakeTimers();
    let up = false;
    let probes = 0;
    const r = new Reachability(
      async () => {
        probes++;
        if (!up) {
          throw new NetworkError('connect ECONNREFUSED');
        }
        return { isLocal: true };
      },
      { intervalMs: 2000, maxBackoffMs: 5000, ...t, now: () => new Date(0) }
    );
    const changes: boolean[] = [];
    r.onDidChange(online => changes.push(online));

    r.noteError(new AuthError('token rejected'));
    expect(r.online).toBe(true);
    r.noteError(new TimeoutError('timed out'));
    expect(r.online).toBe(false);
    expect(r.offlineSince).toEqual(new Date(0));
    await settle();
    expect(probes).toBe(1);
    // a second failure while offline changes nothing
    r.noteError(new NetworkError('again'));
    expect(changes).toEqual([false]);
    // the first check failed at once: then 4 s, then at most 5 s between checks
    expect(t.timers.map(x => x.ms)).toEqual([4000]);
    await t.fire();
    expect(t.timers.map(x => x.ms)).toEqual([5000]);
    await t.fire();
    expect(t.timers.map(x => x.ms)).toEqual([5000]);
    up = true;
    await t.fire();
    expect(r.online).toBe(true);
    expect(changes).toEqual([false, true]);
    expect(t.timers).toEqual([]);
  });

  it('reports what the health check says, and a reset ends an outage', async () => {
    const t = fakeTimers();
    const r = new Reachability(async () => ({ isLocal: false }), { intervalMs: 2000, maxBackoffMs: 5000, ...t });
    expect(await r.checkNow()).toEqual({ isLocal: false });
    r.noteError(new NetworkError('down'));
    r.reset();
    expect(r.online).toBe(true);
    expect(t.timers).toEqual([]);
  });
});
