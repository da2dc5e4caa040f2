/**
 * Every GraphQL operation the client can send, in one place so the contract test can validate
 * all of them against the real PrimeHub schema.
 */
import type { Operation } from './defineOperation';
import * as deployments from './deployments';
import * as files from './files';
import * as identity from './identity';
import * as jobs from './jobs';
import * as models from './models';
import * as schedules from './schedules';

export type { DataOf, Operation, VariablesOf } from './defineOperation';
export { defineOperation } from './defineOperation';

function collect(mod: Record<string, unknown>): Operation[] {
  return Object.values(mod).filter(
    (v): v is Operation =>
      typeof v === 'object' && v !== null && typeof (v as Operation).text === 'string' && 'kind' in v
  );
}

/** All operations, grouped by resource module. */
export const OPERATIONS_BY_MODULE: Readonly<Record<string, readonly Operation[]>> = {
  identity: collect(identity),
  jobs: collect(jobs),
  schedules: collect(schedules),
  files: collect(files),
  models: collect(models),
  deployments: collect(deployments)
};

/** All operations as one flat list. */
export const ALL_OPERATIONS: readonly Operation[] = Object.values(OPERATIONS_BY_MODULE).flat();
