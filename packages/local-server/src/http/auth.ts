import type { IdentityStore, UserRow } from '../db/IdentityStore';

/**
 * The caller behind an `authorization` header, as PrimeHub decides it: the header must carry
 * `Bearer <token>`; unknown, revoked and expired tokens are all "Invalid API Token".
 */
export function authenticate(
  header: string | undefined,
  identity: IdentityStore
): { user: UserRow } | { error: string } {
  if (!header || header.indexOf('Bearer') < 0) {
    return { error: 'request not authorized' };
  }
  const token = header.replace(/^\s*Bearer\s+/, '').trim();
  const user = token ? identity.userByToken(token) : undefined;
  return user ? { user } : { error: 'Invalid API Token' };
}
