import type { Schedule } from '../types';
import { defineOperation } from './defineOperation';

// Texts follow the official SDK primehub/recurring_jobs.py; `SCHEDULE_FIELDS` is its selection set.
const SCHEDULE_FIELDS = `id displayName recurrence { type cron } invalid message command groupId groupName image
  instanceType { id name displayName cpuLimit memoryLimit gpuLimit } userId userName nextRunTime`;

/** Recurrence as sent to the server. */
export interface RecurrenceInput {
  type: string;
  cron?: string;
}

/** Input of `createPhSchedule`. */
export interface PhScheduleCreateInput {
  displayName: string;
  groupId: string;
  instanceType: string;
  image: string;
  command: string;
  recurrence: RecurrenceInput;
  activeDeadlineSeconds?: number;
}

/** Input of `updatePhSchedule` (partial). */
export type PhScheduleUpdateInput = Partial<PhScheduleCreateInput>;

export interface PhScheduleWhereInput {
  id?: string;
  groupId_in?: string[];
  search?: string;
  displayName_contains?: string;
  mine?: boolean;
}

export interface PhScheduleOrderByInput {
  displayName?: 'asc' | 'desc';
  groupName?: 'asc' | 'desc';
  userName?: 'asc' | 'desc';
  nextRunTime?: 'asc' | 'desc';
  createTime?: 'asc' | 'desc';
}

type ById = { where: { id: string } };

export const SCHEDULE_LIST = defineOperation<
  {
    phSchedulesConnection: {
      pageInfo: { totalPage: number | null; currentPage: number | null };
      edges: Array<{ cursor: string; node: Schedule }>;
    };
  },
  { where: PhScheduleWhereInput; page: number; orderBy?: PhScheduleOrderByInput }
>(`
  query ScheduleList($where: PhScheduleWhereInput $page: Int $orderBy: PhScheduleOrderByInput) {
    phSchedulesConnection(where: $where, page: $page, orderBy: $orderBy) {
      pageInfo { totalPage currentPage } edges { cursor node { ${SCHEDULE_FIELDS} } } } }
`);

/** A cursor page of recurring jobs (`first`/`after`). */
export const SCHEDULE_CURSOR_LIST = defineOperation<
  {
    phSchedulesConnection: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: Array<{ cursor: string; node: Schedule }>;
    };
  },
  { where: PhScheduleWhereInput; first: number; after?: string; orderBy?: PhScheduleOrderByInput }
>(`
  query ScheduleCursorList($where: PhScheduleWhereInput, $first: Int, $after: String, $orderBy: PhScheduleOrderByInput) {
    phSchedulesConnection(where: $where, first: $first, after: $after, orderBy: $orderBy) {
      pageInfo { hasNextPage endCursor } edges { cursor node { ${SCHEDULE_FIELDS} } } } }
`);

export const SCHEDULE_GET = defineOperation<{ phSchedule: Schedule }, ById>(
  `query ScheduleGet($where: PhScheduleWhereUniqueInput!) { phSchedule(where: $where) { ${SCHEDULE_FIELDS} } }`,
  { byId: true }
);

export const SCHEDULE_CREATE = defineOperation<{ createPhSchedule: Schedule }, { data: PhScheduleCreateInput }>(`
  mutation ScheduleCreate($data: PhScheduleCreateInput!) { createPhSchedule(data: $data) { ${SCHEDULE_FIELDS} } }
`);

export const SCHEDULE_UPDATE = defineOperation<
  { updatePhSchedule: Schedule },
  { data: PhScheduleUpdateInput; where: { id: string } }
>(
  `mutation ScheduleUpdate($data: PhScheduleUpdateInput!, $where: PhScheduleWhereUniqueInput!) {
    updatePhSchedule(data: $data, where: $where) { ${SCHEDULE_FIELDS} } }`,
  { byId: true }
);

export const SCHEDULE_DELETE = defineOperation<{ deletePhSchedule: { id: string } }, ById>(
  `mutation ScheduleDelete($where: PhScheduleWhereUniqueInput!) { deletePhSchedule(where: $where) { id } }`,
  { byId: true }
);

export const SCHEDULE_RUN = defineOperation<{ runPhSchedule: { job: { id: string } | null } }, ById>(
  `mutation ScheduleRun($where: PhScheduleWhereUniqueInput!) { runPhSchedule(where: $where) { job { id } } }`,
  { byId: true }
);
