import type { Job, JobSpec } from '@primehub-suite/client';
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/ConnectionManager';

const DEFAULTS_KEY = 'primehub.jobs.submitDefaults';

/** What the steps remember per workspace. */
interface SpecDefaults {
  instanceType?: string;
  image?: string;
  displayName?: string;
  command?: string;
  activeDeadlineSeconds?: number;
}

/** Where a job runs. */
export interface JobPlacement {
  instanceType: string;
  image: string;
}

/**
 * The one job-spec wizard of Submit Job, Run Current File and Create Recurring Job: instance type
 * (with its CPU, memory and GPU) and image as QuickPicks, name, command and timeout as input
 * boxes, each prefilled with the job it starts from or the workspace's last answers.
 */
export class JobSpecWizard {
  constructor(
    private readonly connection: ConnectionManager,
    private readonly workspaceState: vscode.Memento
  ) {}

  /** Instance type and image: asked (the last choice first) unless given; remembered. */
  async askWhere(given: Partial<JobPlacement> = {}, title = 'PrimeHub job'): Promise<JobPlacement | undefined> {
    const d = this.defaults();
    const client = this.connection.client;
    const instanceType = given.instanceType ?? (await this.askInstanceType(`${title}: Instance type`, d.instanceType));
    if (!instanceType) {
      return undefined;
    }
    const image =
      given.image ??
      (await pickNamed(
        `${title}: Image`,
        (await client.groups.images()).map(i => ({
          name: i.name,
          label: i.displayName || i.name,
          detail: i.description ?? ''
        })),
        d.image
      ));
    if (!image) {
      return undefined;
    }
    await this.remember({ instanceType, image });
    return { instanceType, image };
  }

  /**
   * One of the group's instance types (with its CPU, memory and GPU), `last` first; undefined when
   * dismissed. Deployments pick theirs with it too.
   */
  async askInstanceType(title: string, last?: string): Promise<string | undefined> {
    return pickNamed(
      title,
      (await this.connection.client.groups.instanceTypes()).map(t => ({
        name: t.name,
        label: t.displayName || t.name,
        detail: [
          t.cpuLimit && `${t.cpuLimit} CPU`,
          t.memoryLimit && `${t.memoryLimit} GB`,
          t.gpuLimit && `${t.gpuLimit} GPU`
        ]
          .filter(Boolean)
          .join(' · ')
      })),
      last
    );
  }

  /**
   * The whole spec: where, name, command and timeout. `from` (a job of the Jobs view) prefills
   * every step; `steps` counts steps the caller adds after these (a recurrence).
   */
  async askSpec(opts: {
    title: string;
    from?: Job;
    nameSuffix?: string;
    steps?: number;
  }): Promise<JobSpec | undefined> {
    const total = 5 + (opts.steps ?? 0);
    const job = opts.from;
    const where = await this.askWhere(
      { instanceType: job?.instanceType?.name ?? undefined, image: job?.image ?? undefined },
      opts.title
    );
    if (!where) {
      return undefined;
    }
    const d = this.defaults();
    const displayName = await vscode.window.showInputBox({
      title: `${opts.title} (3/${total}): name`,
      value: job ? `${job.displayName ?? 'job'}${opts.nameSuffix ?? ''}` : (d.displayName ?? 'job'),
      ignoreFocusOut: true,
      validateInput: v => (v.trim() ? undefined : 'A job needs a name')
    });
    if (displayName === undefined) {
      return undefined;
    }
    const command = await vscode.window.showInputBox({
      title: `${opts.title} (4/${total}): command`,
      prompt: 'Shell command, run in /home/jovyan; write files to ~/artifacts to keep them',
      value: job?.command ?? d.command ?? '',
      ignoreFocusOut: true,
      validateInput: v => (v.trim() ? undefined : 'A job needs a command')
    });
    if (command === undefined) {
      return undefined;
    }
    const lastTimeout = job ? job.activeDeadlineSeconds : d.activeDeadlineSeconds;
    const timeout = await vscode.window.showInputBox({
      title: `${opts.title} (5/${total}): timeout in seconds (empty: none)`,
      value: lastTimeout ? String(lastTimeout) : '',
      ignoreFocusOut: true,
      validateInput: v => (timeoutSeconds(v) === null ? 'A whole number of seconds, or empty' : undefined)
    });
    if (timeout === undefined) {
      return undefined;
    }
    const activeDeadlineSeconds = timeoutSeconds(timeout) ?? undefined;
    if (!job) {
      await this.remember({ displayName, command, activeDeadlineSeconds });
    }
    return { ...where, displayName: displayName.trim(), command, activeDeadlineSeconds };
  }

  private defaults(): SpecDefaults {
    return this.workspaceState.get<SpecDefaults>(DEFAULTS_KEY) ?? {};
  }

  private async remember(patch: SpecDefaults): Promise<void> {
    await this.workspaceState.update(DEFAULTS_KEY, { ...this.defaults(), ...patch });
  }
}

/** A timeout as typed: seconds, undefined for none (empty), null when it is not a whole number. */
function timeoutSeconds(text: string): number | undefined | null {
  const t = text.trim();
  if (t === '') {
    return undefined;
  }
  return /^[1-9]\d*$/.test(t) ? Number(t) : null;
}

async function pickNamed(
  title: string,
  items: Array<{ name: string; label: string; detail?: string }>,
  last?: string
): Promise<string | undefined> {
  if (items.length === 0) {
    throw new Error(`the group has no ${title.split(': ').pop()!.toLowerCase()} to use`);
  }
  const sorted = [...items].sort((a, b) => (a.name === last ? -1 : b.name === last ? 1 : 0));
  const pick = await vscode.window.showQuickPick(
    sorted.map(i => ({
      label: i.label,
      description: i.name !== i.label ? i.name : undefined,
      detail: i.detail,
      name: i.name
    })),
    { title, placeHolder: last ? `last used: ${last}` : undefined, ignoreFocusOut: true }
  );
  return pick?.name;
}
