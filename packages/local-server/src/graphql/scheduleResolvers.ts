import { notAuth, notFound } from '../errors';
import type { UserRow } from '../db/IdentityStore';
import type { ScheduleRow } from '../db/ScheduleStore';
import type { JobInput } from '../jobs/JobService';
import { resolveRecurrence } from '../schedules/recurrence';
import { templateOf } from '../schedules/Scheduler';
import type { Services } from '../Services';
import type { Context } from './context';
import { instanceTypeByName } from './identityResolvers';
import { listResolvers } from './listResolvers';
import { jobObject } from './jobResolvers';

interface ScheduleInput extends JobInput {
  recurrence?: { type?: string | null; cron?: string | null } | null;
}

function scheduleObject(s: ScheduleRow, services: Services) {
  return {
    id: s.id,
    displayName: s.display_name,
    recurrence: { type: s.recurrence_type, cron: s.cron },
    command: s.command,
    groupId: s.group_id,
    groupName: s.group_name,
    image: s.image,
    instanceType: () => instanceTypeByName(services, s.instance_type),
    userId: s.user_id,
    userName: s.user_name,
    createTime: s.create_time,
    updateTime: s.update_time,
    nextRunTime: s.next_run_time,
    invalid: s.invalid === 1,
    message: s.message,
    activeDeadlineSeconds: s.active_deadline_seconds
  };
}

function visibleSchedule(ctx: Context, id: string): ScheduleRow {
  const s = ctx.services.schedules.get(id);
  if (!s) {
    throw notFound('phschedules', id);
  }
  if (!ctx.services.identity.isMember(ctx.user.id, s.group_id)) {
    throw notAuth();
  }
  return s;
}

/** Validated columns for a schedule from a full input (create, or an update merged onto the old one). */
function scheduleFields(ctx: Context, user: UserRow, input: ScheduleInput) {
  const t = ctx.services.jobService.template(user, input);
  const r = resolveRecurrence(input.recurrence ?? { type: 'inactive' });
  return {
    display_name: t.displayName,
    group_id: t.group.id,
    group_name: t.group.name,
    user_id: user.id,
    user_name: user.username,
    instance_type: t.instanceType.name,
    image: t.image,
    command: t.command,
    active_deadline_seconds: t.activeDeadlineSeconds,
    recurrence_type: r.type,
    cron: r.cron,
    next_run_time: r.nextRunTime,
    invalid: r.invalid ? 1 : 0,
    message: r.message
  };
}

const lists = listResolvers(services => services.schedules, scheduleObject);

export const scheduleResolvers = {
  Query: {
    phSchedule: (_: unknown, args: { where: { id: string } }, ctx: Context) =>
      scheduleObject(visibleSchedule(ctx, args.where.id), ctx.services),
    phSchedules: lists.list,
    phSchedulesConnection: lists.connection
  },
  Mutation: {
    createPhSchedule: (_: unknown, args: { data: ScheduleInput }, ctx: Context) => {
      const s = ctx.services.schedules.create(scheduleFields(ctx, ctx.user, args.data));
      ctx.services.scheduler.reschedule();
      return scheduleObject(s, ctx.services);
    },
    updatePhSchedule: (_: unknown, args: { where: { id: string }; data: ScheduleInput }, ctx: Context) => {
      const old = visibleSchedule(ctx, args.where.id);
      const d = args.data;
      // A partial patch: omitted fields keep their values (moving group needs membership of both).
      const merged: ScheduleInput = {
        displayName: d.displayName ?? old.display_name,
        groupId: d.groupId ?? old.group_id,
        instanceType: d.instanceType ?? old.instance_type,
        image: d.image ?? old.image,
        command: d.command ?? old.command,
        activeDeadlineSeconds:
          d.activeDeadlineSeconds === undefined ? old.active_deadline_seconds : d.activeDeadlineSeconds,
        recurrence: d.recurrence ?? { type: old.recurrence_type, cron: old.cron }
      };
      const fields = scheduleFields(ctx, ctx.user, merged);
      const s = ctx.services.schedules.update(old.id, {
        ...fields,
        user_id: old.user_id,
        user_name: old.user_name,
        update_time: new Date().toISOString()
      });
      ctx.services.scheduler.reschedule();
      return scheduleObject(s, ctx.services);
    },
    deletePhSchedule: (_: unknown, args: { where: { id: string } }, ctx: Context) => {
      const s = visibleSchedule(ctx, args.where.id);
      ctx.services.schedules.delete(s.id);
      ctx.services.scheduler.reschedule();
      return { id: s.id };
    },
    runPhSchedule: (_: unknown, args: { where: { id: string } }, ctx: Context) => {
      const s = visibleSchedule(ctx, args.where.id);
      // As on PrimeHub, a manual run is a normal job: it does not carry the schedule label.
      const job = ctx.services.jobService.submit(ctx.user, templateOf(s));
      return { job: jobObject(job, ctx.services) };
    }
  }
};
