import { Logger, NULL_SINK } from '../logger/Logger';
import { JobLogFollower, LogTarget } from './JobLogFollower';

function target(): LogTarget & { lines: string[]; clears: number } {
  const t = {
    lines: [] as string[],
    clears: 0,
    append: (s: string) => t.lines.push(s),
    appendLine: (s: string) => t.lines.push(s),
    clear: () => {
      t.clears++;
      t.lines = [];
    }
  };
  return t;
}

describe('JobLogFollower', () => {
  it('streams lines into the target and ends with the log', async () => {
    const follower = new JobLogFollower(
      async function* () {
        yield 'a';
        yield 'b';
      },
      new Logger(NULL_SINK, 't')
    );
    const t = target();
    let ended = false;
    const f = follower.follow('j1', t, () => (ended = true));
    await f.done;
    expect(t.lines).toEqual(['a', 'b']);
    expect(f.lineCount).toBe(2);
    expect(f.active).toBe(false);
    expect(ended).toBe(true);
  });

  it('reuses an active follow and stops on request', async () => {
    let opened = 0;
    const follower = new JobLogFollower(
      async function* (_id, signal) {
        opened++;
        yield 'first';
        await new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
      new Logger(NULL_SINK, 't')
    );
    const t = target();
    const f1 = follower.follow('j1', t);
    await new Promise(r => setImmediate(r));
    const f2 = follower.follow('j1', t);
    expect(f2).toBe(f1);
    expect(opened).toBe(1);
    f1.stop();
    await f1.done;
    expect(f1.active).toBe(false);
    const f3 = follower.follow('j1', t);
    expect(f3).not.toBe(f1);
    expect(t.clears).toBe(2);
    follower.dispose();
  });

  it('owns one log channel per job: shown again on a second follow, disposed with the follower', async () => {
    const made: Array<ReturnType<typeof target> & { shown: number; disposed: boolean; title: string }> = [];
    const follower = new JobLogFollower(
      async function* () {
        yield 'line';
      },
      new Logger(NULL_SINK, 't'),
      title => {
        const c = Object.assign(target(), { shown: 0, disposed: false, title });
        made.push(
          Object.assign(c, {
            show: () => void c.shown++,
            dispose: () => void (c.disposed = true)
          })
        );
        return made[made.length - 1] as never;
      }
    );
    const ends: unknown[] = [];
    await follower.followInChannel('j1', 'PrimeHub Job: train', (_c, e) => ends.push(e))!.done;
    await follower.followInChannel('j1', 'PrimeHub Job: train')!.done;
    expect(made.map(c => [c.title, c.shown])).toEqual([['PrimeHub Job: train', 2]]);
    expect(made[0].lines).toEqual(['line']);
    expect(ends).toEqual([undefined]);
    follower.dispose();
    expect(made[0].disposed).toBe(true);
  });
});
