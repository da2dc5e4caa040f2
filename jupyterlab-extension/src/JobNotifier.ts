import { Notification } from '@jupyterlab/apputils';
import type { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { isTerminalPhase, type Job } from '@primehub-suite/client/browser';
import { MAX_BACKOFF_MS } from './models/PolledModel';
import { batchSummary, type IBatchJob } from './models/jobBatch';
import type { ICompareRequest, IPrimeHub, ISubmittedJob } from './tokens';

/** What the notification's buttons do. */
export interface IJobActions {
  showJob(id: string): void;
  showLog(id: string): void;
  openNotebook(path: string): void;
  /** Why a failed job failed, in one line (its message, or its output notebook's error). */
  failureOf(job: Job): Promise<string>;
  /** Opens a Compare tab of a sweep's runs (when the compare command is there). */
  compare?(request: ICompareRequest): void;
}

/** How long a success stays on screen (ms), as JupyterLab's own notifications. */
export const SUCCESS_AUTO_CLOSE_MS = 5000;

/** Jobs submitted together (one, or a sweep) and their one notification. */
interface IBatch {
  notification: string;
  label: string;
  jobs: IBatchJob[];
  /** The sweep the jobs are (its MLflow runs' tag), when they are one. */
  sweepId?: string;
}

/**
 * Follows the jobs submitted from this JupyterLab until they end and tells the user, whichever
 * notebook or dialog is open by then: one notification per submission (a sweep's jobs share
 * one), updated as they end; a success closes itself, a failure stays with "Open output
 * notebook" and "Show log". One Poll, in standby while nothing is followed.
 */
export class JobNotifier implements IDisposable {
  private readonly batches = new Set<IBatch>();
  private readonly poll: Poll;
  private _disposed = false;

  constructor(
    private readonly hub: IPrimeHub,
    private readonly actions: IJobActions
  ) {
    this.poll = new Poll({
      name: 'primehub-suite:notifier',
      auto: false,
      factory: () => this.check(),
      frequency: { interval: this.intervalMs(), backoff: true, max: MAX_BACKOFF_MS },
      // Submitted jobs are followed also while the browser tab is hidden: the user comes back to the news.
      standby: () => this.batches.size === 0
    });
    hub.changed.connect(this.onSettings, this);
    void this.poll.start();
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Checks the followed jobs now (one was seen to end elsewhere) rather than at the next poll. */
  refresh(): void {
    if (this.batches.size > 0) {
      void this.poll.refresh();
    }
  }

  /** Starts following jobs just submitted together (`label`: the sweep's name). */
  track(jobs: ReadonlyArray<ISubmittedJob>, label?: string): void {
    if (jobs.length === 0) {
      return;
    }
    const batch: IBatch = {
      notification: '',
      label: label ?? jobs[0].job.displayName ?? jobs[0].job.id,
      jobs: jobs.map(j => ({ job: j.job, output: j.output, ended: false, failure: '' })),
      ...(jobs[0].sweepId ? { sweepId: jobs[0].sweepId } : {})
    };
    if (this.hub.settings.notifications) {
      const summary = batchSummary(batch.label, batch.jobs);
      batch.notification = Notification.emit(summary.message, 'in-progress', {
        autoClose: SUCCESS_AUTO_CLOSE_MS,
        actions: [
          {
            label: jobs.length === 1 ? 'Show job' : 'Show first job',
            callback: () => this.actions.showJob(jobs[0].job.id)
          }
        ]
      });
    }
    this.batches.add(batch);
    void this.poll.refresh();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.hub.changed.disconnect(this.onSettings, this);
    this.poll.dispose();
    this.batches.clear();
  }

  private async check(): Promise<void> {
    for (const batch of [...this.batches]) {
      let changed = false;
      for (const entry of batch.jobs.filter(j => !j.ended)) {
        let job: Job;
        try {
          job = await this.hub.client.jobs.get(entry.job.id);
        } catch (err) {
          this.hub.describe('Following submitted jobs', err);
          throw err;
        }
        entry.job = job;
        if (isTerminalPhase(job.phase)) {
          entry.ended = true;
          changed = true;
          if (job.phase !== 'Succeeded') {
            entry.failure = await this.actions.failureOf(job).catch(() => '');
          }
        }
      }
      if (changed) {
        this.show(batch);
      }
      if (batch.jobs.every(j => j.ended)) {
        this.batches.delete(batch);
      }
    }
  }

  /** Updates the batch's notification (or makes one, when the first was turned off). */
  private show(batch: IBatch): void {
    if (!this.hub.settings.notifications) {
      return;
    }
    const summary = batchSummary(batch.label, batch.jobs);
    const actions: Notification.IAction[] = [];
    const subject = summary.failed ?? batch.jobs[0];
    if (summary.done) {
      const compare = this.actions.compare;
      // a sweep's runs side by side, once some of them finished
      if (compare && batch.jobs.length > 1 && batch.jobs.some(j => j.job.phase === 'Succeeded')) {
        const request: ICompareRequest = {
          jobIds: batch.jobs.map(j => j.job.id),
          label: batch.label,
          ...(batch.sweepId ? { sweepId: batch.sweepId } : {})
        };
        actions.push({ label: 'Compare runs', callback: () => compare(request) });
      }
      if (subject.output) {
        const output = subject.output;
        actions.push({ label: 'Open output notebook', callback: () => this.actions.openNotebook(output) });
      }
      actions.push({ label: 'Show log', callback: () => this.actions.showLog(subject.job.id) });
    } else {
      actions.push({ label: 'Show first job', callback: () => this.actions.showJob(batch.jobs[0].job.id) });
    }
    const options = {
      // Successes close themselves, as JupyterLab's own do; failures stay until read.
      autoClose:
        summary.type === 'success'
          ? SUCCESS_AUTO_CLOSE_MS
          : summary.type === 'in-progress'
            ? SUCCESS_AUTO_CLOSE_MS
            : false,
      actions
    } as const;
    if (
      !batch.notification ||
      !Notification.update({ id: batch.notification, message: summary.message, type: summary.type, ...options })
    ) {
      batch.notification = Notification.emit(summary.message, summary.type, options);
    }
  }

  private intervalMs(): number {
    return Math.max(1, this.hub.settings.pollIntervalSeconds) * 1000;
  }

  private onSettings(): void {
    const interval = this.intervalMs();
    if (this.poll.frequency.interval !== interval) {
      this.poll.frequency = { ...this.poll.frequency, interval };
    }
  }
}
