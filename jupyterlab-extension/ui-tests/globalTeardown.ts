import { rmSync } from 'node:fs';

/** Stops JupyterLab (with its kernels) and PrimeHub Local, and removes their files. */
export default async function globalTeardown(): Promise<void> {
  const pids = (process.env.PHJL_UI_PIDS ?? '').split(',').filter(Boolean).map(Number);
  for (const pid of pids.reverse()) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  await new Promise(r => setTimeout(r, 3000));
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Stopped.
    }
  }
  if (process.env.PHJL_UI_WORK) {
    rmSync(process.env.PHJL_UI_WORK, { recursive: true, force: true });
  }
}
