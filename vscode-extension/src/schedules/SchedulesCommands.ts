import { cronNextRuns, type Job, type RecurrenceSpec, type Schedule, type ScheduleSpec } from '@primehub-suite/client';
import * as vscode from 'vscode';
import type { JobSpecWizard } from '../jobs/JobSpecWizard';
import type { ErrorCommands } from '../errors/ErrorCommands';
import { JobNode } from '../ui/jobs/JobsTreeDataProvider';
import { ScheduleItemNode } from '../ui/schedules/SchedulesTreeDataProvider';
import { isObject, isString, isTrue, type CommandArgCheck, type CommandArgs } from '../util/commandArgs';
import { describeNextRuns, isPaused, RECURRENCE_CHOICES, recurrenceLabel, scheduleContextValue } from './recurrence';
import type { SchedulesManager } from './SchedulesManager';

/** A recurring job: its node, its id (tests), or nothing (then a QuickPick asks). */
type ScheduleArg = ScheduleItemNode | string | undefined;

/** A recurring job's node from the Recurring Jobs view, or in tests its id. */
function scheduleArg(args: CommandArgCheck, arg: unknown): ScheduleArg {
  return args.accept(arg, { nodes: [ScheduleItemNode], inTests: isString });
}

/** Recurring-job commands: create (from scratch or a job), update, trigger, pause, delete. */
export class SchedulesCommands {
  /**
   * @param followJob follows the log of a job a recurring job started (not through the public
   *   command, which takes a job id only in tests)
   */
  constructor(
    private readonly schedules: SchedulesManager,
    private readonly wizard: JobSpecWizard,
    private readonly errors: ErrorCommands,
    private readonly followJob: (jobId: string) => void
  ) {}

  /**
   * Registers the `primehub.recurringJobs.*` commands. A recurring job or job counts only as a
   * node their view gave; ids, specs, patches and the skip-confirmation flag only in tests.
   */
  registerCommands(commands: CommandArgs): vscode.Disposable[] {
    return [
      commands.register('primehub.recurringJobs.refresh', () => this.refresh()),
      commands.register('primehub.recurringJobs.create', (args, from) =>
        this.create(args.accept(from, { nodes: [JobNode], inTests: isObject<ScheduleSpec> }))
      ),
      commands.register('primehub.recurringJobs.createFromJob', (args, node) =>
        this.create(args.accept(node, { nodes: [JobNode] }))
      ),
      commands.register('primehub.recurringJobs.update', (args, arg, patch) =>
        this.update(scheduleArg(args, arg), args.accept(patch, { inTests: isObject<Partial<ScheduleSpec>> }))
      ),
      commands.register('primehub.recurringJobs.trigger', (args, arg) => this.trigger(scheduleArg(args, arg))),
      commands.register('primehub.recurringJobs.pause', (args, arg) => this.pause(scheduleArg(args, arg))),
      commands.register('primehub.recurringJobs.resume', (args, arg) => this.resume(scheduleArg(args, arg))),
      commands.register('primehub.recurringJobs.delete', (args, arg, confirmed) =>
        this.delete(scheduleArg(args, arg), args.accept(confirmed, { inTests: isTrue }) === true)
      )
    ];
  }

  refresh(): Promise<void> {
    return this.errors.guard('Refreshing recurring jobs', () => this.schedules.refresh());
  }

  /**
   * "Create Recurring Job": from a spec (automation), from a job (its node in the Jobs view:
   * the same instance type, image and command), or from scratch with prompts.
   */
  async create(from?: ScheduleSpec | JobNode): Promise<Schedule | undefined> {
    let created: Schedule | undefined;
    await this.errors.guard('Creating the recurring job', async () => {
      const spec = from instanceof JobNode || !from ? await this.askSpec(from?.job) : from;
      if (!spec) {
        return;
      }
      created = await this.errors.withProgress(`Creating ${spec.displayName}…`, signal =>
        this.schedules.create(spec, signal)
      );
      void vscode.window.showInformationMessage(`Recurring job ${spec.displayName} created.`);
    });
    return created;
  }

  /** Changes a recurring job's recurrence (and optionally its command). */
  async update(arg?: ScheduleArg, patch?: Partial<ScheduleSpec>): Promise<void> {
    const s = await this.pick(arg, 'Update which recurring job?');
    if (!s) {
      return;
    }
    await this.errors.guard(`Updating ${label(s)}`, async () => {
      let change = patch;
      if (!change) {
        const recurrence = await askRecurrence(s.recurrence?.type ?? undefined);
        if (!recurrence) {
          return;
        }
        const command = await vscode.window.showInputBox({
          title: `${label(s)}: command`,
          value: s.command ?? '',
          ignoreFocusOut: true,
          validateInput: v => (v.trim() ? undefined : 'A recurring job needs a command')
        });
        if (command === undefined) {
          return;
        }
        change = { recurrence, command };
      }
      const patchToSend = change;
      await this.errors.withProgress(`Updating ${label(s)}…`, signal =>
        this.schedules.update(s.id, patchToSend, signal)
      );
    });
  }

  /** Runs the recurring job now; offers to follow the new job. */
  async trigger(arg?: ScheduleArg): Promise<string | null | undefined> {
    const s = await this.pick(arg, 'Run which recurring job now?');
    if (!s) {
      return undefined;
    }
    let jobId: string | null | undefined;
    await this.errors.guard(`Running ${label(s)}`, async () => {
      jobId = await this.errors.withProgress(`Running ${label(s)}…`, signal => this.schedules.trigger(s.id, signal));
      const id = jobId;
      void vscode.commands.executeCommand('primehub.jobs.refresh');
      void vscode.window
        .showInformationMessage(`${label(s)} started as job ${id ?? ''}.`, ...(id ? ['Follow Log'] : []))
        .then(choice => {
          if (choice && id) {
            this.followJob(id);
          }
        });
    });
    return jobId;
  }

  async pause(arg?: ScheduleArg): Promise<void> {
    const s = await this.pick(arg, 'Pause which recurring job?', x => scheduleContextValue(x) === 'schedule.active');
    if (s) {
      await this.errors.guard(`Pausing ${label(s)}`, () =>
        this.errors.withProgress(`Pausing ${label(s)}…`, signal => this.schedules.pause(s.id, signal))
      );
    }
  }

  /** Resumes a paused recurring job on the schedule it had. */
  async resume(arg?: ScheduleArg): Promise<void> {
    const s = await this.pick(arg, 'Resume which recurring job?', isPaused);
    if (s) {
      await this.errors.guard(`Resuming ${label(s)}`, async () => {
        const after = await this.errors.withProgress(`Resuming ${label(s)}…`, signal =>
          this.schedules.resume(s.id, signal)
        );
        void vscode.window.showInformationMessage(`${label(after)} runs again: ${recurrenceLabel(after)}.`);
      });
    }
  }

  /** Deletes after a modal confirmation (`confirmed` skips it for automation). */
  async delete(arg?: ScheduleArg, confirmed = false): Promise<boolean> {
    const s = await this.pick(arg, 'Delete which recurring job?');
    if (!s) {
      return false;
    }
    if (!confirmed) {
      const answer = await vscode.window.showWarningMessage(
        `Delete the recurring job ${label(s)}? Jobs it already started stay.`,
        { modal: true },
        'Delete'
      );
      if (answer !== 'Delete') {
        return false;
      }
    }
    let done = false;
    await this.errors.guard(`Deleting ${label(s)}`, async () => {
      await this.errors.withProgress(`Deleting ${label(s)}…`, signal => this.schedules.delete(s.id, signal));
      done = true;
    });
    return done;
  }

  private async pick(
    arg: ScheduleArg,
    placeHolder: string,
    filter: (s: Schedule) => boolean = () => true
  ): Promise<Schedule | undefined> {
    if (arg instanceof ScheduleItemNode) {
      return arg.schedule;
    }
    if (!this.schedules.model.loaded || typeof arg === 'string') {
      await this.refresh();
    }
    if (typeof arg === 'string') {
      return this.schedules.model.items.find(s => s.id === arg);
    }
    const items = this.schedules.model.items.filter(filter);
    if (items.length === 0) {
      void vscode.window.showInformationMessage('No recurring job of this group fits.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      items.map(s => ({ label: label(s), description: s.id, schedule: s })),
      { title: placeHolder }
    );
    return pick?.schedule;
  }

  /** The shared job-spec wizard (from a job: its instance type, image, command and timeout), then the recurrence. */
  private async askSpec(job?: Job): Promise<ScheduleSpec | undefined> {
    const spec = await this.wizard.askSpec({
      title: 'New recurring job',
      from: job,
      nameSuffix: '-recurring',
      steps: 1
    });
    if (!spec) {
      return undefined;
    }
    const recurrence = await askRecurrence();
    return recurrence ? { ...spec, recurrence } : undefined;
  }
}

/** Presets with their next runs, or a custom cron checked as it is typed (next runs shown). */
async function askRecurrence(current?: string): Promise<RecurrenceSpec | undefined> {
  const pick = await vscode.window.showQuickPick(
    RECURRENCE_CHOICES.map(c => {
      const check = c.cron ? cronNextRuns(c.cron) : undefined;
      return {
        label: c.label,
        description: c.cron,
        detail: check?.ok ? describeNextRuns(check.runs) : undefined,
        picked: c.type === current,
        choice: c
      };
    }),
    { title: 'Recurrence', placeHolder: 'When does it run?', ignoreFocusOut: true }
  );
  if (!pick) {
    return undefined;
  }
  if (pick.choice.type !== 'custom') {
    return { type: pick.choice.type, cron: pick.choice.cron };
  }
  const cron = await vscode.window.showInputBox({
    title: 'Recurrence: cron expression (minute hour day month weekday)',
    value: '0 4 * * *',
    ignoreFocusOut: true,
    validateInput: v => {
      const r = cronNextRuns(v);
      return r.ok ? { message: describeNextRuns(r.runs), severity: vscode.InputBoxValidationSeverity.Info } : r.message;
    }
  });
  return cron ? { type: 'custom', cron: cron.trim() } : undefined;
}

function label(s: Schedule): string {
  return s.displayName || s.id;
}
