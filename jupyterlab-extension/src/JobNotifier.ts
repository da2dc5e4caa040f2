import { Notification } from '@jupyterlab/apputils';
import { isTerminalPhase, type Job } from '@primehub-suite/client/browser';
import { failureHint } from './models/notebookJobs';
import type { IPrimeHub } from './tokens';

/** What the notifier's buttons do. */
export interface IJobActions {
  showJob(id: string): void;
  showLog(id: string): void;
  openNotebook(path: string): void;
}

interface ITracked {
  job: Job;
  output: string | null;
}

/**
 * Follows the jobs submitted from this JupyterLab until they end and tells the user, whichever
 * notebook or dialog is open by then. Polls with the settings' interval, slower after errors.
 */
export class JobNotifier {
  private tracked = new Map<string, ITracked>();
  private timer: number | undefined;
  private failures = 0;

  constructor(
    private readonly hub: IPrimeHub,
    private readonly actions: IJobActions
  ) {}

  /** Starts following a job just submitted. */
  track(job: Job, output: string | null): void {
    this.tracked.set(job.id, { job, output });
    if (this.hub.settings.notifications) {
      Notification.success(`Job "${job.displayName ?? job.id}" submitted`, {
        autoClose: 5000,
        actions: [{ label: 'Show job', callback: () => this.actions.showJob(job.id) }]
      });
    }
    this.schedule(1000);
  }

  dispose(): void {
    window.clearTimeout(this.timer);
    this.tracked.clear();
  }

  private schedule(ms: number): void {
    window.clearTimeout(this.timer);
    if (this.tracked.size > 0) {
      this.timer = window.setTimeout(() => void this.poll(), ms);
    }
  }

  private async poll(): Promise<void> {
    const base = this.hub.settings.pollIntervalSeconds * 1000;
    for (const [id, entry] of [...this.tracked]) {
      let job: Job;
      try {
        job = await this.hub.client.jobs.get(id);
        this.failures = 0;
      } catch (err) {
        this.hub.handleError(err);
        this.failures++;
        break;
      }
      if (isTerminalPhase(job.phase)) {
        this.tracked.delete(id);
        await this.ended(job, entry.output);
      }
    }
    this.schedule(Math.min(base * 2 ** this.failures, 5 * 60_000));
  }

  private async ended(job: Job, output: string | null): Promise<void> {
    if (!this.hub.settings.notifications) {
      return;
    }
    const name = job.displayName ?? job.id;
    const log = { label: 'Show log', callback: () => this.actions.showLog(job.id) };
    if (job.phase === 'Succeeded') {
      const actions = output
        ? [{ label: 'Open output notebook', callback: () => this.actions.openNotebook(output) }, log]
        : [log];
      Notification.success(`Job "${name}" succeeded`, { autoClose: false, actions });
      return;
    }
    let hint = '';
    if (job.phase === 'Failed') {
      try {
        const lines: string[] = [];
        for await (const line of this.hub.client.jobs.logs(job.id, { tail: 50 })) {
          lines.push(line);
        }
        hint = failureHint(lines);
      } catch {
        // The notification matters more than the hint.
      }
    }
    Notification.error(
      `Job "${name}" ${job.phase === 'Failed' ? 'failed' : (job.phase ?? 'ended').toLowerCase()}${hint}`,
      {
        autoClose: false,
        actions: [log]
      }
    );
  }
}
