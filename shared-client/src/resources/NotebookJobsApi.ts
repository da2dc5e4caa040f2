import { ValidationError } from '../errors';
import { buildNotebookCommand } from '../notebook/command';
import type { NotebookParameter } from '../notebook/parameters';
import type { JsonValue, LiteralKind } from '../notebook/pythonLiteral';
import { expandSweep, SweepOptions } from '../notebook/sweep';
import { validateParameterValues } from '../notebook/values';
import type { GroupCallOptions, Job } from '../types';
import type { JobsApi } from './JobsApi';

/** A notebook to run as a papermill job. */
export interface NotebookJobSpec {
  displayName: string;
  instanceType: string;
  image: string;
  activeDeadlineSeconds?: number;
  /** Folder the job starts in (where the notebook lives, on a volume the job mounts). */
  workdir: string;
  /** Notebook to execute (a snapshot copy, so later edits do not change the run). */
  input: string;
  /** Where the executed notebook is written. */
  output: string;
  /** Values for the notebook's parameters. */
  parameters?: Record<string, JsonValue>;
  /**
   * The notebook's declared parameters (from `parseNotebookParameters`): values are validated
   * against them and float parameters keep their type.
   */
  declared?: ReadonlyArray<Pick<NotebookParameter, 'name' | 'type'>>;
}

/** A parameter sweep: N jobs from the cartesian product of the values. */
export interface NotebookSweepSpec extends Omit<NotebookJobSpec, 'output'>, SweepOptions {
  sweep: Record<string, ReadonlyArray<JsonValue>>;
  /** Output path of each job; default: `<output stem>-<job name>.ipynb`. */
  output: string | ((jobName: string, index: number) => string);
}

function typesOf(declared: NotebookJobSpec['declared']): Record<string, LiteralKind> {
  return Object.fromEntries((declared ?? []).map(p => [p.name, p.type]));
}

function check(declared: NotebookJobSpec['declared'], values: Record<string, JsonValue>): void {
  if (!declared) {
    return;
  }
  const issues = validateParameterValues(declared, values);
  if (issues.length > 0) {
    throw new ValidationError(`invalid parameters: ${issues.map(i => `${i.name} ${i.message}`).join('; ')}`);
  }
}

/** Submits notebooks as papermill jobs, with parameters passed safely (base64 `-b`). */
export class NotebookJobsApi {
  constructor(private readonly jobs: JobsApi) {}

  /** The shell command the job runs for this spec. */
  command(spec: Pick<NotebookJobSpec, 'workdir' | 'input' | 'output' | 'parameters' | 'declared'>): string {
    const parameters = spec.parameters ?? {};
    check(spec.declared, parameters);
    return buildNotebookCommand(
      { workdir: spec.workdir, input: spec.input, output: spec.output, parameters },
      typesOf(spec.declared)
    );
  }

  /** Submits one notebook job. */
  async submit(spec: NotebookJobSpec, opts: GroupCallOptions = {}): Promise<Job> {
    return this.jobs.submit(
      {
        displayName: spec.displayName,
        instanceType: spec.instanceType,
        image: spec.image,
        activeDeadlineSeconds: spec.activeDeadlineSeconds,
        command: this.command(spec)
      },
      opts
    );
  }

  /**
   * Submits one job per combination of the sweep values (names like `train-lr=0.1-epochs=5`).
   * Everything is validated before the first job is submitted.
   */
  async submitSweep(spec: NotebookSweepSpec, opts: GroupCallOptions = {}): Promise<Job[]> {
    const planned = expandSweep(spec.displayName, spec.parameters ?? {}, spec.sweep, spec);
    const outputFor =
      typeof spec.output === 'function'
        ? spec.output
        : (name: string) => `${(spec.output as string).replace(/\.ipynb$/, '')}-${name}.ipynb`;
    const specs = planned.map((p, i) => ({
      ...spec,
      displayName: p.name,
      parameters: p.parameters,
      output: outputFor(p.name, i)
    }));
    const commands = specs.map(s => this.command(s));
    const jobs: Job[] = [];
    for (const [i, s] of specs.entries()) {
      jobs.push(
        await this.jobs.submit(
          {
            displayName: s.displayName,
            instanceType: s.instanceType,
            image: s.image,
            activeDeadlineSeconds: s.activeDeadlineSeconds,
            command: commands[i]
          },
          opts
        )
      );
    }
    return jobs;
  }
}
