import type { NotebookSshStatus } from '@primehub-suite/client';
import { knownHostName } from './knownHosts';
import { HopError, openNotebook, type Hop, type HopFailure, type NotebookRoute } from './notebookTunnel';
import { aliasesOf, parseSshG, type ShadowingLine, type SshBlockSpec } from './sshConfigBlock';
import type { BlockCheck, SshConfigFile } from './SshConfigFile';
import { KeyNotInAgentError, keyAuth, readKey, type SshKey } from './sshKeys';

/**
 * How long PrimeHub's bastion may take to learn a newly authorized key: it checks its key cache only while the
 * cache is under 2 minutes old, and rebuilds it every 15 (features §3, "Permission denied").
 */
export const KEY_CACHE_WINDOW_MS = 15 * 60_000;

/** The user the bastion lets in. */
export const BASTION_USER = 'limited-user';

/** Every cause the doctor names, one fix each. */
export type CauseId =
  | 'ok'
  | 'no-key'
  | 'passphrase-not-in-agent'
  | 'notebook-stopped'
  | 'ssh-not-enabled'
  | 'no-sshd'
  | 'config-missing'
  | 'config-shadowed'
  | 'config-stale'
  | 'wrong-user'
  | 'bastion-port'
  | 'bastion-host-key'
  | 'key-not-authorized'
  | 'key-cache-window';

/** What the extension knows of the notebook from PrimeHub before anything connects. */
export interface NotebookFacts {
  /** PrimeHub Local: it reads the notebooks' keys at every attempt, so it has no key cache window. */
  isLocal: boolean;
  /** From `client.ssh.status` (PrimeHub Local); absent on a cluster, which has no SSH API. */
  status?: NotebookSshStatus;
  /** PrimeHub Local runs no notebook for the user. */
  notebookMissing?: boolean;
  /** The route PrimeHub says to use (bastion and notebook), to write into the block. */
  spec: SshBlockSpec;
}

/** Everything the doctor found; {@link diagnose} reads the cause from it. */
export interface DoctorFacts {
  notebook: NotebookFacts;
  key: { path: string; state: 'ok' | 'missing' | 'unusable' | 'not-in-agent'; message?: string; key?: SshKey };
  config: {
    path: string;
    /** What ssh needs to read this config (`-F <path>` when it is not the one it reads by itself). */
    sshArgs?: string[];
    hasBlock: boolean;
    /** The block's markers are broken (a start without its end, a block twice): why. */
    malformed?: string;
    /** `ssh -G` of the notebook alias against the block. */
    check?: BlockCheck;
    /** `ssh -G` of the bastion alias: the user, host and port ssh will use on the first hop. */
    bastion?: { user: string; hostname: string; port: number };
  };
  /** The ssh2 preflight through the hops (skipped when an earlier fact already explains the failure). */
  probe?: { ok: true } | { ok: false; hop: Hop; failure: HopFailure; message: string };
  /** When this extension last asked for the key to be authorized on the notebook (ms since the epoch). */
  authorizedAt?: number;
  now: number;
}

/** The doctor's answer: the first hop that fails, why, and what fixes it. */
export interface Diagnosis {
  cause: CauseId;
  /** The hop, as the report names it. */
  hop: string;
  /** One line: what is wrong. */
  problem: string;
  /** What to do about it. */
  fix: string;
}

export interface DoctorInput {
  notebook: NotebookFacts;
  keyPath: string;
  configFile: SshConfigFile;
  agentSocket?: string;
  authorizedAt?: number;
  readyTimeoutMs?: number;
  signal?: AbortSignal;
}

/** Gathers the facts: the key, the config as `ssh -G` reads it, and an ssh2 preflight through the bastion. */
export async function examine(input: DoctorInput): Promise<DoctorFacts> {
  const { notebook, keyPath, configFile } = input;
  const facts: DoctorFacts = {
    notebook,
    key: { path: keyPath, state: 'ok' },
    config: { path: configFile.path, sshArgs: configFile.sshArgs, hasBlock: false },
    authorizedAt: input.authorizedAt,
    now: Date.now()
  };
  let auth;
  try {
    const key = await readKey(keyPath);
    facts.key.key = key;
    auth = await keyAuth(key, input.agentSocket);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    facts.key.state = code === 'ENOENT' ? 'missing' : e instanceof KeyNotInAgentError ? 'not-in-agent' : 'unusable';
    facts.key.message = (e as Error).message;
  }
  try {
    facts.config.hasBlock = await configFile.has(notebook.spec.label);
  } catch (e) {
    facts.config.malformed = (e as Error).message;
  }
  if (facts.config.hasBlock) {
    facts.config.check = await configFile.check(notebook.spec);
    try {
      const g = parseSshG(await configFile.sshG(aliasesOf(notebook.spec.label).bastion));
      facts.config.bastion = {
        user: g.get('user') ?? '',
        hostname: g.get('hostname') ?? '',
        port: Number(g.get('port') ?? 22)
      };
    } catch {
      // check.error says why ssh could not read the file
    }
  }
  if (auth) {
    // sign in as ssh would with this config; without a block, as PrimeHub says to
    const b = facts.config.bastion;
    const route: NotebookRoute = {
      bastionHost: b?.hostname || notebook.spec.bastionHost,
      bastionPort: b?.port || notebook.spec.bastionPort,
      bastionUser: b?.user || notebook.spec.bastionUser,
      notebookHost: notebook.spec.notebookHost,
      notebookPort: notebook.spec.notebookPort,
      login: notebook.spec.login
    };
    try {
      const session = await openNotebook(route, auth, {
        readyTimeoutMs: input.readyTimeoutMs,
        signal: input.signal,
        knownHostsFile: notebook.spec.knownHostsFile
      });
      session.close();
      facts.probe = { ok: true };
    } catch (e) {
      if (!(e instanceof HopError)) {
        throw e;
      }
      facts.probe = { ok: false, hop: e.hop, failure: e.failure, message: e.message };
    }
  }
  return facts;
}

const HOP_TITLES: Record<Hop, string> = {
  'bastion-tcp': 'the bastion (TCP)',
  'bastion-auth': 'the bastion (sign-in as limited-user)',
  tunnel: 'the tunnel from the bastion to the notebook',
  'notebook-auth': "the notebook's SSH server (sign-in)"
};

function shadowText(earlier: ShadowingLine[]): string {
  return earlier.length > 0
    ? earlier.map(e => `line ${e.line} "${e.text}"`).join(', ')
    : 'an Include or Match before the block';
}

/** Names the cause from the facts: the first hop that fails, in the order a connection goes through them. */
export function diagnose(f: DoctorFacts): Diagnosis {
  const { notebook: nb, key, config } = f;
  const spec = nb.spec;
  const alias = aliasesOf(spec.label);
  if (key.state === 'missing') {
    return {
      cause: 'no-key',
      hop: 'the key',
      problem: `there is no private key at ${key.path}`,
      fix: 'run "PrimeHub: Connect to Notebook via SSH", which creates one (or picks yours)'
    };
  }
  if (key.state === 'not-in-agent') {
    return {
      cause: 'passphrase-not-in-agent',
      hop: 'the key',
      problem: `${key.path} has a passphrase and the SSH agent does not hold it`,
      fix: `add it to the agent: ssh-add ${key.path} (and make sure SSH_AUTH_SOCK reaches VS Code)`
    };
  }
  if (key.state === 'unusable') {
    return {
      cause: 'no-key',
      hop: 'the key',
      problem: key.message ?? 'the key cannot be read',
      fix: 'pick another key'
    };
  }
  if (nb.notebookMissing) {
    return {
      cause: 'notebook-stopped',
      hop: 'the notebook',
      problem: 'your notebook is not running',
      fix: 'start your notebook (on PrimeHub Local: npm start) and run the doctor again'
    };
  }
  const st = nb.status;
  if (st && !st.enabled) {
    return {
      cause: 'ssh-not-enabled',
      hop: 'the notebook',
      problem: 'SSH is not enabled for your notebook, so the bastion lets nothing through to it',
      fix: 'turn on SSH for the notebook (the doctor offers "Enable SSH"; on PrimeHub, "Enable SSH Server" in the spawner)'
    };
  }
  if (st && st.state !== 'running') {
    const noSshd = /not installed|could not start/i.test(st.reason ?? '');
    return noSshd
      ? {
          cause: 'no-sshd',
          hop: "the notebook's SSH server",
          problem: `the notebook has no SSH server: ${st.reason}`,
          fix: 'use an image with openssh-server, or one that runs as root so it can install it (PrimeHub Local: apt-get install openssh-server)'
        }
      : {
          cause: 'notebook-stopped',
          hop: "the notebook's SSH server",
          problem: `the notebook's SSH server is ${st.state}${st.reason ? `: ${st.reason}` : ''}`,
          fix: 'start the notebook again (or turn SSH off and on)'
        };
  }
  if (config.malformed) {
    return {
      cause: 'config-missing',
      hop: 'the SSH config',
      problem: `the PrimeHub block in ${config.path} is broken: ${config.malformed}`,
      fix: 'remove what is left of it (its marker lines and the lines between them), then connect again'
    };
  }
  if (!config.hasBlock) {
    return {
      cause: 'config-missing',
      hop: 'the SSH config',
      problem: `${config.path} has no PrimeHub block for ${alias.notebook}`,
      fix: 'run "PrimeHub: Connect to Notebook via SSH" to write it'
    };
  }
  const check = config.check;
  const b = config.bastion;
  if (b && b.user !== BASTION_USER) {
    return {
      cause: 'wrong-user',
      hop: HOP_TITLES['bastion-auth'],
      problem: `ssh signs in to the bastion as "${b.user}"; the bastion only lets in ${BASTION_USER}`,
      fix: `use User ${BASTION_USER} for ${alias.bastion}${
        check && check.earlier.length ? ` (set earlier in the file by ${shadowText(check.earlier)})` : ''
      }`
    };
  }
  if (check && !check.ok) {
    if (check.error) {
      return {
        cause: 'config-shadowed',
        hop: 'the SSH config',
        problem: check.error,
        fix: `fix the error ssh reports in ${config.path}`
      };
    }
    const what = Object.entries(check.differs)
      .map(([k, [want, got]]) => `${k} is "${got}", not "${want}"`)
      .join('; ');
    return {
      cause: 'config-shadowed',
      hop: 'the SSH config',
      problem: `an earlier entry wins over the PrimeHub block for ${alias.notebook}: ${what}`,
      fix: `ssh keeps the first value of each option: move the PrimeHub block above ${shadowText(check.earlier)}, or leave ${alias.notebook} out of it`
    };
  }
  if (b && (b.hostname !== spec.bastionHost || b.port !== spec.bastionPort)) {
    return {
      cause: 'config-stale',
      hop: 'the SSH config',
      problem: `the block points at the bastion ${b.hostname}:${b.port}; PrimeHub's is ${spec.bastionHost}:${spec.bastionPort}`,
      fix: 'run "PrimeHub: Connect to Notebook via SSH" again to update the block'
    };
  }
  const p = f.probe;
  if (!p || p.ok) {
    const command = ['ssh', ...(config.sshArgs ?? []), alias.notebook].join(' ');
    return { cause: 'ok', hop: 'every hop', problem: 'every hop works', fix: `connect with: ${command}` };
  }
  const hop = HOP_TITLES[p.hop];
  if (p.hop === 'bastion-tcp' && p.failure === 'host-key') {
    const name = knownHostName(spec.bastionHost, spec.bastionPort);
    return {
      cause: 'bastion-host-key',
      hop,
      problem: `${p.message}: ssh refuses it too`,
      fix: `if the bastion was set up anew (PrimeHub Local with a new data directory, a reinstalled PrimeHub), forget its old key: ssh-keygen -R '${name}' -f ${spec.knownHostsFile}; otherwise ask your PrimeHub admin`
    };
  }
  if (p.hop === 'bastion-tcp') {
    return {
      cause: 'bastion-port',
      hop,
      problem:
        p.failure === 'refused'
          ? `nothing listens on ${spec.bastionHost}:${spec.bastionPort} (connection refused)`
          : `${spec.bastionHost}:${spec.bastionPort} does not answer (${p.failure}): a firewall may block the port`,
      fix: nb.isLocal
        ? "PrimeHub Local's bastion port is in /api/health; run Connect again if it changed"
        : `ask your PrimeHub admin to open TCP ${spec.bastionPort} to the bastion (ingress tcp-services, firewall, security group)`
    };
  }
  const recentlyAuthorized = f.authorizedAt !== undefined && f.now - f.authorizedAt < KEY_CACHE_WINDOW_MS;
  if (p.hop === 'bastion-auth') {
    if (!nb.isLocal && recentlyAuthorized) {
      const left = Math.ceil((KEY_CACHE_WINDOW_MS - (f.now - (f.authorizedAt ?? 0))) / 60_000);
      return {
        cause: 'key-cache-window',
        hop,
        problem: "the key was authorized a few minutes ago and the bastion's key cache does not hold it yet",
        fix: `wait up to ${left} more minute${left === 1 ? '' : 's'} (the cache is refreshed within 2–15 min), then try again`
      };
    }
    return {
      cause: 'key-not-authorized',
      hop,
      problem: "the key is not in your notebook's ~/.ssh/authorized_keys (no SSH-enabled notebook authorizes it)",
      fix: 'authorize it: "PrimeHub: Connect to Notebook via SSH" opens the notebook\'s authorize link'
    };
  }
  if (p.hop === 'tunnel') {
    if (nb.status) {
      // PrimeHub Local's bastion opens the tunnel only for a key that this very notebook authorizes
      return {
        cause: 'key-not-authorized',
        hop,
        problem:
          "the bastion let the key in (another notebook authorizes it) but your notebook's authorized_keys lacks it",
        fix: 'authorize it on your notebook: "PrimeHub: Connect to Notebook via SSH" opens the authorize link'
      };
    }
    // a cluster's bastion reaches only SSH-enabled notebooks (its network policy and the notebooks' Services):
    // a refused connection means the notebook answers but runs no sshd; anything else, that it cannot be reached
    return p.failure === 'refused'
      ? {
          cause: 'no-sshd',
          hop,
          problem: `the notebook answers but no SSH server listens in it (${p.message})`,
          fix: 'the image has no sshd and does not run as root to install it: use an image with openssh-server'
        }
      : {
          cause: 'ssh-not-enabled',
          hop,
          problem: `the bastion did not get through to the notebook: it was started without "Enable SSH Server", or it is stopped (${p.message})`,
          fix: 'start the notebook with "Enable SSH Server" (spawner ▸ advanced settings)'
        };
  }
  if (p.failure === 'auth') {
    return {
      cause: 'key-not-authorized',
      hop,
      problem: "the notebook's SSH server refused the key: it is not in the notebook's ~/.ssh/authorized_keys",
      fix: 'authorize it: "PrimeHub: Connect to Notebook via SSH" opens the notebook\'s authorize link'
    };
  }
  return {
    cause: 'no-sshd',
    hop,
    problem: `the notebook's SSH server did not answer: ${p.message}`,
    fix: 'check that the image has openssh-server (its log is in the notebook)'
  };
}

/** The doctor's report, line by line: each hop checked and the diagnosis. */
export function reportLines(f: DoctorFacts, d: Diagnosis): string[] {
  const mark = (ok: boolean | undefined): string => (ok === undefined ? '–' : ok ? '✓' : '✗');
  const st = f.notebook.status;
  const probeAt = (hop: Hop): boolean | undefined => {
    if (!f.probe) {
      return undefined;
    }
    if (f.probe.ok) {
      return true;
    }
    const order: Hop[] = ['bastion-tcp', 'bastion-auth', 'tunnel', 'notebook-auth'];
    const failed = order.indexOf(f.probe.hop);
    const at = order.indexOf(hop);
    return at < failed ? true : at === failed ? false : undefined;
  };
  const alias = aliasesOf(f.notebook.spec.label);
  return [
    `PrimeHub SSH Doctor — ${new Date(f.now).toISOString()}`,
    '',
    `${mark(f.key.state === 'ok')} key: ${f.key.path}${f.key.key?.encrypted ? ' (passphrase; through the agent)' : ''}${
      f.key.message ? ` — ${f.key.message}` : ''
    }`,
    `${mark(f.notebook.notebookMissing ? false : st ? st.enabled && st.state === 'running' : undefined)} notebook: ${
      f.notebook.notebookMissing
        ? 'not running'
        : st
          ? `SSH ${st.enabled ? 'enabled' : 'not enabled'}, sshd ${st.state}${st.reason ? ` (${st.reason})` : ''}`
          : 'a PrimeHub cluster (no SSH API: found out through the bastion)'
    }`,
    `${mark(f.config.hasBlock && (f.config.check?.ok ?? false))} SSH config: ${f.config.path} ${
      f.config.hasBlock ? `holds ${alias.notebook}` : 'has no PrimeHub block'
    }${f.config.bastion ? `; first hop ${f.config.bastion.user}@${f.config.bastion.hostname}:${f.config.bastion.port}` : ''}`,
    ...(['bastion-tcp', 'bastion-auth', 'tunnel', 'notebook-auth'] as Hop[]).map(
      h => `${mark(probeAt(h))} ${HOP_TITLES[h]}`
    ),
    ...(f.probe && !f.probe.ok ? [`    ${f.probe.message}`] : []),
    '',
    d.cause === 'ok' ? `All good: ${d.fix}` : `Fails at ${d.hop}: ${d.problem}.`,
    ...(d.cause === 'ok' ? [] : [`Fix: ${d.fix}.`])
  ];
}
