import type { UserRow } from '../db/IdentityStore';
import type { Services } from '../Services';
import type { ListBudget } from './costLimits';

export type { Services } from '../Services';

/** What every resolver gets: the caller, the services, and what the request may still list. */
export interface Context {
  user: UserRow;
  services: Services;
  budget: ListBudget;
}
