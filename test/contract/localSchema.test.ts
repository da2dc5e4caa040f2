import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isObjectType,
  isScalarType
} from 'graphql';
import { REPO_ROOT } from '../kit/localServer';

/** The real PrimeHub schema, the repository's copy in contract/. */
export const REAL_SCHEMA_FILE = join(REPO_ROOT, 'contract', 'primehub-schema.graphql');
const LOCAL_SCHEMA_FILE = join(REPO_ROOT, 'packages', 'local-server', 'schema', 'local.graphql');

describe('PrimeHub Local serves only the real PrimeHub schema', () => {
  const real = buildSchema(readFileSync(REAL_SCHEMA_FILE, 'utf8'));
  const local = buildSchema(readFileSync(LOCAL_SCHEMA_FILE, 'utf8'));

  const served = Object.values(local.getTypeMap()).filter(t => !t.name.startsWith('__'));

  test.each(served.map(t => [t.name, t] as [string, GraphQLNamedType]))(
    'type %s exists with the same kind, fields and arguments',
    (name, type) => {
      const twin = real.getType(name);
      expect(twin).toBeDefined();
      expect(twin!.constructor.name).toBe(type.constructor.name);
      if (isObjectType(type) && isObjectType(twin)) {
        const realFields = twin.getFields();
        for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
          const r = realFields[field.name];
          expect(`${name}.${field.name}: ${r?.type}`).toBe(`${name}.${field.name}: ${field.type}`);
          for (const arg of field.args) {
            const ra = r.args.find(a => a.name === arg.name);
            expect(`${name}.${field.name}(${arg.name}: ${ra?.type})`).toBe(
              `${name}.${field.name}(${arg.name}: ${arg.type})`
            );
          }
          // Arguments the real field requires must be required here too.
          for (const ra of r.args.filter(a => String(a.type).endsWith('!'))) {
            expect(field.args.map(a => a.name)).toContain(ra.name);
          }
        }
      } else if (isInputObjectType(type) && isInputObjectType(twin)) {
        const realFields = twin.getFields();
        for (const field of Object.values(type.getFields()) as GraphQLInputField[]) {
          expect(`${name}.${field.name}: ${realFields[field.name]?.type}`).toBe(`${name}.${field.name}: ${field.type}`);
        }
        // Inputs are served whole: a client may send any field the real input accepts.
        expect(Object.keys(type.getFields()).sort()).toEqual(Object.keys(realFields).sort());
      } else if (isEnumType(type) && isEnumType(twin)) {
        expect(type.getValues().map(v => v.name)).toEqual(twin.getValues().map(v => v.name));
      } else {
        expect(isScalarType(type)).toBe(true);
      }
    }
  );

  test('the served root fields are the ones PrimeHub Local implements', () => {
    expect(Object.keys(local.getQueryType()!.getFields()).sort()).toEqual(
      [
        'files',
        'group',
        'groups',
        'license',
        'me',
        'phJob',
        'phJobs',
        'phJobsConnection',
        'phSchedule',
        'phSchedules',
        'phSchedulesConnection',
        'timezone',
        'mlflow',
        'models',
        'model',
        'modelVersions',
        'modelVersionsConnection',
        'modelVersion',
        'mlflowRuns',
        'mlflowArtifact',
        'phDeployment',
        'phDeploymentAvail',
        'phDeployments',
        'phDeploymentsConnection'
      ].sort()
    );
    expect(Object.keys(local.getMutationType()!.getFields()).sort()).toEqual(
      [
        'cancelPhJob',
        'createPhJob',
        'createPhSchedule',
        'deleteFiles',
        'registerModel',
        'deletePhSchedule',
        'rerunPhJob',
        'runPhSchedule',
        'updatePhSchedule',
        'createPhDeployment',
        'updatePhDeployment',
        'stopPhDeployment',
        'deployPhDeployment',
        'deletePhDeployment',
        'createPhDeploymentClient',
        'deletePhDeploymentClient'
      ].sort()
    );
  });

  test('every served root field has a resolver', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createSchema } = require('../../packages/local-server/src/graphql/schema');
    const schema = createSchema();
    for (const root of [schema.getQueryType(), schema.getMutationType()]) {
      for (const field of Object.values(root.getFields()) as GraphQLField<unknown, unknown>[]) {
        expect(`${root.name}.${field.name} ${typeof field.resolve}`).toBe(`${root.name}.${field.name} function`);
      }
    }
  });
});
