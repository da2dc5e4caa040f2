import type { ArtifactItem, Job, JobPhase } from '../types';
import { defineOperation } from './defineOperation';

// Texts follow the official SDK primehub/jobs.py; `JOB_FIELDS` is its selection set.
const JOB_FIELDS = `id displayName cancel command groupId groupName schedule image
  instanceType { id name displayName cpuLimit memoryLimit gpuLimit }
  userId userName phase reason message createTime startTime finishTime activeDeadlineSeconds logEndpoint`;

/** Input of `createPhJob`. */
export interface PhJobCreateInput {
  displayName: string;
  groupId: string;
  instanceType: string;
  image: string;
  command: string;
  activeDeadlineSeconds?: number;
}

/** Filters of `phJobsConnection`. */
export interface PhJobWhereInput {
  id?: string;
  groupId_in?: string[];
  displayName_contains?: string;
  search?: string;
  mine?: boolean;
}

/** Sort order; values are `asc` or `desc`. */
export interface PhJobOrderByInput {
  displayName?: 'asc' | 'desc';
  schedule?: 'asc' | 'desc';
  createTime?: 'asc' | 'desc';
  userName?: 'asc' | 'desc';
  groupName?: 'asc' | 'desc';
  phase?: 'asc' | 'desc';
}

type ById = { where: { id: string } };

export const JOB_SUBMIT = defineOperation<{ createPhJob: Job }, { data: PhJobCreateInput }>(`
  mutation JobSubmit($data: PhJobCreateInput!) { createPhJob(data: $data) { ${JOB_FIELDS} } }
`);

export const JOB_LIST = defineOperation<
  {
    phJobsConnection: {
      pageInfo: { totalPage: number | null; currentPage: number | null };
      edges: Array<{ cursor: string; node: Job }>;
    };
  },
  { where: PhJobWhereInput; page: number; orderBy?: PhJobOrderByInput }
>(`
  query JobList($where: PhJobWhereInput, $page: Int, $orderBy: PhJobOrderByInput) {
    phJobsConnection(where: $where, page: $page, orderBy: $orderBy) {
      pageInfo { totalPage currentPage }
      edges { cursor node { ${JOB_FIELDS} } } } }
`);

/** A cursor page of jobs (`first`/`after`): stable while jobs are submitted during an iteration. */
export const JOB_CURSOR_LIST = defineOperation<
  {
    phJobsConnection: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: Array<{ cursor: string; node: Job }>;
    };
  },
  { where: PhJobWhereInput; first: number; after?: string; orderBy?: PhJobOrderByInput }
>(`
  query JobCursorList($where: PhJobWhereInput, $first: Int, $after: String, $orderBy: PhJobOrderByInput) {
    phJobsConnection(where: $where, first: $first, after: $after, orderBy: $orderBy) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ${JOB_FIELDS} } } } }
`);

export const JOB_GET = defineOperation<{ phJob: Job }, ById>(
  `query JobGet($where: PhJobWhereUniqueInput!) {
    phJob(where: $where) { ${JOB_FIELDS} artifact { prefix items { name size lastModified } } } }`,
  { byId: true }
);

export const JOB_CANCEL = defineOperation<{ cancelPhJob: { id: string } }, ById>(
  `mutation JobCancel($where: PhJobWhereUniqueInput!) { cancelPhJob(where: $where) { id } }`,
  { byId: true }
);

export const JOB_RERUN = defineOperation<{ rerunPhJob: Job }, ById>(
  `mutation JobRerun($where: PhJobWhereUniqueInput!) { rerunPhJob(where: $where) { ${JOB_FIELDS} } }`,
  { byId: true }
);

export const JOB_PHASE = defineOperation<{ phJob: { phase: JobPhase | null } }, ById>(
  `query JobPhase($where: PhJobWhereUniqueInput!) { phJob(where: $where) { phase } }`,
  { byId: true }
);

export const JOB_LOG_ENDPOINT = defineOperation<{ phJob: { logEndpoint: string | null } }, ById>(
  `query JobLogEndpoint($where: PhJobWhereUniqueInput!) { phJob(where: $where) { logEndpoint } }`,
  { byId: true }
);

export const JOB_ARTIFACTS = defineOperation<{ phJob: { artifact: { items: ArtifactItem[] | null } | null } }, ById>(
  `query JobArtifacts($where: PhJobWhereUniqueInput!) {
    phJob(where: $where) { artifact { items { name size lastModified } } } }`,
  { byId: true }
);
