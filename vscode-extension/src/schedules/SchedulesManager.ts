import type { Schedule, ScheduleSpec } from '@primehub-suite/client';
import type { ConnectionManager } from '../connection/ConnectionManager';
import type { Logger } from '../logger/Logger';
import { ListModel } from '../util/ListModel';

/** Recurring jobs of the current group: listing and changes. No UI. */
export class SchedulesManager {
  readonly model = new ListModel<Schedule>();

  constructor(
    private readonly connection: ConnectionManager,
    private readonly log: Logger
  ) {}

  async refresh(signal?: AbortSignal): Promise<void> {
    if (this.connection.state !== 'signedIn') {
      this.model.clear();
      return;
    }
    try {
      const items: Schedule[] = [];
      for await (const s of this.connection.client.schedules.iterate({ signal })) {
        items.push(s);
      }
      this.model.set(items);
    } catch (e) {
      this.model.setError(e);
      this.connection.noteError(e);
      throw e;
    }
  }

  async create(spec: ScheduleSpec, signal?: AbortSignal): Promise<Schedule> {
    const s = await this.connection.call(c => c.schedules.create(spec, { signal }));
    this.log.info(`created recurring job ${s.id} (${s.displayName})`);
    await this.refresh(signal).catch(() => undefined);
    return s;
  }

  async update(id: string, patch: Partial<ScheduleSpec>, signal?: AbortSignal): Promise<Schedule> {
    const s = await this.connection.call(c => c.schedules.update(id, patch, { signal }));
    await this.refresh(signal).catch(() => undefined);
    return s;
  }

  /** Runs the recurring job now; returns the new job's id. */
  async trigger(id: string, signal?: AbortSignal): Promise<string | null> {
    const { jobId } = await this.connection.call(c => c.schedules.run(id, { signal }));
    this.log.info(`triggered recurring job ${id}: job ${jobId}`);
    return jobId;
  }

  /** Pausing stops the recurring job's timer and keeps its schedule to resume with. */
  async pause(id: string, signal?: AbortSignal): Promise<Schedule> {
    const s = await this.connection.call(c => c.schedules.pause(id, { signal }));
    this.log.info(`paused recurring job ${id}`);
    await this.refresh(signal).catch(() => undefined);
    return s;
  }

  /** Runs a paused recurring job on its kept schedule again. */
  async resume(id: string, signal?: AbortSignal): Promise<Schedule> {
    const s = await this.connection.call(c => c.schedules.resume(id, { signal }));
    this.log.info(`resumed recurring job ${id}`);
    await this.refresh(signal).catch(() => undefined);
    return s;
  }

  async delete(id: string, signal?: AbortSignal): Promise<void> {
    await this.connection.call(c => c.schedules.delete(id, { signal }));
    await this.refresh(signal).catch(() => undefined);
  }
}
