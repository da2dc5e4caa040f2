import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { ApiError } from '../errors';
import { depthRules, estimateCost, GRAPHQL_LIMITS, ListBudget } from './costLimits';
import { SCHEMA_FILE } from './schema';

const schema = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
const cost = (query: string, variables?: Record<string, unknown>) => estimateCost(schema, parse(query), variables);
const FILES = '{ files(where: { phfsPrefix: "/", groupName: "g" }OPTIONS) { items { name } } }';

describe('estimateCost', () => {
  test('a field costs 1; an object multiplies nothing', () => {
    expect(cost('{ me { id } }')).toBe(2);
    expect(cost('{ me { id username email } }')).toBe(4);
  });

  test('a files listing costs its limit (PrimeHub default 1000) times what each entry selects', () => {
    expect(cost(FILES.replace('OPTIONS', ''))).toBe(1 + 1000 * 2);
    expect(cost(FILES.replace('OPTIONS', ', options: { limit: 0 }'))).toBe(1 + 1000 * 2);
    expect(cost(FILES.replace('OPTIONS', ', options: { limit: 10 }'))).toBe(1 + 10 * 2);
    const viaVariables = '{ files(where: { phfsPrefix: "/", groupName: "g" }, options: $o) { items { name } } }';
    expect(
      estimateCost(schema, parse(`query ($o: StoreFileListOptionInput) ${viaVariables}`), { o: { limit: 5000 } })
    ).toBe(1 + 5000 * 2);
  });

  test('connections cost their page (10 entries), their first or last, or 100 when unbounded', () => {
    const jobs = (args: string) => cost(`{ phJobsConnection${args} { edges { node { id } } } }`);
    expect(jobs('(page: 1)')).toBe(1 + 10 * (1 + 2));
    expect(jobs('(first: 3)')).toBe(1 + 3 * 3);
    expect(jobs('(last: 7)')).toBe(1 + 7 * 3);
    expect(jobs('')).toBe(1 + 100 * 3);
    expect(cost('{ phJobs(page: 2) { id } }')).toBe(1 + 10);
  });

  test('nested lists multiply: each is expected to hold 10', () => {
    expect(cost('{ me { groups { id } } }')).toBe(1 + (1 + 10 * 1));
    expect(cost('{ me { groups { users { id } } } }')).toBe(1 + (1 + 10 * (1 + 10)));
  });

  test('aliases add up', () => {
    const one = FILES.replace('OPTIONS', '').slice(2, -2);
    expect(cost(`{ a: ${one} b: ${one} }`)).toBe(2 * (1 + 1000 * 2));
  });
});

describe('depthRules', () => {
  const depthErrors = (query: string) => validate(schema, parse(query), depthRules()).map(e => e.message);

  test(`allows ${GRAPHQL_LIMITS.maxDepth} levels and refuses more, with a message`, () => {
    let ok = 'id';
    for (let depth = 2; depth < GRAPHQL_LIMITS.maxDepth; depth++) {
      ok = depth % 2 ? `users { ${ok} }` : `groups { ${ok} }`;
    }
    expect(depthErrors(`{ me { ${ok} } }`)).toEqual([]);
    expect(depthErrors(`{ me { groups { ${ok} } } }`)).toEqual([
      `query is nested too deeply: the depth limit of ${GRAPHQL_LIMITS.maxDepth} exceeded, found ${GRAPHQL_LIMITS.maxDepth + 1}.`
    ]);
  });

  test('fragments add no depth of their own', () => {
    const query = `{ me { ...G } } fragment G on User { groups { ...U } } fragment U on Group { users { id } }`;
    expect(depthErrors(query)).toEqual([]);
    expect(validate(schema, parse(query))).toEqual([]);
  });
});

describe('ListBudget', () => {
  test('listings ask for at most one entry more than is left, and the cap holds across them', () => {
    const budget = new ListBudget(100);
    expect(budget.limit(1000)).toBe(101);
    expect(budget.limit(30)).toBe(30);
    budget.take(60);
    expect(budget.limit(1000)).toBe(41);
    budget.take(40);
    expect(budget.exceeded).toBeUndefined();
    // Nothing left: still a positive limit (0 would mean "the default" to PHFS), and one more entry is too many.
    expect(budget.limit(1000)).toBe(1);
    expect(() => budget.take(1)).toThrow(ApiError);
    expect(budget.exceeded).toMatchObject({ code: 'REQUEST_BODY_INVALID', status: 400 });
    expect(budget.exceeded!.message).toMatch(/^this request lists more than 100 entries/);
  });

  test('the default cap is the documented one', () => {
    expect(new ListBudget().max).toBe(GRAPHQL_LIMITS.maxListedEntries);
  });
});
