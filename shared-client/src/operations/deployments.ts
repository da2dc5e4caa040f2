import type { Deployment, DeploymentDetail, DeploymentHistoryItem, DeploymentStatus, Pod } from '../types';
import { defineOperation } from './defineOperation';

// Texts follow the official SDK primehub/deployments.py (plus the model URI and last update, which the editors'
// lists show); client operations follow the console UI.
const DEPLOY_BASE = `id name modelImage modelURI imagePullSecret description replicas stop endpointAccessType
  endpointClients { name } status endpoint replicas availableReplicas message lastUpdatedTime`;
const DEPLOY_FIELDS = `${DEPLOY_BASE} pods { name }`;

/** Input of `createPhDeployment`. */
export interface PhDeploymentCreateInput {
  id: string;
  name: string;
  groupId: string;
  instanceType: string;
  modelImage: string;
  replicas: number;
  modelURI?: string;
  imagePullSecret?: string | null;
  description?: string;
  updateMessage?: string;
  metadata?: Record<string, string>;
  env?: Array<{ name: string; value: string }>;
  endpointAccessType?: 'public' | 'private';
}

/** Input of `updatePhDeployment` (partial; the group and name are immutable). */
export interface PhDeploymentUpdateInput {
  replicas?: number;
  modelImage?: string;
  modelURI?: string | null;
  imagePullSecret?: string | null;
  description?: string;
  updateMessage?: string;
  env?: Array<{ name: string; value: string }>;
  metadata?: Record<string, string> | null;
  instanceType?: string;
  endpointAccessType?: 'public' | 'private';
}

type ById = { where: { id: string } };

export const DEPLOYMENT_LIST = defineOperation<
  { phDeployments: Deployment[] },
  { where: { groupId_in?: string[]; name_contains?: string; search?: string; mine?: boolean } }
>(`
  query DeploymentList($where: PhDeploymentWhereInput) { phDeployments(where: $where) { ${DEPLOY_FIELDS} } }
`);

/** A cursor page of deployments (`first`/`after`). */
export const DEPLOYMENT_CURSOR_LIST = defineOperation<
  {
    phDeploymentsConnection: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: Array<{ cursor: string; node: Deployment } | null>;
    };
  },
  { where: { groupId_in?: string[]; name_contains?: string }; first: number; after?: string }
>(`
  query DeploymentCursorList($where: PhDeploymentWhereInput, $first: Int, $after: String) {
    phDeploymentsConnection(where: $where, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor } edges { cursor node { ${DEPLOY_FIELDS} } } } }
`);

export const DEPLOYMENT_GET = defineOperation<{ phDeployment: DeploymentDetail }, ById>(
  `query DeploymentGet($where: PhDeploymentWhereUniqueInput!) { phDeployment(where: $where) {
    id status message name description updateMessage metadata stop userName groupName endpoint modelImage
    modelURI replicas availableReplicas imagePullSecret instanceType { name } creationTime lastUpdatedTime
    pods { name } env { name value } endpointAccessType endpointClients { name } } }`,
  { byId: true }
);

export const DEPLOYMENT_HISTORY = defineOperation<{ phDeployment: { history: DeploymentHistoryItem[] | null } }, ById>(
  `query DeploymentHistory($where: PhDeploymentWhereUniqueInput!) { phDeployment(where: $where) {
    history { time deployment { id name modelImage imagePullSecret description replicas stop
      endpointAccessType endpointClients { name } status endpoint replicas } } } }`,
  { byId: true }
);

export const DEPLOYMENT_CREATE = defineOperation<
  { createPhDeployment: Deployment },
  { data: PhDeploymentCreateInput }
>(`
  mutation DeploymentCreate($data: PhDeploymentCreateInput!) { createPhDeployment(data: $data) { ${DEPLOY_FIELDS} } }
`);

export const DEPLOYMENT_UPDATE = defineOperation<
  { updatePhDeployment: Deployment },
  { data: PhDeploymentUpdateInput; where: { id: string } }
>(
  `mutation DeploymentUpdate($data: PhDeploymentUpdateInput! $where: PhDeploymentWhereUniqueInput!) {
    updatePhDeployment(data: $data, where: $where) { ${DEPLOY_FIELDS} } }`,
  { byId: true }
);

export const DEPLOYMENT_START = defineOperation<{ deployPhDeployment: Deployment }, ById>(
  `mutation DeploymentStart($where: PhDeploymentWhereUniqueInput!) { deployPhDeployment(where: $where) { ${DEPLOY_FIELDS} } }`,
  { byId: true }
);

export const DEPLOYMENT_STOP = defineOperation<{ stopPhDeployment: Deployment }, ById>(
  `mutation DeploymentStop($where: PhDeploymentWhereUniqueInput!) { stopPhDeployment(where: $where) { ${DEPLOY_BASE} } }`,
  { byId: true }
);

export const DEPLOYMENT_DELETE = defineOperation<{ deletePhDeployment: { id: string } }, ById>(
  `mutation DeploymentDelete($where: PhDeploymentWhereUniqueInput!) { deletePhDeployment(where: $where) { id } }`,
  { byId: true }
);

export const DEPLOYMENT_STATUS = defineOperation<
  { phDeployment: { stop: boolean | null; status: DeploymentStatus | null } },
  ById
>(`query DeploymentStatus($where: PhDeploymentWhereUniqueInput!) { phDeployment(where: $where) { stop status } }`, {
  byId: true
});

export const DEPLOYMENT_PODS = defineOperation<{ phDeployment: { pods: Pod[] | null } }, ById>(
  `query DeploymentPods($where: PhDeploymentWhereUniqueInput!) { phDeployment(where: $where) {
    pods { name phase logEndpoint } } }`,
  { byId: true }
);

/** True iff the id is well-formed and unused (sdk inlines the id; we pass it as a variable). */
export const DEPLOYMENT_AVAIL = defineOperation<{ phDeploymentAvail: boolean }, ById>(`
  query DeploymentAvail($where: PhDeploymentWhereUniqueInput!) { phDeploymentAvail(where: $where) }
`);

export const DEPLOYMENT_CLIENT_CREATE = defineOperation<
  { createPhDeploymentClient: { name: string; plainTextToken: string } },
  { data: { deploymentId: string; name: string } }
>(`
  mutation createPhDeploymentClient($data: PhDeploymentClientCreateInput!) {
    createPhDeploymentClient(data: $data) { name plainTextToken } }
`);

export const DEPLOYMENT_CLIENT_DELETE = defineOperation<
  {
    deletePhDeploymentClient: {
      id: string;
      name: string | null;
      endpointClients: Array<{ name: string }> | null;
    } | null;
  },
  { where: { deploymentId: string; name: string } }
>(`
  mutation deletePhDeploymentClient($where: PhDeploymentClientWhereUniqueInput!) {
    deletePhDeploymentClient(where: $where) { id name endpointClients { name } } }
`);
