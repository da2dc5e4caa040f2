import { rmSync } from 'node:fs';

/** Whether any process of the group led by `pid` is still alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

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
  // Until both have stopped (a loaded machine takes longer), then whatever is left is killed.
  const deadline = Date.now() + 15_000;
  while (pids.some(groupAlive) && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 100));
  }
  for (const pid of pids.filter(groupAlive)) {
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
