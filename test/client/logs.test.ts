import { PrimeHubClient } from '../../shared-client/src';
import { LocalServerProcess } from '../kit/localServer';
import { clientFor, collect, freePort, TcpProxy, unique } from './support';

const spec = (displayName: string, command: string) => ({
  displayName,
  instanceType: 'cpu-1',
  image: 'base-notebook',
  command
});

/** A job printing `line 1` … `line <n>`, one every `gapSeconds`, with varied line lengths. */
const counting = (n: number, gapSeconds: number): string =>
  `i=0; while [ $i -lt ${n} ]; do i=$((i+1)); echo "line $i $(printf '%*s' $((i % 9)) '' | tr ' ' x)"; sleep ${gapSeconds}; done`;

const lineNo = (l: string): number => Number(/^line (\d+) /.exec(l)?.[1] ?? NaN);

/**
 * Job logs through the client: whole log, tail, follow until the job ends, and follow across
 * connections broken for real by a TCP proxy between the client and PrimeHub Local (the server's
 * public URL is the proxy, so absolute log URLs go through it too).
 */
describe('client: job logs', () => {
  let proxy: TcpProxy;
  let server: LocalServerProcess;
  let client: PrimeHubClient;

  beforeAll(async () => {
    const port = await freePort();
    proxy = await TcpProxy.start({ host: '127.0.0.1', port });
    server = await LocalServerProcess.start({ port, args: ['--cpus', '4', '--public-url', proxy.url] });
    client = await clientFor(server);
    expect(client.endpoint).toBe(`${proxy.url}/api/graphql`);
  });

  afterAll(async () => {
    await client?.close();
    await server?.dispose();
    await proxy?.close();
  });

  test('the whole log and its tail of a finished job', async () => {
    const job = await client.jobs.submit(spec(unique('finished'), counting(30, 0)));
    expect((await client.jobs.wait(job.id)).phase).toBe('Succeeded');
    const all = await collect(client.jobs.logs(job.id));
    expect(all.filter(l => l.startsWith('line ')).map(lineNo)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(all[0]).toBe('line 1 x');
    expect(all[all.length - 1]).toBe('Artifacts: no artifact found');
    expect(await collect(client.jobs.logs(job.id, { tail: 3 }))).toEqual(all.slice(-3));
    expect(await collect(client.jobs.logs(job.id, { tail: 0 }))).toEqual([]);
    // following a finished job returns at once with the same lines
    expect(await collect(client.jobs.logs(job.id, { follow: true }))).toEqual(all);
  });

  test('follow from submission streams every line as it is written and ends with the job', async () => {
    const job = await client.jobs.submit(spec(unique('follow'), `echo start; ${counting(40, 0.02)}; echo done`));
    const seen: Array<{ line: string; at: number }> = [];
    for await (const line of client.jobs.logs(job.id, { follow: true, reconnectDelayMs: 100 })) {
      seen.push({ line, at: Date.now() });
    }
    const lines = seen.map(s => s.line);
    expect(lines[0]).toBe('start');
    expect(lines.slice(1, 41).map(lineNo)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(lines.slice(41)).toEqual(['done', 'Artifacts: no artifact found']);
    // lines arrived while the job ran, not all at the end
    expect(seen[40].at - seen[1].at).toBeGreaterThan(300);
    expect((await client.jobs.get(job.id)).phase).toBe('Succeeded');
    expect(lines).toEqual(await collect(client.jobs.logs(job.id)));
  });

  test('follow survives dropped connections and an outage without repeating or losing a line', async () => {
    const job = await client.jobs.submit(spec(unique('drops'), counting(250, 0.015)));
    const lines: string[] = [];
    let drops = 0;
    const disrupt = async (at: number): Promise<void> => {
      if (at === 40 || at === 160) {
        drops += proxy.drop();
      } else if (at === 100) {
        // the server is unreachable for a while: connections are cut as they arrive
        proxy.refuse(true);
        drops += proxy.drop();
        await new Promise(r => setTimeout(r, 1_200));
        proxy.refuse(false);
      }
    };
    for await (const line of client.jobs.logs(job.id, { follow: true, reconnectDelayMs: 100 })) {
      lines.push(line);
      await disrupt(lines.length);
    }
    expect(drops).toBeGreaterThanOrEqual(3);
    expect(lines.filter(l => l.startsWith('line ')).map(lineNo)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(lines).toEqual(await collect(client.jobs.logs(job.id)));
  });

  test('follow with a tail realigns after drops on the lines already seen', async () => {
    const job = await client.jobs.submit(spec(unique('tail-drops'), counting(200, 0.015)));
    // let the job get ahead, so the tail starts in the middle
    await new Promise(r => setTimeout(r, 600));
    const lines: string[] = [];
    const cut: number[] = [];
    const accepted = proxy.accepted;
    for await (const line of client.jobs.logs(job.id, { follow: true, tail: 5, reconnectDelayMs: 100 })) {
      lines.push(line);
      if (lines.length === 20 || lines.length === 60) {
        cut.push(proxy.drop());
      }
    }
    // both drops cut the open log connection, and the client connected again each time
    expect(cut.every(n => n > 0)).toBe(true);
    expect(proxy.accepted - accepted).toBeGreaterThanOrEqual(3);
    const numbers = lines.filter(l => l.startsWith('line ')).map(lineNo);
    expect(numbers[0]).toBeGreaterThan(1);
    expect(numbers).toEqual(Array.from({ length: 200 - numbers[0] + 1 }, (_, i) => numbers[0] + i));
    const all = await collect(client.jobs.logs(job.id));
    expect(lines).toEqual(all.slice(all.length - lines.length));
  });

  test('a caller abort ends a follow with the caller reason', async () => {
    const job = await client.jobs.submit(spec(unique('abort'), counting(1000, 0.02)));
    const ac = new AbortController();
    const reason = new Error('panel closed');
    const got: string[] = [];
    const follow = (async () => {
      for await (const line of client.jobs.logs(job.id, { follow: true, signal: ac.signal })) {
        got.push(line);
        if (got.length === 5) {
          ac.abort(reason);
        }
      }
    })();
    await expect(follow).rejects.toBe(reason);
    expect(got.length).toBe(5);
    // breaking out of the loop is the other way to stop: the connection is freed either way
    for await (const line of client.jobs.logs(job.id, { follow: true })) {
      expect(line).toBe('line 1 x');
      break;
    }
    await client.jobs.cancel(job.id);
  });
});
