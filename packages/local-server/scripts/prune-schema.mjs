#!/usr/bin/env node
// Writes schema/local.graphql: the part of the real PrimeHub schema that PrimeHub Local serves.
// Usage: node scripts/prune-schema.mjs [schema.graphql]  (default: the repository's contract/primehub-schema.graphql)
// Every kept type and field is copied from the real schema, so the served schema can't drift
// from it; the contract test compares the two again.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const {
  buildSchema,
  GraphQLObjectType,
  GraphQLInputObjectType,
  GraphQLSchema,
  printSchema,
  getNamedType,
  isObjectType,
  isInputObjectType
} = require('graphql');

/** Fields served per object type (input types are kept whole). */
const SERVED = {
  Query: [
    'me',
    'group',
    'groups',
    'timezone',
    'license',
    'phJob',
    'phJobs',
    'phJobsConnection',
    'phSchedule',
    'phSchedules',
    'phSchedulesConnection',
    'files',
    'mlflow',
    'model',
    'models',
    'modelVersion',
    'modelVersions',
    'modelVersionsConnection',
    'mlflowRuns',
    'mlflowArtifact',
    'phDeployment',
    'phDeploymentAvail',
    'phDeployments',
    'phDeploymentsConnection'
  ],
  Mutation: [
    'createPhJob',
    'cancelPhJob',
    'rerunPhJob',
    'createPhSchedule',
    'updatePhSchedule',
    'deletePhSchedule',
    'runPhSchedule',
    'deleteFiles',
    'registerModel',
    'createPhDeployment',
    'updatePhDeployment',
    'stopPhDeployment',
    'deployPhDeployment',
    'deletePhDeployment',
    'createPhDeploymentClient',
    'deletePhDeploymentClient'
  ],
  User: [
    'id',
    'username',
    'email',
    'firstName',
    'lastName',
    'isAdmin',
    'enabled',
    'groups',
    'effectiveGroups',
    'apiTokenCount'
  ],
  Group: [
    'id',
    'name',
    'displayName',
    'quotaCpu',
    'quotaGpu',
    'quotaMemory',
    'projectQuotaCpu',
    'projectQuotaGpu',
    'projectQuotaMemory',
    'users',
    'instanceTypes',
    'images',
    'datasets',
    'enabledSharedVolume',
    'enabledDeployment',
    'jobDefaultActiveDeadlineSeconds',
    'admins',
    'mlflow'
  ],
  InstanceType: [
    'id',
    'name',
    'displayName',
    'description',
    'cpuLimit',
    'memoryLimit',
    'gpuLimit',
    'cpuRequest',
    'memoryRequest',
    'global',
    'tolerations',
    'nodeSelector'
  ],
  Toleration: ['operator', 'key', 'value', 'effect'],
  Image: [
    'id',
    'name',
    'displayName',
    'description',
    'type',
    'url',
    'urlForGpu',
    'groupName',
    'global',
    'spec',
    'useImagePullSecret',
    'isReady'
  ],
  Dataset: [
    'id',
    'name',
    'displayName',
    'description',
    'global',
    'type',
    'writable',
    'mountRoot',
    'homeSymlink',
    'launchGroupOnly'
  ],
  Timezone: ['name', 'offset'],
  License: [
    'licensedTo',
    'licenseStatus',
    'startedAt',
    'expiredAt',
    'maxUser',
    'maxGroup',
    'maxNode',
    'maxModelDeploy',
    'usage'
  ],
  Usage: ['maxUser', 'maxGroup', 'maxNode', 'maxModelDeploy'],
  PageInfo: ['currentPage', 'totalPage', 'hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'],
  PhJob: [
    'id',
    'displayName',
    'cancel',
    'command',
    'groupId',
    'groupName',
    'image',
    'instanceType',
    'userId',
    'userName',
    'phase',
    'reason',
    'message',
    'schedule',
    'createTime',
    'startTime',
    'finishTime',
    'logEndpoint',
    'artifact',
    'activeDeadlineSeconds'
  ],
  PhJobArtifact: ['prefix', 'items'],
  PhJobArtifactItem: ['name', 'size', 'lastModified'],
  PhJobCancelResponse: ['id'],
  PhJobEdge: ['node', 'cursor'],
  PhJobConnection: ['pageInfo', 'edges'],
  PhSchedule: [
    'id',
    'displayName',
    'recurrence',
    'command',
    'groupId',
    'groupName',
    'image',
    'instanceType',
    'userId',
    'userName',
    'createTime',
    'updateTime',
    'nextRunTime',
    'invalid',
    'message',
    'activeDeadlineSeconds'
  ],
  Recurrence: ['type', 'cron'],
  PhScheduleDeleteResponse: ['id'],
  PhScheduleRunResponse: ['job'],
  PhScheduleEdge: ['node', 'cursor'],
  PhScheduleConnection: ['pageInfo', 'edges'],
  MLflowSetting: ['trackingUri', 'uiUrl', 'trackingEnvs', 'artifactEnvs'],
  EnvVar: ['name', 'value'],
  Model: ['name', 'creationTimestamp', 'lastUpdatedTimestamp', 'description', 'latestVersions'],
  ModelVersion: [
    'name',
    'version',
    'creationTimestamp',
    'lastUpdatedTimestamp',
    'description',
    'source',
    'run',
    'modelURI',
    'deployedBy'
  ],
  ModelVersionEdge: ['node'],
  ModelVersionsConnection: ['pageInfo', 'edges'],
  PhDeployment: [
    'id',
    'status',
    'message',
    'name',
    'description',
    'updateMessage',
    'metadata',
    'stop',
    'userId',
    'userName',
    'groupId',
    'groupName',
    'endpoint',
    'modelImage',
    'modelURI',
    'replicas',
    'availableReplicas',
    'imagePullSecret',
    'instanceType',
    'creationTime',
    'lastUpdatedTime',
    'pods',
    'history',
    'env',
    'endpointAccessType',
    'endpointClients'
  ],
  Pod: ['name', 'phase', 'logEndpoint'],
  HistoryItem: ['time', 'deployment'],
  PhDeploymentClient: ['name'],
  PhDeploymentClientCreateResponse: ['name', 'plainTextToken'],
  PhDeploymentEdge: ['node', 'cursor'],
  PhDeploymentConnection: ['pageInfo', 'edges'],
  StoreFile: ['name', 'size', 'lastModified'],
  StoreFileList: ['items', 'phfsPrefix', 'prefix']
};

const source =
  process.argv[2] ??
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'contract', 'primehub-schema.graphql');
const real = buildSchema(readFileSync(source, 'utf8'));
const built = new Map();

function named(type) {
  const name = getNamedType(type).name;
  if (['String', 'Int', 'Float', 'Boolean', 'ID'].includes(name)) {
    return getNamedType(type);
  }
  return convert(real.getType(name));
}

/** Rebuilds `type` around `named`, keeping the real wrapping (lists, non-null). */
function wrap(type) {
  if (type.ofType) {
    return new type.constructor(wrap(type.ofType));
  }
  return named(type);
}

function convert(type) {
  if (built.has(type.name)) {
    return built.get(type.name);
  }
  if (isObjectType(type)) {
    const keep = SERVED[type.name];
    if (!keep) {
      throw new Error(`type ${type.name} is reachable but has no SERVED entry`);
    }
    const fields = type.getFields();
    const out = new GraphQLObjectType({
      name: type.name,
      description: type.description,
      fields: () =>
        Object.fromEntries(
          keep.map(f => {
            const field = fields[f];
            if (!field) {
              throw new Error(`${type.name}.${f} is not in the real schema`);
            }
            return [
              f,
              {
                type: wrap(field.type),
                description: field.description,
                args: Object.fromEntries(
                  field.args.map(a => [a.name, { type: wrap(a.type), description: a.description }])
                )
              }
            ];
          })
        )
    });
    built.set(type.name, out);
    return out;
  }
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    const out = new GraphQLInputObjectType({
      name: type.name,
      description: type.description,
      fields: () =>
        Object.fromEntries(Object.values(fields).map(f => [f.name, { type: wrap(f.type), description: f.description }]))
    });
    built.set(type.name, out);
    return out;
  }
  built.set(type.name, type);
  return type;
}

const schema = new GraphQLSchema({ query: convert(real.getQueryType()), mutation: convert(real.getMutationType()) });
const here = dirname(fileURLToPath(import.meta.url));
const header =
  '# The part of the real PrimeHub schema that PrimeHub Local serves (generated by scripts/prune-schema.mjs).\n\n';
writeFileSync(join(here, '..', 'schema', 'local.graphql'), header + printSchema(schema) + '\n');
console.log(`wrote ${Object.keys(schema.getTypeMap()).filter(n => !n.startsWith('__')).length} types`);
