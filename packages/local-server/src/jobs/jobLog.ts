import { open } from 'node:fs/promises';

/**
 * Appends one line of PrimeHub Local's own to a job's log, on a line of its own: when the job's
 * output did not end with a newline, one is added first so the two are not glued together.
 */
export async function appendLogLine(file: string, line: string): Promise<void> {
  const handle = await open(file, 'a+');
  try {
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      prefix = last[0] === 0x0a ? '' : '\n';
    }
    await handle.appendFile(`${prefix}${line}\n`);
  } finally {
    await handle.close();
  }
}
