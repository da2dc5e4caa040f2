import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { loopbackPort } from './ports';

function ephemeralRange(): number[] {
  return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
}

function hold(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

describe('loopbackPort', () => {
  it('gives a free port outside the range the kernel picks source ports from', async () => {
    const [low, high] = ephemeralRange();
    for (let i = 0; i < 20; i++) {
      const port = await loopbackPort();
      expect(port < low || port > high).toBe(true);
      (await hold(port)).close();
    }
  });

  it('keeps the preferred port when it is free and picks another when it is taken', async () => {
    const preferred = await loopbackPort();
    expect(await loopbackPort(preferred)).toBe(preferred);
    const taken = await hold(preferred);
    try {
      const other = await loopbackPort(preferred);
      expect(other).not.toBe(preferred);
      (await hold(other)).close();
    } finally {
      taken.close();
    }
  });
});
