import { notAuthorised } from '../errors';
import type { GroupRow, ImageRow, InstanceTypeRow, UserRow } from '../db/IdentityStore';
import type { Services } from '../Services';
import type { Context } from './context';
import { groupMlflow } from '../mlflow/groupMlflow';
import { mlflowSettingObject } from './modelResolvers';

export function instanceTypeObject(it: InstanceTypeRow) {
  return {
    id: it.name,
    name: it.name,
    displayName: it.display_name ?? it.name,
    description: it.description,
    cpuLimit: it.cpu_limit,
    memoryLimit: it.memory_limit,
    gpuLimit: it.gpu_limit,
    cpuRequest: null,
    memoryRequest: null,
    global: true,
    tolerations: [],
    nodeSelector: null
  };
}

/** An instance type by name, as PhJob/PhSchedule embed it (a removed one keeps its name). */
export function instanceTypeByName(services: Services, name: string) {
  const it = services.identity.instanceType(name);
  return it ? instanceTypeObject(it) : { id: name, name, displayName: name, tolerations: [] };
}

function imageObject(img: ImageRow) {
  return {
    id: img.name,
    name: img.name,
    displayName: img.display_name ?? img.name,
    description: img.description,
    type: img.type,
    url: img.url,
    urlForGpu: img.type === 'cpu' ? null : img.url,
    groupName: null,
    global: true,
    spec: null,
    useImagePullSecret: null,
    isReady: true
  };
}

export function groupObject(g: GroupRow, services: Services) {
  return {
    id: g.id,
    name: g.name,
    displayName: g.display_name ?? g.name,
    quotaCpu: g.quota_cpu,
    quotaGpu: g.quota_gpu,
    quotaMemory: g.quota_memory,
    projectQuotaCpu: g.project_quota_cpu,
    projectQuotaGpu: g.project_quota_gpu,
    projectQuotaMemory: g.project_quota_memory,
    enabledSharedVolume: true,
    enabledDeployment: false,
    jobDefaultActiveDeadlineSeconds: g.job_default_active_deadline_seconds,
    admins: '',
    // Every instance type and image is global on PrimeHub Local: all groups see all of them.
    instanceTypes: () => services.identity.instanceTypes().map(instanceTypeObject),
    images: () => services.identity.images().map(imageObject),
    datasets: () => [],
    users: () => services.identity.membersOf(g.id).map(u => userObject(u, services)),
    mlflow: () => mlflowSettingObject(groupMlflow(g, services.localMlflow))
  };
}

export function userObject(u: UserRow, services: Services) {
  const groups = () => services.identity.groupsOfUser(u.id).map(g => groupObject(g, services));
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    firstName: u.first_name,
    lastName: u.last_name,
    isAdmin: u.is_admin === 1,
    enabled: true,
    groups,
    effectiveGroups: groups,
    apiTokenCount: () => services.identity.tokenCount(u.id)
  };
}

function timezone() {
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  return { name, offset: -new Date().getTimezoneOffset() / 60 };
}

const LICENSE = {
  licensedTo: 'PrimeHub Local',
  licenseStatus: 'unexpired',
  startedAt: '2020-01-01T00:00:00Z',
  expiredAt: '2099-12-31T23:59:59Z',
  maxUser: -1,
  maxGroup: -1,
  maxNode: -1,
  maxModelDeploy: -1
};

export const identityResolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: Context) => userObject(ctx.user, ctx.services),
    group: (_: unknown, args: { where: { id: string } }, ctx: Context) => {
      const g = ctx.services.identity.groupById(args.where.id);
      if (!g) {
        return null;
      }
      if (!ctx.services.identity.isMember(ctx.user.id, g.id) && ctx.user.is_admin !== 1) {
        throw notAuthorised();
      }
      return groupObject(g, ctx.services);
    },
    groups: (_: unknown, __: unknown, ctx: Context) => {
      if (ctx.user.is_admin !== 1) {
        throw notAuthorised();
      }
      return ctx.services.identity.allGroups().map(g => groupObject(g, ctx.services));
    },
    timezone,
    license: (_: unknown, __: unknown, ctx: Context) => ({
      ...LICENSE,
      usage: { maxUser: 0, maxGroup: ctx.services.identity.allGroups().length, maxNode: 1, maxModelDeploy: 0 }
    })
  }
};
