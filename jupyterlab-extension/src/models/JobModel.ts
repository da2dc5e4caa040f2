import { isTerminalPhase, type Job } from '@primehub-suite/client/browser';
import type { IPrimeHub } from '../tokens';
import { failureOf } from './jobFailure';
import { PolledModel } from './PolledModel';

/** One job, polled until it ends (a job tab). */
export class JobModel extends PolledModel {
  private _job: Job | null = null;
  private _failure: string | null = null;

  constructor(
    hub: IPrimeHub,
    readonly id: string
  ) {
    super(hub, `job-${id}`);
  }

  /** The job as last fetched (null before the first answer). */
  get job(): Job | null {
    return this._job;
  }

  /**
   * Why the job failed (the failing cell and its exception, when the output notebook tells):
   * null until known, '' when nothing more than the message is known.
   */
  get failure(): string | null {
    return this._failure;
  }

  /** Whether the job has ended; then it is not polled any more. */
  get ended(): boolean {
    return isTerminalPhase(this._job?.phase);
  }

  /** Cancels the job; resolves with false (and `error` set) when PrimeHub refused. */
  async cancel(): Promise<boolean> {
    const job = await this.act('Cancelling the job', () => this.hub.client.jobs.cancel(this.id));
    if (job) {
      this.set(job);
    }
    return job !== undefined;
  }

  protected what(): string {
    return 'Loading the job';
  }

  protected override standby(): boolean {
    return super.standby() || this.ended;
  }

  protected async fetch(): Promise<void> {
    this.set(await this.hub.client.jobs.get(this.id));
  }

  private set(job: Job): void {
    this._job = job;
    this.emitChanged();
    if (this.ended && job.phase !== 'Succeeded' && this._failure === null) {
      this._failure = '';
      void failureOf(this.hub.client, job).then(failure => {
        this._failure = failure;
        this.emitChanged();
      });
    }
  }
}
