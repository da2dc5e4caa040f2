import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An in-process HTTP server on a random loopback port. */
export interface TestServer {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

export async function startServer(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}

/** Reads a request body fully. */
export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of req) {
    parts.push(c as Buffer);
  }
  return Buffer.concat(parts);
}
