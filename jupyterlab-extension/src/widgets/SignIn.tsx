import * as React from 'react';
import type { IPrimeHub, IPrimeHubConfig } from '../tokens';
import { ErrorText } from './ErrorText';

/** PrimeHub's console root: `PRIMEHUB_CONSOLE_URL`, else the API's host (this page's for the in-cluster API). */
export function consoleRoot(config: IPrimeHubConfig | null): string {
  if (config?.consoleUrl) {
    return config.consoleUrl.replace(/\/+$/, '');
  }
  try {
    const u = new URL(config?.apiEndpoint ?? '');
    if (u.hostname !== 'primehub-graphql') {
      return `${u.origin}/console`;
    }
  } catch {
    // Fall through to this page's host (PrimeHub serves the console and JupyterHub on one domain).
  }
  return `${window.location.origin}/console`;
}

/** The file this notebook server keeps the API token in, as its server extension names it. */
export function tokenFileOf(config: IPrimeHubConfig | null): string {
  return config?.tokenFile || '~/.primehub/config.json';
}

/** "Connect to PrimeHub": where to get a token, and a paste box. */
export function SignInForm(props: { hub: IPrimeHub; onSignedIn?: (user: string) => void }): React.ReactElement {
  const { hub } = props;
  const config = hub.config;
  const [token, setToken] = React.useState('');
  const [error, setError] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const group = hub.group ?? config?.group.name ?? '';

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const user = await hub.signIn(token);
      setToken('');
      props.onSignedIn?.(user);
    } catch (err) {
      setError(hub.describe('Signing in', err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="jp-primehub-SignIn" onSubmit={e => void submit(e)}>
      {config?.isLocal ? (
        <p>
          Get a token for PrimeHub Local with <code>npx primehub-local token --user {config.user ?? 'phuser'}</code>.
        </p>
      ) : (
        <p>
          Get an API token on{' '}
          <a href={`${consoleRoot(config)}/g/${encodeURIComponent(group)}/api-token`} target="_blank" rel="noreferrer">
            PrimeHub&apos;s API token page
          </a>
          . Requesting a new token there revokes the previous one.
        </p>
      )}
      <input
        type="password"
        className="jp-mod-styled"
        aria-label="API token"
        placeholder="Paste your API token"
        autoComplete="off"
        value={token}
        onChange={e => setToken(e.target.value)}
      />
      <button type="submit" className="jp-Button jp-mod-styled jp-mod-accept" disabled={busy || token.trim() === ''}>
        {busy ? 'Checking…' : 'Connect'}
      </button>
      <ErrorText text={error} alert />
      <p className="jp-primehub-Help">
        The token is kept by this notebook server (<code>{tokenFileOf(config)}</code>), never in the browser.
      </p>
    </form>
  );
}
