import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOOPBACK = '127.0.0.1';

/**
 * `preferred` if it is free on loopback, else a free port, for another process to listen on. The port is picked
 * outside the kernel's ephemeral range: one the kernel hands out (`listen(0)`) can become the source port of any
 * outgoing connection before the process it is meant for binds it, which a busy machine showed ("port … is already
 * in use"). Random, so that two callers seldom try the same one; each is checked by binding it.
 */
export async function loopbackPort(preferred?: number): Promise<number> {
  if (preferred !== undefined) {
    try {
      return await listenOn(preferred);
    } catch {
      // Taken: any free one.
    }
  }
  const [from, to] = outsideEphemeral();
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      return await listenOn(from + Math.floor(Math.random() * (to - from + 1)));
    } catch {
      // Taken: another one.
    }
  }
  return listenOn(0);
}

/** Ports the kernel never picks by itself: below its ephemeral range when there is room, else above it. */
function outsideEphemeral(): [number, number] {
  let [low, high] = [32768, 60999];
  try {
    const range = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (range.length === 2 && range[0] > 0 && range[1] >= range[0]) {
      [low, high] = range;
    }
  } catch {
    // Not Linux: its default range.
  }
  return low > 11_024 ? [10_000, low - 1] : [Math.min(high + 1, 65_000), 65_535];
}

/** Binds `port` on loopback for a moment and returns the port bound (0: one the kernel picks). */
function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, LOOPBACK, () => {
      const { port: bound } = srv.address() as { port: number };
      srv.close(() => resolve(bound));
    });
  });
}
