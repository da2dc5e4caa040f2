import * as fs from 'node:fs';
import { buildSchema, GraphQLSchema, parse, validate } from 'graphql';
import { schemaPath } from '../testing/paths';
import { ALL_OPERATIONS, OPERATIONS_BY_MODULE } from './index';

/** Update deliberately when an operation is added or removed. */
const EXPECTED_COUNTS: Record<string, number> = {
  identity: 7,
  jobs: 9,
  schedules: 7,
  files: 2,
  models: 8,
  deployments: 14
};

describe('GraphQL operations contract', () => {
  let schema: GraphQLSchema;

  beforeAll(() => {
    schema = buildSchema(fs.readFileSync(schemaPath(), 'utf8'));
  });

  it('has the expected number of operations per module', () => {
    const counts = Object.fromEntries(Object.entries(OPERATIONS_BY_MODULE).map(([k, v]) => [k, v.length]));
    expect(counts).toEqual(EXPECTED_COUNTS);
    expect(ALL_OPERATIONS).toHaveLength(47);
  });

  it('has unique operation names', () => {
    const names = ALL_OPERATIONS.map(o => o.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(ALL_OPERATIONS.map(o => [o.name, o] as const))(
    '%s parses and validates against the real schema',
    (_name, op) => {
      const doc = parse(op.text);
      const errors = validate(schema, doc);
      expect(errors.map(e => e.message)).toEqual([]);
      const defs = doc.definitions.filter(d => d.kind === 'OperationDefinition');
      expect(defs).toHaveLength(1);
      expect(defs[0]).toMatchObject({ operation: op.kind, name: { value: op.name } });
    }
  );

  it('never selects hasNextPage together with numbered pages', () => {
    for (const op of ALL_OPERATIONS) {
      if (/\$page\b/.test(op.text)) {
        expect(op.text).not.toMatch(/hasNextPage|hasPreviousPage/);
      }
    }
  });

  it('passes a where object to every phDeployments list', () => {
    for (const op of ALL_OPERATIONS.filter(o => /phDeployments\(/.test(o.text))) {
      expect(op.text).toMatch(/phDeployments\(where: \$where\)/);
    }
  });
});
