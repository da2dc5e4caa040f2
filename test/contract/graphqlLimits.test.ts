import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { depthRules, estimateCost, GRAPHQL_LIMITS } from '../../packages/local-server/src';
import {
  buildSchema,
  type DocumentNode,
  type GraphQLInputType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type OperationDefinitionNode,
  parse,
  typeFromAST,
  validate
} from 'graphql';
import { REPO_ROOT } from '../kit/localServer';
import { REAL_SCHEMA_FILE } from './localSchema.test';
import { ALL_OPERATIONS } from '../../shared-client/src/operations';

const SDK_OPERATIONS_FILE = join(REPO_ROOT, 'contract', 'sdk-operations.graphql');

/** The smallest value a required input accepts: its required fields, filled in the same way. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) {
    return sample(type.ofType);
  }
  if (isListType(type)) {
    return [];
  }
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter(f => isNonNullType(f.type))
        .map(f => [f.name, sample(f.type)])
    );
  }
  if (isEnumType(type)) {
    return type.getValues()[0].value;
  }
  return type.name === 'Int' || type.name === 'Float' ? 1 : type.name === 'Boolean' ? false : 'x';
}

describe('the depth and cost limits let every official operation through', () => {
  const schema = buildSchema(readFileSync(REAL_SCHEMA_FILE, 'utf8'));

  /** The operation's required variables filled in, with `given` (what decides its cost) on top. */
  function variablesFor(op: OperationDefinitionNode, given: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const def of op.variableDefinitions ?? []) {
      const type = typeFromAST(schema, def.type as never) as GraphQLInputType | undefined;
      if (type && isNonNullType(type)) {
        out[def.variable.name.value] = sample(type);
      }
    }
    const declared = new Set((op.variableDefinitions ?? []).map(d => d.variable.name.value));
    return { ...out, ...Object.fromEntries(Object.entries(given).filter(([k]) => declared.has(k))) };
  }

  function check(doc: DocumentNode, op: OperationDefinitionNode, given: Record<string, unknown>) {
    expect(validate(schema, doc).map(e => e.message)).toEqual([]);
    expect(validate(schema, doc, depthRules()).map(e => e.message)).toEqual([]);
    const cost = estimateCost(schema, doc, variablesFor(op, given), op.name?.value);
    // A fifth of the limit at most: what a user asks for (a longer page, more fields) still fits.
    expect(cost).toBeLessThanOrEqual(GRAPHQL_LIMITS.maxCost / 5);
    return cost;
  }

  const sdkText = readFileSync(SDK_OPERATIONS_FILE, 'utf8');
  const sdkDoc = parse(sdkText);
  const sdkOps = sdkDoc.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const sdkVariables = new Map(
    [...sdkText.matchAll(/# variables: (.*)\n(?:query|mutation) (\w+)/g)].map(m => [m[2], JSON.parse(m[1])])
  );

  test('the SDK operations are all there', () => {
    expect(sdkOps.length).toBeGreaterThanOrEqual(50);
    expect(sdkVariables.size).toBeGreaterThanOrEqual(6);
  });

  test.each(sdkOps.map(op => [op.name!.value, op] as const))('SDK %s', (name, op) => {
    check(sdkDoc, op, sdkVariables.get(name) ?? {});
  });

  test.each(ALL_OPERATIONS.map(op => [op.name, op.text] as const))('shared client %s', (_name, text) => {
    const doc = parse(text);
    const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
    // As the client sends them: numbered pages, and the client's default files limit.
    check(doc, op, /\bfiles\(/.test(text) ? { options: { recursive: true, limit: 1000 } } : { page: 1 });
  });

  test('the stall cases are refused: 18 levels of groups and users, 1000 aliases of a files listing', () => {
    let deep = 'id';
    for (let i = 0; i < 8; i++) {
      deep = `groups { users { ${deep} } }`;
    }
    const tooDeep = validate(schema, parse(`{ me { ${deep} } }`), depthRules());
    expect(tooDeep.map(e => e.message)).toEqual([expect.stringMatching(/nested too deeply.*limit of 8.*found 18/)]);

    const aliases = Array.from(
      { length: 1000 },
      (_, i) =>
        `a${i}: files(where: { phfsPrefix: "/deep/", groupName: "phusers" }, options: { recursive: true }) { items { name } }`
    );
    const doc = parse(`{ ${aliases.join(' ')} }`);
    expect(validate(schema, doc)).toEqual([]);
    expect(estimateCost(schema, doc)).toBeGreaterThan(GRAPHQL_LIMITS.maxCost * 10);
  });
});
