import { createServer } from 'node:net';

const LOOPBACK = '127.0.0.1';

/** `preferred` if it is free on loopback, else a free port. */
export async function loopbackPort(preferred?: number): Promise<number> {
  if (preferred !== undefined) {
    try {
      return await listenOn(preferred);
    } catch {
      // Taken: any free one.
    }
  }
  return listenOn(0);
}

/** Binds `port` on loopback for a moment and returns the port bound (0: one the kernel picks). */
export function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, LOOPBACK, () => {
      const { port: bound } = srv.address() as { port: number };
      srv.close(() => resolve(bound));
    });
  });
}
