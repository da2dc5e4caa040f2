/** `<origin><prefix>` of a GraphQL endpoint `<origin><prefix>/graphql`: PrimeHub's REST routes' base. */
export function apiBaseOf(endpoint: string): string {
  const u = new URL(endpoint);
  return `${u.origin}${u.pathname.replace(/\/graphql\/?$/, '')}`;
}
