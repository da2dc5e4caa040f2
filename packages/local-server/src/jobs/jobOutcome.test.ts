import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitOutcome, readTerminationMessage, startErrorOutcome } from './jobOutcome';

describe('job outcomes', () => {
  test("an exit's outcome, as PrimeHub's pod phases say it", () => {
    expect(exitOutcome(0, null)).toEqual(['Succeeded', 'PodSucceeded', 'Job completed']);
    expect(exitOutcome(3, null)).toEqual(['Failed', 'PodFailed', 'Job failed: the command exited with code 3']);
    expect(exitOutcome(null, 'SIGKILL')).toEqual([
      'Failed',
      'PodFailed',
      'Job failed: the command was killed by SIGKILL'
    ]);
  });

  test("a failure's termination message is its message, in the words of PrimeHub's controller", () => {
    expect(exitOutcome(1, null, 'cell 2 (x): KeyError: x\n')).toEqual([
      'Failed',
      'PodFailed',
      'Job failed due to Error: cell 2 (x): KeyError: x'
    ]);
    expect(exitOutcome(1, null, ' \n')[2]).toBe('Job failed: the command exited with code 1');
    expect(exitOutcome(0, null, 'ignored')[2]).toBe('Job completed');
  });

  test('a termination message is read from a regular file only, its first 4096 bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'phl-term-'));
    try {
      writeFileSync(join(dir, 'long'), `${'é'.repeat(2048)}tail`);
      expect(readTerminationMessage(join(dir, 'long'))).toBe('é'.repeat(2048));
      writeFileSync(join(dir, 'secret'), 'not for the job');
      symlinkSync(join(dir, 'secret'), join(dir, 'link'));
      expect(readTerminationMessage(join(dir, 'link'))).toBe('');
      mkdirSync(join(dir, 'folder'));
      expect(readTerminationMessage(join(dir, 'folder'))).toBe('');
      expect(readTerminationMessage(join(dir, 'missing'))).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a start error names its cause', () => {
    expect(startErrorOutcome('spawn bwrap ENOENT')).toEqual([
      'Failed',
      'StartError',
      'The job could not start: spawn bwrap ENOENT'
    ]);
  });
});
