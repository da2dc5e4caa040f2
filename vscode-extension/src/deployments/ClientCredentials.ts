import type { DeploymentDetail } from '@primehub-suite/client';
import type { SecretStore } from '../vscode-objs/storage';
import type { ClientAuth } from './DeploymentsManager';

/** What the client-credential flow asks the user; the Deployments commands answer (they alone call `window.*`). */
export interface CredentialPrompts {
  /** A private endpoint has no client yet: say so (and offer to add one). */
  noClient(d: DeploymentDetail): Promise<void>;
  /** One of a private endpoint's clients (undefined: none chosen). */
  pickClient(d: DeploymentDetail, clients: string[]): Promise<string | undefined>;
  /** A client's token, typed (undefined: none given). */
  askToken(d: DeploymentDetail, client: string): Promise<string | undefined>;
}

/**
 * The clients of private endpoints that Test Endpoint sends as: the one chosen per deployment (the
 * only one without asking) and their tokens, kept in secret storage only (never elsewhere) once given.
 * No `vscode` import: it is tested under jest.
 */
export class ClientCredentials {
  /** The client a deployment's tester sends as, per deployment id. */
  private readonly chosen = new Map<string, string>();

  constructor(
    private readonly secrets: SecretStore,
    /** The key of a deployment's saved state: profile, group and id. */
    private readonly deploymentKey: (id: string) => string,
    private readonly prompts: CredentialPrompts
  ) {}

  /** One of the deployment's clients: the one sent as before, the only one, or asked. */
  async client(d: DeploymentDetail): Promise<string | undefined> {
    const clients = (d.endpointClients ?? []).map(c => c.name);
    if (clients.length === 0) {
      await this.prompts.noClient(d);
      return undefined;
    }
    const preferred = this.chosen.get(d.id);
    if (preferred && clients.includes(preferred)) {
      return preferred;
    }
    return clients.length === 1 ? clients[0] : this.prompts.pickClient(d, clients);
  }

  /** The client to send as (remembered for the deployment) and its token: kept, else asked. */
  async auth(d: DeploymentDetail): Promise<ClientAuth | undefined> {
    const username = await this.client(d);
    if (!username) {
      return undefined;
    }
    this.chosen.set(d.id, username);
    const password =
      (await this.secrets.get(this.tokenKey(d.id, username))) ?? (await this.prompts.askToken(d, username));
    return password ? { username, password } : undefined;
  }

  /** Keeps a client's token for the next requests (without a keyring it is asked again then). */
  async keep(id: string, client: string, token: string): Promise<void> {
    try {
      await this.secrets.store(this.tokenKey(id, client), token);
    } catch {
      // no keyring: Test Endpoint asks for the token when it sends (it is never written elsewhere)
    }
  }

  /** Forgets a client's token (the client deleted, or its token refused). */
  async forget(id: string, client: string): Promise<void> {
    await this.secrets.delete(this.tokenKey(id, client));
  }

  /** A request sent with `auth` was answered: a refused token is not kept for the next one. */
  async answered(id: string, auth: ClientAuth, status: number): Promise<void> {
    await (status === 401 ? this.forget(id, auth.username) : this.keep(id, auth.username, auth.password));
  }

  private tokenKey(id: string, client: string): string {
    return `primehub.deployments.clientToken/${this.deploymentKey(id)}/${client}`;
  }
}
