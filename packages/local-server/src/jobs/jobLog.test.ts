import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendLogLine } from './jobLog';

describe('appendLogLine', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'phl-joblog-'));
    file = join(dir, 'job.log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('output without a final newline gets one before the line', async () => {
    writeFileSync(file, 'progress 100%');
    await appendLogLine(file, 'Artifacts: none');
    expect(readFileSync(file, 'utf8')).toBe('progress 100%\nArtifacts: none\n');
  });

  test('output ending in a newline, an empty log and a missing log get no blank line', async () => {
    writeFileSync(file, 'done\n');
    await appendLogLine(file, 'Artifacts: none');
    expect(readFileSync(file, 'utf8')).toBe('done\nArtifacts: none\n');
    const empty = join(dir, 'empty.log');
    writeFileSync(empty, '');
    await appendLogLine(empty, 'a');
    expect(readFileSync(empty, 'utf8')).toBe('a\n');
    const missing = join(dir, 'missing.log');
    await appendLogLine(missing, 'b');
    await appendLogLine(missing, 'c');
    expect(readFileSync(missing, 'utf8')).toBe('b\nc\n');
  });
});
