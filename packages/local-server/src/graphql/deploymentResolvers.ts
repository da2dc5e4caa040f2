import type { DeploymentRow, DeploymentSpec } from '../db/DeploymentStore';
import type { OwnedWhere } from '../db/paginate';
import type { DeploymentCreateInput, DeploymentUpdateInput } from '../deployments/DeploymentService';
import type { Services } from '../Services';
import type { Context } from './context';
import { instanceTypeByName } from './identityResolvers';
import { listResolvers } from './listResolvers';

/** The prediction endpoint PrimeHub gives a deployment, absolute. */
export function deploymentEndpoint(services: Services, id: string): string {
  return `${services.publicUrl()}/deployment/${id}/api/v1.0/predictions`;
}

/** The URL a replica's log streams from, as a pod's `logEndpoint` on PrimeHub. */
export function podLogEndpoint(services: Services, pod: string): string {
  return `${services.publicUrl()}/api/logs/namespaces/hub/phdeployments/${pod}`;
}

/** The fields a deployment and a history entry's snapshot share. */
function specFields(s: DeploymentSpec, services: Services) {
  return {
    id: s.id,
    name: s.display_name,
    description: s.description,
    updateMessage: s.update_message,
    metadata: JSON.parse(s.metadata) as unknown,
    stop: s.stop === 1,
    userId: s.user_id,
    userName: s.user_name,
    groupId: s.group_id,
    groupName: s.group_name,
    endpoint: deploymentEndpoint(services, s.id),
    modelImage: s.model_image,
    modelURI: s.model_uri,
    replicas: s.replicas,
    imagePullSecret: s.image_pull_secret,
    instanceType: () => instanceTypeByName(services, s.instance_type),
    creationTime: s.creation_time,
    lastUpdatedTime: s.last_updated_time,
    env: JSON.parse(s.env) as unknown,
    endpointAccessType: s.endpoint_access_type
  };
}

export function deploymentObject(row: DeploymentRow, services: Services) {
  return {
    ...specFields(row, services),
    status: row.status,
    message: row.message,
    availableReplicas: () => services.deploymentRunner.pods(row.id).filter(p => p.ready).length,
    pods: () =>
      services.deploymentRunner.pods(row.id).map(p => ({
        name: p.name,
        phase: p.phase,
        logEndpoint: podLogEndpoint(services, p.name)
      })),
    history: () =>
      services.deployments.history(row.id).map(h => ({
        time: h.time,
        // the deployment as that change left it
        deployment: {
          ...specFields(h.spec, services),
          status: h.spec.stop ? 'Stopped' : 'Deployed',
          message: null,
          availableReplicas: null,
          pods: [],
          history: [],
          endpointClients: []
        }
      })),
    endpointClients: () => services.deployments.clients(row.id).map(name => ({ name }))
  };
}

type DeploymentWhere = {
  id?: string | null;
  groupId_in?: (string | null)[] | null;
  name_contains?: string | null;
} & Omit<OwnedWhere, 'displayName_contains'>;
type ListArgs = { where?: DeploymentWhere | null; first?: number; last?: number; after?: string; before?: string };

const lists = listResolvers(services => services.deployments, deploymentObject);

/** PrimeHub's deployment filter on the shared owned-record filter (a deployment's name is its display name). */
function listArgs(args: ListArgs) {
  const { name_contains, ...where } = args.where ?? {};
  return { ...args, where: { ...where, displayName_contains: name_contains } };
}

type Where = { where: { id: string } };

export const deploymentResolvers = {
  Query: {
    phDeployment: (_: unknown, args: Where, ctx: Context) =>
      deploymentObject(ctx.services.deploymentService.visible(ctx.user, args.where.id), ctx.services),
    phDeploymentAvail: (_: unknown, args: Where, ctx: Context) =>
      ctx.services.deploymentService.available(args.where.id),
    phDeployments: (_: unknown, args: ListArgs, ctx: Context) => lists.list(_, listArgs(args), ctx),
    phDeploymentsConnection: (_: unknown, args: ListArgs, ctx: Context) => lists.connection(_, listArgs(args), ctx)
  },
  Mutation: {
    createPhDeployment: (_: unknown, args: { data: DeploymentCreateInput }, ctx: Context) =>
      deploymentObject(ctx.services.deploymentService.create(ctx.user, args.data), ctx.services),
    updatePhDeployment: (_: unknown, args: Where & { data: DeploymentUpdateInput }, ctx: Context) =>
      deploymentObject(ctx.services.deploymentService.update(ctx.user, args.where.id, args.data), ctx.services),
    deployPhDeployment: (_: unknown, args: Where, ctx: Context) =>
      deploymentObject(ctx.services.deploymentService.start(ctx.user, args.where.id), ctx.services),
    stopPhDeployment: (_: unknown, args: Where, ctx: Context) =>
      deploymentObject(ctx.services.deploymentService.stop(ctx.user, args.where.id), ctx.services),
    // PrimeHub's delete resolves only the id
    deletePhDeployment: (_: unknown, args: Where, ctx: Context) =>
      ctx.services.deploymentService.delete(ctx.user, args.where.id),
    createPhDeploymentClient: (
      _: unknown,
      args: { data: { deploymentId?: string | null; name?: string | null } },
      ctx: Context
    ) => ctx.services.deploymentService.createClient(ctx.user, args.data.deploymentId ?? '', args.data.name ?? ''),
    deletePhDeploymentClient: (_: unknown, args: { where: { deploymentId: string; name: string } }, ctx: Context) =>
      deploymentObject(
        ctx.services.deploymentService.deleteClient(ctx.user, args.where.deploymentId, args.where.name),
        ctx.services
      )
  }
};
