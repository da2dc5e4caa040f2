import type { ClientContext } from '../ClientContext';
import { AuthError } from '../errors';
import { ME } from '../operations/identity';
import type { CallOptions, User } from '../types';

/** The signed-in user (SDK `primehub me`). */
export class MeApi {
  constructor(private readonly ctx: ClientContext) {}

  /** Returns the user the token belongs to. */
  async get(opts: CallOptions = {}): Promise<User> {
    const data = await this.ctx.requester.graphql(ME, {}, opts);
    if (!data.me) {
      throw new AuthError('the server did not return the current user');
    }
    return data.me;
  }
}
