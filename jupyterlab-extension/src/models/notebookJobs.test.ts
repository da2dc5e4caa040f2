import { buildNotebookRunScript } from '@primehub-suite/client/notebook';
import {
  displayValue,
  failureHint,
  notebookFailure,
  outputArtifactOf,
  formatDuration,
  formatParameters,
  jobParameters,
  notebookPathsOf,
  originalOfSnapshot,
  volumePathOf
} from './notebookJobs';

const script = buildNotebookRunScript({
  input: { root: 'volume', path: "it's here/.nb-20260101000000000000.ipynb" },
  workdir: { root: 'volume', path: "it's here" },
  output: { root: 'volume', path: "it's here/nb-20260101000000000000-output.ipynb" },
  artifactName: 'nb-20260101000000000000-output.ipynb',
  volumeFallback: '/project/phusers',
  parameters: { s: 'a; b=c\n"d"', n: 2 }
});

describe('notebook jobs', () => {
  it('reads the parameters back from a job', () => {
    expect(jobParameters({ command: script })).toEqual({ s: 'a; b=c\n"d"', n: 2 });
    expect(jobParameters({ command: 'python train.py' })).toBeNull();
    expect(jobParameters({ command: null })).toBeNull();
  });

  it("finds a job's notebook and output notebook on this server", () => {
    expect(notebookPathsOf(script, 'phusers')).toEqual({
      input: "phusers/it's here/.nb-20260101000000000000.ipynb",
      output: "phusers/it's here/nb-20260101000000000000-output.ipynb",
      parameters: { s: 'a; b=c\n"d"', n: 2 }
    });
    // a server without the group volume cannot open them, but still knows the values
    expect(notebookPathsOf(script, null)).toMatchObject({ input: null, output: null, parameters: { n: 2 } });
    expect(notebookPathsOf('cd x && papermill a.ipynb b.ipynb', 'phusers')).toBeNull();
  });

  it("finds the output of one run of a recurring notebook job from the job's id", () => {
    const recurring = buildNotebookRunScript({
      input: { root: 'volume', path: 'r/report.ipynb' },
      workdir: { root: 'volume', path: 'r' },
      output: { root: 'volume', path: 'r/report--output.ipynb', runIdAt: 'r/report-'.length },
      artifactName: 'report-output.ipynb',
      volumeFallback: '/project/phusers',
      parameters: {}
    });
    expect(notebookPathsOf({ id: 'job-1', command: recurring }, 'phusers')).toMatchObject({
      output: 'phusers/r/report-job-1-output.ipynb'
    });
    expect(notebookPathsOf({ id: 'job-2', command: recurring }, 'phusers')?.output).toBe(
      'phusers/r/report-job-2-output.ipynb'
    );
    expect(notebookPathsOf(recurring, 'phusers')).toMatchObject({ input: 'phusers/r/report.ipynb', output: null });
  });
});

describe('paths and formatting', () => {
  it('maps server paths in the group volume to volume paths', () => {
    expect(volumePathOf('phusers/a/b.ipynb', 'phusers')).toBe('a/b.ipynb');
    expect(volumePathOf('/phusers/b.ipynb', 'phusers')).toBe('b.ipynb');
    expect(volumePathOf('phusers2/x.ipynb', 'phusers')).toBeNull();
    expect(volumePathOf('x.ipynb', '')).toBe('x.ipynb');
    expect(volumePathOf('phusers/x.ipynb', null)).toBeNull();
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
    // values as typed: no quotes or escapes; a line break shows as one mark
    expect(formatParameters({ a: 1, b: 'x y', q: 'say "hi"\nbye', f: false })).toBe(
      'a=1, b=x y, q=say "hi"⏎bye, f=False'
    );
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

describe('values and failures as a user reads them', () => {
  it('shows values as typed', () => {
    expect(displayValue('He said "hi"\nbye')).toBe('He said "hi"\nbye');
    expect(displayValue(null)).toBe('None');
    expect(displayValue(true)).toBe('True');
    expect(displayValue(2.5)).toBe('2.5');
    expect(displayValue([1, 'a'])).toBe('[1,"a"]');
  });

  it("names the failing cell and its exception from papermill's output notebook", () => {
    const nb = {
      cells: [
        {
          cell_type: 'markdown',
          source: 'An Exception was encountered',
          metadata: { tags: ['papermill-error-cell-tag'] }
        },
        { cell_type: 'code', source: 'x = 1', metadata: { tags: ['parameters'] }, outputs: [] },
        { cell_type: 'code', source: 'x = 2', metadata: { tags: ['injected-parameters'] }, outputs: [] },
        { cell_type: 'code', source: 'import os', metadata: {}, outputs: [] },
        {
          cell_type: 'code',
          source: ["raise ValueError('boom on purpose')\n", 'print(1)'],
          metadata: {},
          outputs: [{ output_type: 'error', ename: 'ValueError', evalue: 'boom on purpose', traceback: [] }]
        }
      ]
    };
    expect(notebookFailure(nb)).toBe("cell 3 (raise ValueError('boom on purpose') …): ValueError: boom on purpose");
    expect(notebookFailure(JSON.stringify(nb))).toBe(notebookFailure(nb));
    expect(notebookFailure({ cells: [{ cell_type: 'code', source: 'x', outputs: [] }] })).toBeNull();
    expect(notebookFailure('not json')).toBeNull();
  });

  it("finds a notebook job's output notebook in its artifacts", () => {
    expect(outputArtifactOf(script)).toBe('nb-20260101000000000000-output.ipynb');
    expect(outputArtifactOf('python x.py')).toBeNull();
  });
});
