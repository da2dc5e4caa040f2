import { pollUntil } from './pollUntil';

/** A state that turns 'Succeeded' when `end()` is called, counting reads. */
function job() {
  let ended = false;
  let reads = 0;
  return {
    end: () => (ended = true),
    get reads() {
      return reads;
    },
    read: async () => (reads++, ended ? 'Succeeded' : 'Running')
  };
}

const options = { label: (s: string) => s, done: (s: string) => s === 'Succeeded', what: 'job j' };

describe('pollUntil', () => {
  it('reads at once when `wake` settles instead of sleeping out the interval', async () => {
    const j = job();
    let wake!: () => void;
    const woken = new Promise<void>(resolve => (wake = resolve));
    const t0 = Date.now();
    const waiting = pollUntil({ ...options, read: j.read, intervalMs: 60_000, wake: woken });
    await new Promise(resolve => setTimeout(resolve, 50));
    j.end();
    wake();
    expect(await waiting).toBe('Succeeded');
    expect(j.reads).toBe(2);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('goes back to the interval after a wake that came early, and a failed wake wakes too', async () => {
    const j = job();
    const seen: string[] = [];
    const waiting = pollUntil({
      ...options,
      read: j.read,
      intervalMs: 100,
      wake: Promise.reject(new Error('log stream failed')),
      onChange: l => seen.push(l)
    });
    await new Promise(resolve => setTimeout(resolve, 350));
    j.end();
    expect(await waiting).toBe('Succeeded');
    // the first read, the woken read, then about one per 100 ms: not a busy loop
    expect(j.reads).toBeGreaterThanOrEqual(3);
    expect(j.reads).toBeLessThan(10);
    expect(seen).toEqual(['Running', 'Succeeded']);
  });

  it('still stops on its signal while a wake is pending', async () => {
    const j = job();
    const ac = new AbortController();
    const waiting = pollUntil({
      ...options,
      read: j.read,
      intervalMs: 60_000,
      wake: new Promise(() => {}),
      signal: ac.signal
    });
    ac.abort(new Error('stopped waiting'));
    await expect(waiting).rejects.toThrow('stopped waiting');
  });
});
