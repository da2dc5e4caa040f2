import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { deploymentResolvers } from './deploymentResolvers';
import { fileResolvers } from './fileResolvers';
import { identityResolvers } from './identityResolvers';
import { jobResolvers } from './jobResolvers';
import { modelResolvers } from './modelResolvers';
import { scheduleResolvers } from './scheduleResolvers';

/** The served SDL: a subset of the real PrimeHub schema (see scripts/prune-schema.mjs). */
export const SCHEMA_FILE = join(__dirname, '..', '..', 'schema', 'local.graphql');

type ResolverMap = Record<string, Record<string, GraphQLFieldResolver<unknown, unknown>>>;

/** Builds the executable schema: the SDL with each domain's root resolvers attached. */
export function createSchema(): GraphQLSchema {
  const schema = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
  const maps = [
    identityResolvers,
    jobResolvers,
    scheduleResolvers,
    fileResolvers,
    modelResolvers,
    deploymentResolvers
  ] as unknown as ResolverMap[];
  for (const map of maps) {
    for (const [typeName, fields] of Object.entries(map)) {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) {
        throw new Error(`resolvers for unknown type ${typeName}`);
      }
      for (const [fieldName, resolve] of Object.entries(fields)) {
        const field = type.getFields()[fieldName];
        if (!field) {
          throw new Error(`resolver for ${typeName}.${fieldName}, which the schema does not serve`);
        }
        field.resolve = resolve;
      }
    }
  }
  return schema;
}
