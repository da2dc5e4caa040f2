import { createServer, type Server, type Socket } from 'node:net';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { checkHostKey, knownHostName, type HostKeyCheck } from './knownHosts';
import type { KeyAuth } from './sshKeys';

/** How a notebook is reached: the bastion, then the notebook's sshd behind it. */
export interface NotebookRoute {
  bastionHost: string;
  bastionPort: number;
  /** `limited-user` on PrimeHub (a config may say otherwise: the doctor signs in as the config does). */
  bastionUser: string;
  /** `jupyter-<escaped user>.hub`, resolved by the bastion. */
  notebookHost: string;
  notebookPort: number;
  login: string;
}

/** The hops of a connection, in order. */
export type Hop = 'bastion-tcp' | 'bastion-auth' | 'tunnel' | 'notebook-auth';

/** How a hop failed. */
export type HopFailure =
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'host-key'
  | 'auth'
  | 'prohibited'
  | 'closed'
  | 'other';

/** A connection to the notebook that failed at `hop`. */
export class HopError extends Error {
  override name = 'HopError';
  constructor(
    readonly hop: Hop,
    readonly failure: HopFailure,
    message: string
  ) {
    super(message);
  }
}

export interface TunnelOptions {
  /** Time each SSH connection gets to be ready (ms; default 20 000). */
  readyTimeoutMs?: number;
  /**
   * The bastion's known-hosts file (the block's, which OpenSSH fills on first use): a bastion presenting another
   * key than the one it lists is refused. A host it does not list yet is let through, as `accept-new` does.
   */
  knownHostsFile?: string;
  signal?: AbortSignal;
}

/** ssh2's errors carry the layer they came from. */
type Ssh2Error = Error & { level?: string; code?: string; reason?: number };

/** Interval of SSH keepalives on both connections (ms). */
const KEEPALIVE_MS = 30_000;

/** SSH_OPEN_ADMINISTRATIVELY_PROHIBITED (RFC 4254): the bastion's refusal of a target. */
const OPEN_PROHIBITED = 1;

/** An SSH connection to the notebook through the bastion (two ssh2 clients, the second over the first's tunnel). */
export class NotebookSession {
  private closed = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly bastion: Client,
    readonly notebook: Client
  ) {
    const end = (): void => this.close();
    bastion.once('close', end);
    notebook.once('close', end);
  }

  /** Called once when either connection ends. */
  onClose(listener: () => void): void {
    if (this.closed) {
      listener();
    } else {
      this.listeners.add(listener);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs `command` in the notebook (no pty); resolves with its exit code and output. */
  exec(command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      this.notebook.exec(command, (err, channel) => {
        if (err) {
          reject(err);
          return;
        }
        let stdout = '';
        let stderr = '';
        let code: number | null = null;
        channel.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
        channel.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        channel.on('exit', (c: number | null) => (code = c));
        channel.on('close', () => resolve({ code, stdout, stderr }));
      });
    });
  }

  /** A channel to `host:port` as the notebook sees it (its own loopback by default). */
  forwardOut(port: number, host = '127.0.0.1', from = { ip: '127.0.0.1', port: 0 }): Promise<ClientChannel> {
    return new Promise((resolve, reject) =>
      this.notebook.forwardOut(from.ip, from.port, host, port, (err, channel) => (err ? reject(err) : resolve(channel)))
    );
  }

  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.notebook.end();
    this.bastion.end();
    for (const l of this.listeners) {
      l();
    }
    this.listeners.clear();
  }
}

/** Connects one ssh2 client; rejects with ssh2's error. */
function connectClient(config: ConnectConfig, signal?: AbortSignal): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const onAbort = (): void => {
      client.end();
      reject(signal?.reason);
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => {
      signal?.removeEventListener('abort', onAbort);
      client.removeAllListeners('error');
      // later errors end the connection, which its 'close' reports
      client.on('error', () => undefined);
      resolve(client);
    });
    client.once('error', err => {
      signal?.removeEventListener('abort', onAbort);
      client.end();
      reject(err);
    });
    client.connect(config);
  });
}

function tcpFailure(err: Ssh2Error): HopFailure {
  if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT') {
    return 'timeout';
  }
  if (err.code === 'ECONNREFUSED') {
    return 'refused';
  }
  if (
    err.code === 'ENOTFOUND' ||
    err.code === 'EHOSTUNREACH' ||
    err.code === 'ENETUNREACH' ||
    err.code === 'EAI_AGAIN'
  ) {
    return 'unreachable';
  }
  return err.level === 'client-socket' ? 'closed' : 'other';
}

/**
 * Connects to the notebook as `ssh -J` does, with ssh2: signs in to the bastion, opens a `direct-tcpip` channel
 * to the notebook's sshd, and signs in to that over the channel, with the same key on both hops. A failure is a
 * HopError naming the hop; a user's abort rejects with the signal's reason.
 */
export async function openNotebook(
  route: NotebookRoute,
  auth: KeyAuth,
  opts: TunnelOptions = {}
): Promise<NotebookSession> {
  const readyTimeout = opts.readyTimeoutMs ?? 20_000;
  const knownHosts = opts.knownHostsFile;
  let hostKey: HostKeyCheck | undefined;
  const hostVerifier = knownHosts
    ? (key: Buffer, verify: (valid: boolean) => void): void => {
        checkHostKey(knownHosts, route.bastionHost, route.bastionPort, key).then(
          check => {
            hostKey = check;
            verify(check !== 'mismatch');
          },
          () => verify(true)
        );
      }
    : undefined;
  let bastion: Client;
  try {
    bastion = await connectClient(
      {
        host: route.bastionHost,
        port: route.bastionPort,
        username: route.bastionUser,
        readyTimeout,
        // only the key: no password or keyboard-interactive prompt can come up
        tryKeyboard: false,
        // a forwarded port may sit idle for long: keepalives keep NATs and firewalls from dropping it
        keepaliveInterval: KEEPALIVE_MS,
        ...(hostVerifier ? { hostVerifier } : {}),
        ...auth
      },
      opts.signal
    );
  } catch (e) {
    if (opts.signal?.aborted) {
      throw e;
    }
    const err = e as Ssh2Error;
    if (hostKey === 'mismatch') {
      throw new HopError(
        'bastion-tcp',
        'host-key',
        `the bastion ${knownHostName(route.bastionHost, route.bastionPort)} presented another host key than the one in ${knownHosts}`
      );
    }
    if (err.level === 'client-authentication') {
      throw new HopError('bastion-auth', 'auth', `the bastion refused ${route.bastionUser} with this key`);
    }
    const failure = tcpFailure(err);
    throw new HopError(
      'bastion-tcp',
      failure,
      `no SSH connection to the bastion ${route.bastionHost}:${route.bastionPort}: ${err.message}`
    );
  }
  let channel: ClientChannel;
  try {
    channel = await new Promise<ClientChannel>((resolve, reject) =>
      bastion.forwardOut('127.0.0.1', 0, route.notebookHost, route.notebookPort, (err, ch) =>
        err ? reject(err) : resolve(ch)
      )
    );
  } catch (e) {
    bastion.end();
    const err = e as Ssh2Error;
    // OpenSSH's sshd (PrimeHub's bastion) says why a connect failed: refused means the pod answers without an sshd
    throw new HopError(
      'tunnel',
      err.reason === OPEN_PROHIBITED ? 'prohibited' : /refused/i.test(err.message) ? 'refused' : 'other',
      `the bastion did not open a tunnel to ${route.notebookHost}:${route.notebookPort}: ${err.message}`
    );
  }
  let notebook: Client;
  try {
    notebook = await connectClient(
      {
        sock: channel,
        username: route.login,
        readyTimeout,
        tryKeyboard: false,
        keepaliveInterval: KEEPALIVE_MS,
        ...auth
      },
      opts.signal
    );
  } catch (e) {
    bastion.end();
    if (opts.signal?.aborted) {
      throw e;
    }
    const err = e as Ssh2Error;
    if (err.level === 'client-authentication') {
      throw new HopError('notebook-auth', 'auth', `the notebook's sshd refused ${route.login} with this key`);
    }
    throw new HopError(
      'notebook-auth',
      err.level === 'client-timeout' ? 'timeout' : 'closed',
      `no SSH session with the notebook's sshd: ${err.message}`
    );
  }
  return new NotebookSession(bastion, notebook);
}

/** A notebook port served on a local loopback port. */
export class PortForward {
  private readonly sockets = new Set<Socket>();
  private stopped = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly server: Server,
    private readonly session: NotebookSession,
    /** The notebook's port. */
    readonly remotePort: number,
    /** The local port serving it. */
    readonly localPort: number
  ) {
    session.onClose(() => this.stop());
  }

  /** `http://127.0.0.1:<local port>/`. */
  get url(): string {
    return `http://127.0.0.1:${this.localPort}/`;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Called once when it stops (asked to, or the SSH connection ended). */
  onStop(listener: () => void): void {
    if (this.stopped) {
      listener();
    } else {
      this.listeners.add(listener);
    }
  }

  track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** Stops listening, ends every forwarded connection and the SSH connection. */
  stop(): void {
    if (this.stopped) {
      return;
    }
    this.stopped = true;
    this.server.close();
    for (const s of this.sockets) {
      s.destroy();
    }
    this.session.close();
    for (const l of this.listeners) {
      l();
    }
    this.listeners.clear();
  }
}

/**
 * Serves the notebook's `remotePort` (on its loopback) at a free port of this machine's loopback, through
 * `session` (`ssh -L 127.0.0.1:<free>:127.0.0.1:<remotePort>`). Checks first that something listens there: a
 * port with nothing behind it is an error, not a page that never loads.
 */
export async function forwardPort(session: NotebookSession, remotePort: number): Promise<PortForward> {
  try {
    const probe = await session.forwardOut(remotePort);
    probe.close();
  } catch (e) {
    throw new Error(`nothing in the notebook accepts connections on port ${remotePort} (${(e as Error).message})`);
  }
  const server = createServer();
  const localPort = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  const forward = new PortForward(server, session, remotePort, localPort);
  // attached in the same turn as listening resolved: no connection can have come in yet
  server.on('connection', socket => {
    if (forward.isStopped) {
      socket.destroy();
      return;
    }
    forward.track(socket);
    socket.pause();
    session.forwardOut(remotePort, '127.0.0.1', { ip: '127.0.0.1', port: socket.remotePort ?? 0 }).then(
      channel => {
        socket.pipe(channel).pipe(socket);
        channel.on('error', () => socket.destroy());
        socket.on('error', () => channel.close());
        channel.once('close', () => socket.destroy());
        socket.once('close', () => channel.close());
        socket.resume();
      },
      () => socket.destroy()
    );
  });
  return forward;
}
