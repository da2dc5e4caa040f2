import type { IncomingMessage, ServerResponse } from 'node:http';
import { execute, GraphQLError, type GraphQLSchema, parse, validate, type DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { ApiError, ErrorCode, invalidInput } from '../errors';
import type { Logger } from '../logger';
import { depthRules, costError, estimateCost, GRAPHQL_LIMITS, ListBudget } from '../graphql/costLimits';
import type { Services } from '../Services';
import { authenticate } from './auth';
import { readBody, sendJson } from './httpUtil';

/** Largest GraphQL request body accepted. */
const MAX_BODY = 1024 * 1024;

/**
 * A query parsed, with what its checks found so far. Kept per query text: clients send the same few
 * queries again and again, and parsing and validating them against the whole schema is most of a
 * small request's work. Validation depends on the document alone; the cost, on the variables too,
 * is priced at every request.
 */
interface CheckedDocument {
  document: DocumentNode;
  /** The depth limit's errors; when there are any, nothing else is checked. */
  tooDeep: readonly GraphQLError[];
  /** graphql-js's validation errors, once a request has needed them. */
  invalid?: readonly GraphQLError[];
}

/** How many queries are kept, and the longest kept (longer ones are checked anew each time). */
const CACHED_QUERIES = 500;
const MAX_CACHED_QUERY = 16 * 1024;
const checkedDocuments = new WeakMap<GraphQLSchema, LRUCache<string, CheckedDocument>>();

/** The query's document and depth check, from the cache or made now; throws parse errors. */
function checkedDocument(schema: GraphQLSchema, query: string): CheckedDocument {
  let cache = checkedDocuments.get(schema);
  if (!cache) {
    cache = new LRUCache<string, CheckedDocument>({ max: CACHED_QUERIES });
    checkedDocuments.set(schema, cache);
  }
  const kept = cache.get(query);
  if (kept) {
    return kept;
  }
  // A token cap bounds the work of parsing and validating whatever text is sent.
  const document = parse(query, { maxTokens: GRAPHQL_LIMITS.maxTokens });
  const checked: CheckedDocument = { document, tooDeep: validate(schema, document, depthRules()) };
  if (query.length <= MAX_CACHED_QUERY) {
    cache.set(query, checked);
  }
  return checked;
}

interface GraphqlRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** PrimeHub's error shape: `{message, extensions: {code}}`, nothing else. */
function formatError(err: GraphQLError, log: Logger): { message: string; extensions: { code: string } } {
  const original = err.originalError;
  if (original instanceof ApiError) {
    return { message: original.message, extensions: { code: original.code } };
  }
  if (original && !(original instanceof GraphQLError)) {
    log.error(`resolver failed at ${err.path?.join('.')}: ${original.stack ?? original.message}`);
  }
  const code = typeof err.extensions?.code === 'string' ? err.extensions.code : ErrorCode.INTERNAL_SERVER_ERROR;
  return { message: err.message, extensions: { code } };
}

const failure = (status: number, message: string, code: ErrorCode) => ({
  status,
  body: { errors: [{ message, extensions: { code } }] }
});

/** Reads a JSON or form-urlencoded (`query`, `variables` as a JSON string) GraphQL request. */
async function readRequest(req: IncomingMessage): Promise<GraphqlRequest> {
  const raw = (await readBody(req, MAX_BODY)).toString('utf8');
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  let body: Record<string, unknown>;
  if (type === 'application/json') {
    try {
      body = JSON.parse(raw);
    } catch {
      throw invalidInput('request body is not valid JSON');
    }
  } else if (type === 'application/x-www-form-urlencoded') {
    body = Object.fromEntries(new URLSearchParams(raw));
    if (typeof body.variables === 'string' && body.variables !== '') {
      try {
        body.variables = JSON.parse(body.variables);
      } catch {
        throw invalidInput('variables is not valid JSON');
      }
    }
  } else {
    throw invalidInput('send GraphQL requests as application/json or application/x-www-form-urlencoded');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body.query !== 'string' || body.query === '') {
    throw invalidInput('POST body missing a "query"');
  }
  const variables = body.variables ?? undefined;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    throw invalidInput('variables must be an object');
  }
  return {
    query: body.query,
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: typeof body.operationName === 'string' ? body.operationName : undefined
  };
}

/** `POST /api/graphql`, with the status codes and error shapes of PrimeHub's Apollo server. */
export async function handleGraphql(
  req: IncomingMessage,
  res: ServerResponse,
  schema: GraphQLSchema,
  services: Services,
  log: Logger
): Promise<void> {
  const { status, body } = await respond(req, schema, services, log);
  sendJson(res, status, body);
}

async function respond(req: IncomingMessage, schema: GraphQLSchema, services: Services, log: Logger) {
  let request: GraphqlRequest;
  try {
    request = await readRequest(req);
  } catch (err) {
    if (err instanceof ApiError) {
      return failure(err.status, err.message, err.code);
    }
    throw err;
  }
  // As on PrimeHub, the context (the caller) is built first: a bad token fails every request with 500.
  const auth = authenticate(req.headers.authorization, services.identity);
  if ('error' in auth) {
    return failure(500, `Context creation failed: ${auth.error}`, ErrorCode.INTERNAL_SERVER_ERROR);
  }
  let checked: CheckedDocument;
  try {
    checked = checkedDocument(schema, request.query);
  } catch (err) {
    return failure(400, (err as GraphQLError).message, ErrorCode.GRAPHQL_PARSE_FAILED);
  }
  const invalid = checkLimits(schema, checked, request);
  if (invalid.length) {
    return {
      status: 400,
      body: {
        errors: invalid.map(e => ({ message: e.message, extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED } }))
      }
    };
  }
  const budget = new ListBudget();
  const result = await execute({
    schema,
    document: checked.document,
    variableValues: request.variables,
    operationName: request.operationName,
    contextValue: { user: auth.user, services, budget }
  });
  if (budget.exceeded) {
    // Over the cap on listed entries: a bad request as a whole, not partial data.
    return failure(budget.exceeded.status, budget.exceeded.message, budget.exceeded.code);
  }
  if (!('data' in result) || result.data === undefined) {
    // Variable coercion and operation selection fail before execution: a bad request.
    return {
      status: 400,
      body: {
        errors: (result.errors ?? []).map(e => ({
          message: e.message,
          extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED }
        }))
      }
    };
  }
  const out: Record<string, unknown> = {};
  if (result.errors?.length) {
    out.errors = result.errors.map(e => formatError(e, log));
  }
  out.data = result.data;
  return { status: 200, body: out };
}

/**
 * Why the document may not run: the depth limit, the cost limit, then graphql-js's validation; empty when it
 * may. The limits come first so that a document built to stall the server is refused before the full walk.
 */
function checkLimits(
  schema: GraphQLSchema,
  checked: CheckedDocument,
  request: GraphqlRequest
): readonly GraphQLError[] {
  if (checked.tooDeep.length) {
    return checked.tooDeep;
  }
  const invalid = (): readonly GraphQLError[] => (checked.invalid ??= validate(schema, checked.document));
  let cost: number;
  try {
    cost = estimateCost(schema, checked.document, request.variables, request.operationName);
  } catch (err) {
    // Not priced (variables that do not fit, an unknown field): validation says what is wrong, else the pricing.
    const errors = invalid();
    return errors.length ? errors : [err instanceof GraphQLError ? err : new GraphQLError(String(err))];
  }
  return cost > GRAPHQL_LIMITS.maxCost ? [costError(cost)] : invalid();
}
