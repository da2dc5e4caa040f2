import { stopLabStack } from './labStack';

/** Stops JupyterLab (with its kernels) and PrimeHub Local, and removes their files. */
export default async function globalTeardown(): Promise<void> {
  const pids = (process.env.PHJL_UI_PIDS ?? '').split(',').filter(Boolean).map(Number);
  await stopLabStack(pids, process.env.PHJL_UI_WORK);
}
