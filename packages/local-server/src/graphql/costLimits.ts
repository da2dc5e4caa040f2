import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  type DocumentNode,
  getNamedType,
  getNullableType,
  type GraphQLField,
  GraphQLError,
  type GraphQLSchema,
  isListType,
  type ValidationRule
} from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import { ITEMS_PER_PAGE } from '../db/paginate';
import { invalidInput, type ApiError } from '../errors';
import { DEFAULT_LIST_LIMIT } from '../phfs/Phfs';

/**
 * What one GraphQL request may ask for. Every operation the official SDK and the shared client send
 * stays inside (the deepest is 5 levels; the costliest, the shared client's `files` listing of one folder at
 * the 10,000-entry cap, about 50,000);
 * a request past a limit is refused with a 400 before anything runs.
 */
export const GRAPHQL_LIMITS = {
  /** Tokens in the query text (the largest official operation has about 100): bounds parse and validation work. */
  maxTokens: 1_500,
  /** Nesting of fields, root fields at 1, fragments flattened: `{ me { groups { id } } }` is 3 deep. */
  maxDepth: 8,
  /** The estimated cost (see {@link estimateCost}): roughly the number of values the answer can hold. */
  maxCost: 100_000,
  /** Entries (jobs, schedules, files, artifacts) one request may list, across all its fields and aliases. */
  maxListedEntries: 10_000
} as const;

/** Entries a list is expected to hold when the request does not say: a nested list (`groups`, `pods`). */
const NESTED_LIST_LENGTH = 10;
/** A paginated list asked for without `page`, `first` or `last` answers every row: assume a large table. */
const UNBOUNDED_LIST_LENGTH = 100;

const positive = (n: unknown): number | undefined => (typeof n === 'number' && n > 0 ? n : undefined);

/** How many entries a field is expected to return, from its arguments where they say. */
function expectedLength(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  if (field.name === 'files') {
    return positive((args.options as { limit?: unknown } | undefined)?.limit) ?? DEFAULT_LIST_LIMIT;
  }
  if (field.name === 'artifact') {
    // A job leaves at most 1000 artifact files by default.
    return DEFAULT_LIST_LIMIT;
  }
  const listish = isListType(getNullableType(field.type)) || getNamedType(field.type).name.endsWith('Connection');
  if (!listish || field.name === 'edges' || field.name === 'items') {
    // `edges` and `items` are sized by the connection or listing above them.
    return 1;
  }
  if (typeof args.first === 'number' || typeof args.last === 'number') {
    return Math.max(Number(args.first ?? 0), Number(args.last ?? 0));
  }
  if (typeof args.page === 'number') {
    return ITEMS_PER_PAGE;
  }
  return field.args.some(a => a.name === 'page' || a.name === 'first') ? UNBOUNDED_LIST_LENGTH : NESTED_LIST_LENGTH;
}

/** Each field costs 1, and a list multiplies what is selected inside it by its expected length. */
const estimator: ComplexityEstimator = ({ field, args, childComplexity }) =>
  1 + expectedLength(field, args) * childComplexity;

/**
 * The estimated cost of one operation of a valid document with its variables. Throws a GraphQLError for
 * variables that do not fit the operation (execution would refuse them the same way).
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown>,
  operationName?: string
): number {
  return getComplexity({ schema, query: document, variables, operationName, estimators: [estimator] });
}

/** Validation rules for the depth limit, run before graphql-js's own rules. */
export function depthRules(): ValidationRule[] {
  return [
    context =>
      maxDepthRule({
        n: GRAPHQL_LIMITS.maxDepth,
        flattenFragments: true,
        propagateOnRejection: false,
        onReject: [
          (_ctx, err) =>
            context.reportError(
              new GraphQLError(
                `query is nested too deeply: ${err.message.replace(/^Syntax Error: Query depth limit/, 'the depth limit')}`
              )
            )
        ]
      })(context)
  ];
}

/** The refusal of a query whose estimated cost is over the limit. */
export function costError(cost: number): GraphQLError {
  return new GraphQLError(
    `query is too costly: its estimated cost is ${cost}, the limit is ${GRAPHQL_LIMITS.maxCost}; ` +
      'select fewer fields, aliases or entries (a smaller limit, first or page)'
  );
}

/**
 * The entries one request has listed so far, across all its fields and aliases. Listings ask for at
 * most one entry more than what is left, so a request over the cap is refused without listing everything.
 */
export class ListBudget {
  private used = 0;
  /** Set once the request has gone over the cap: the answer is then a 400, not partial data. */
  exceeded?: ApiError;

  constructor(readonly max: number = GRAPHQL_LIMITS.maxListedEntries) {}

  /** The largest `limit` a listing that wants `wanted` entries should ask for now (at least 1). */
  limit(wanted: number): number {
    return Math.max(1, Math.min(wanted, this.max - this.used + 1));
  }

  /** Records `n` listed entries; refuses the request once the total is over the cap. */
  take(n: number): void {
    this.used += n;
    if (this.used > this.max) {
      this.exceeded = invalidInput(
        `this request lists more than ${this.max} entries; ask for fewer (a smaller limit, first or page, fewer aliases)`
      );
      throw this.exceeded;
    }
  }
}
