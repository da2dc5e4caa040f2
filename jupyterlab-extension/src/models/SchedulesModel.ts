import type { Schedule } from '@primehub-suite/client/browser';
import type { IPrimeHub } from '../tokens';
import { PolledModel } from './PolledModel';

/** What happens to a recurring job's snapshot when it is deleted (the panel plugin's part). */
export type ScheduleDeleter = (schedule: Schedule) => Promise<void>;

/** The group's recurring jobs and what can be done with them (trigger, pause, resume, delete). */
export class SchedulesModel extends PolledModel {
  private _items: Schedule[] | null = null;
  private _note = '';
  private _group: string | null;

  constructor(
    hub: IPrimeHub,
    private readonly deleter: ScheduleDeleter
  ) {
    // Recurring jobs change less often than jobs.
    super(hub, 'schedules', 2);
    this._group = hub.group;
    hub.changed.connect(this.onHubChanged, this);
  }

  /** The recurring jobs (null before the first answer). */
  get items(): ReadonlyArray<Schedule> | null {
    return this._items;
  }

  /** What the last action did ("Paused nightly"). */
  get note(): string {
    return this._note;
  }

  /** Runs the recurring job now; resolves with the new job's id (null when it is still starting). */
  async trigger(s: Schedule): Promise<string | null | undefined> {
    const r = await this.act(`Triggering "${name(s)}"`, () => this.hub.client.schedules.run(s.id));
    if (r) {
      this.say(`Triggered ${name(s)}: job ${r.jobId ?? '(starting)'}`);
    }
    return r?.jobId;
  }

  /** Stops the recurring job from running on its own; its schedule is kept for `resume`. */
  async pause(s: Schedule): Promise<void> {
    if (await this.act(`Pausing "${name(s)}"`, () => this.hub.client.schedules.pause(s.id))) {
      this.say(`Paused ${name(s)}`);
    }
  }

  /** Runs the recurring job on its kept schedule again. */
  async resume(s: Schedule): Promise<void> {
    if (await this.act(`Resuming "${name(s)}"`, () => this.hub.client.schedules.resume(s.id))) {
      this.say(`Resumed ${name(s)}`);
    }
  }

  async delete(s: Schedule): Promise<void> {
    if (await this.act(`Deleting "${name(s)}"`, async () => (await this.deleter(s), true))) {
      this._items = this._items?.filter(i => i.id !== s.id) ?? null;
      this.say(`Deleted ${name(s)}`);
    }
  }

  override dispose(): void {
    this.hub.changed.disconnect(this.onHubChanged, this);
    super.dispose();
  }

  protected what(): string {
    return 'Listing recurring jobs';
  }

  protected async fetch(): Promise<void> {
    const group = this.hub.group;
    const items = (await this.hub.client.schedules.list({})).items;
    if (group === this.hub.group) {
      this._items = items;
      this.emitChanged();
    }
  }

  private say(note: string): void {
    this._note = note;
    this.emitChanged();
  }

  private onHubChanged(): void {
    if (this.hub.group !== this._group) {
      this._group = this.hub.group;
      this._items = null;
      this._note = '';
      this.emitChanged();
      void this.poll.refresh();
    }
  }
}

function name(s: Schedule): string {
  return s.displayName ?? s.id;
}
