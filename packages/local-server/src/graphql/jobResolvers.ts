import type { JobRow } from '../db/JobStore';
import type { JobInput } from '../jobs/JobService';
import type { Services } from '../Services';
import type { Context } from './context';
import { instanceTypeByName } from './identityResolvers';
import { listResolvers } from './listResolvers';

/** The URL a job's log streams from, absolute as on PrimeHub. */
export function logEndpoint(services: Services, jobId: string): string {
  return `${services.publicUrl()}/api/logs/namespaces/hub/phjobs/${jobId}`;
}

export function jobObject(j: JobRow, services: Services) {
  return {
    id: j.id,
    displayName: j.display_name,
    cancel: j.cancel === 1,
    command: j.command,
    groupId: j.group_id,
    groupName: j.group_name,
    image: j.image,
    instanceType: () => instanceTypeByName(services, j.instance_type),
    userId: j.user_id,
    userName: j.user_name,
    phase: j.phase,
    reason: j.reason,
    message: j.message,
    schedule: j.schedule_id,
    createTime: j.create_time,
    startTime: j.start_time,
    finishTime: j.finish_time,
    logEndpoint: logEndpoint(services, j.id),
    activeDeadlineSeconds: j.active_deadline_seconds,
    artifact: async (_args: unknown, ctx: Context) => {
      const prefix = `jobArtifacts/${j.id}`;
      const listing = await services.phfs.list(j.group_name, `/${prefix}/`, {
        recursive: true,
        limit: ctx.budget.limit(100_000)
      });
      ctx.budget.take(listing.items.length);
      return {
        prefix: services.phfs.objectPrefix(j.group_name, `/${prefix}`),
        items: listing.items
          .filter(i => !i.name.startsWith('.metadata/'))
          .map(i => ({ name: i.name, size: i.size, lastModified: i.lastModified }))
      };
    }
  };
}

const lists = listResolvers(services => services.jobs, jobObject);

export const jobResolvers = {
  Query: {
    phJob: (_: unknown, args: { where: { id: string } }, ctx: Context) =>
      jobObject(ctx.services.jobService.visible(ctx.user, args.where.id), ctx.services),
    phJobs: lists.list,
    phJobsConnection: lists.connection
  },
  Mutation: {
    createPhJob: (_: unknown, args: { data: JobInput }, ctx: Context) =>
      jobObject(ctx.services.jobService.submit(ctx.user, args.data), ctx.services),
    rerunPhJob: (_: unknown, args: { where: { id: string } }, ctx: Context) =>
      jobObject(ctx.services.jobService.rerun(ctx.user, args.where.id), ctx.services),
    cancelPhJob: async (_: unknown, args: { where: { id: string } }, ctx: Context) => {
      const job = ctx.services.jobService.visible(ctx.user, args.where.id);
      await ctx.services.runner.cancel(job.id);
      return { id: job.id };
    }
  }
};
