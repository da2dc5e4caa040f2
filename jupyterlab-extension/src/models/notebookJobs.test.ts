import { buildNotebookCommand } from '@primehub-suite/client/notebook';
import {
  failureHint,
  formatDuration,
  formatParameters,
  jobParameters,
  originalOfSnapshot,
  serverPathOf,
  withArtifactCopy
} from './notebookJobs';

describe('notebook job commands', () => {
  const line = buildNotebookCommand({
    workdir: "/data/vol/it's here",
    input: '/data/vol/.nb-20260101000000000000.ipynb',
    output: '/data/vol/nb-out.ipynb',
    parameters: { s: 'a; b=c\n"d"', n: 2 }
  });

  it('copies the output notebook into the artifacts and keeps the exit status', () => {
    const script = withArtifactCopy(line, '/data/vol/nb-out.ipynb');
    expect(script.split('\n')).toEqual([
      line,
      'status=$?',
      `mkdir -p "$HOME/artifacts" && cp -f -- '/data/vol/nb-out.ipynb' "$HOME/artifacts/" 2>/dev/null`,
      'exit $status'
    ]);
  });

  it('reads the parameters back from a job', () => {
    expect(jobParameters({ command: withArtifactCopy(line, '/x') })).toEqual({ s: 'a; b=c\n"d"', n: 2 });
    expect(jobParameters({ command: 'python train.py' })).toBeNull();
    expect(jobParameters({ command: null })).toBeNull();
  });
});

describe('paths and formatting', () => {
  const config = { groupVolume: 'phusers', jobGroupVolume: '/srv/volumes/phusers' };

  it('maps job paths in the group volume to server paths', () => {
    expect(serverPathOf('/srv/volumes/phusers/a/b.ipynb', config)).toBe('phusers/a/b.ipynb');
    expect(serverPathOf('/srv/volumes/phusers', config)).toBe('phusers');
    expect(serverPathOf('/srv/volumes/phusers2/x', config)).toBeNull();
    expect(serverPathOf('/x', { groupVolume: null, jobGroupVolume: null })).toBeNull();
  });

  it('finds the notebook a snapshot was made of', () => {
    expect(originalOfSnapshot('phusers/a/.train-20260101120000123456.ipynb')).toBe('phusers/a/train.ipynb');
    expect(originalOfSnapshot('.x-y-20260101120000123456.ipynb')).toBe('x-y.ipynb');
    expect(originalOfSnapshot('phusers/train.ipynb')).toBe('phusers/train.ipynb');
  });

  it('formats durations', () => {
    const start = '2026-01-01T00:00:00Z';
    expect(formatDuration({ startTime: null, finishTime: null })).toBe('–');
    expect(formatDuration({ startTime: start, finishTime: '2026-01-01T00:00:12Z' })).toBe('12s');
    expect(formatDuration({ startTime: start, finishTime: '2026-01-01T00:03:05Z' })).toBe('3m 05s');
    expect(formatDuration({ startTime: start, finishTime: '2026-01-01T01:02:00Z' })).toBe('1h 02m');
    expect(formatDuration({ startTime: start, finishTime: null }, Date.parse('2026-01-01T00:00:30Z'))).toBe('30s');
  });

  it('formats parameters on one line', () => {
    expect(formatParameters({ a: 1, b: 'x y' })).toBe('a=1, b="x y"');
    expect(formatParameters(null)).toBe('');
    expect(formatParameters({ long: 'x'.repeat(100) }, 20)).toHaveLength(20);
  });
});

describe('failure hint', () => {
  it('names a missing papermill (bash and sh wording), and nothing else', () => {
    expect(failureHint(['+ cd /project/g', 'bash: line 1: papermill: command not found'])).toMatch(
      /papermill is missing in the image/
    );
    expect(failureHint(['sh: 1: papermill: not found'])).toMatch(/papermill is missing in the image/);
    expect(failureHint(['ValueError: boom', 'papermill.exceptions.PapermillExecutionError'])).toBe('');
    expect(failureHint([])).toBe('');
  });
});
