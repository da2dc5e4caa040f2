/** A GraphQL operation text with its result and variables types attached (phantom). */
export interface Operation<TData = unknown, TVariables = Record<string, unknown>> {
  /** Operation name as written in the text (also sent as `operationName`). */
  readonly name: string;
  readonly kind: 'query' | 'mutation';
  readonly text: string;
  /**
   * The operation addresses one object by id: PrimeHub EE reports a missing K8s object as
   * `HTTP request failed`, which then means NotFound.
   */
  readonly byId: boolean;
  /** Type carrier only; never set at runtime. */
  readonly __types?: { data: TData; variables: TVariables };
}

/** Result type of an operation. */
export type DataOf<O> = O extends Operation<infer D, unknown> ? D : never;
/** Variables type of an operation. */
export type VariablesOf<O> = O extends Operation<unknown, infer V> ? V : never;

/** Collapses runs of whitespace so texts stay readable in source yet compact on the wire. */
function compact(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Declares an operation; the name and kind are read from the text itself. */
export function defineOperation<TData, TVariables = Record<string, never>>(
  text: string,
  options: { byId?: boolean } = {}
): Operation<TData, TVariables> {
  const t = compact(text);
  const m = /^(query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(t);
  if (!m) {
    throw new Error(`operation text must start with a named query or mutation: ${t.slice(0, 40)}`);
  }
  return { kind: m[1] as 'query' | 'mutation', name: m[2], text: t, byId: options.byId ?? false };
}
