import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../logger';
import { SshBastion } from './SshBastion';

test('a taken port makes the bastion take the next free one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phl-bastion-'));
  const taken: Server = createServer();
  await new Promise<void>(resolve => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  const bastion = new SshBastion(
    { hostKeyFile: join(dir, 'key'), port, notebooks: { target: () => undefined, targets: () => [] } },
    createLogger('error')
  );
  try {
    await bastion.start();
    const status = bastion.status();
    expect(status.state).toBe('running');
    expect(status.port).toBeGreaterThan(port);
    expect(status.port).toBeLessThan(port + 100);
  } finally {
    await bastion.stop();
    await new Promise(resolve => taken.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
