import { connect, type Socket } from 'node:net';
import { Server, type AuthContext, type Connection, type ServerChannel } from 'ssh2';
import type { Logger } from '../logger';
import { ensureHostKey, findKey } from './authorizedKeys';
import { BASTION_USER, NOTEBOOK_SSH_PORT, TUNNEL_ONLY_MESSAGE } from './notebookHost';
import type { NotebookSsh } from './NotebookSsh';

/** PrimeHub's bastion port; taken, the next free one is used. */
export const DEFAULT_BASTION_PORT = 2222;
/** How many ports after the preferred one are tried before any free one is taken. */
const PORT_TRIES = 100;
const HOST = '127.0.0.1';

/** What `/api/health` says about the bastion. */
export interface BastionStatus {
  state: 'running' | 'stopped';
  host: string;
  port?: number;
  user: typeof BASTION_USER;
  reason?: string;
}

export interface SshBastionOptions {
  /** Its private host key: made once, kept 0600. */
  hostKeyFile: string;
  /** The first port tried (default 2222; 0: any free port). */
  port?: number;
  /** The notebooks it connects clients to. */
  notebooks: Pick<NotebookSsh, 'target' | 'targets'>;
  /** An unauthenticated connection is closed after this (default 20 s, OpenSSH's LoginGraceTime is 120 s). */
  loginGraceMs?: number;
  /** A connection is closed after this many refused keys (default 6, OpenSSH's MaxAuthTries). */
  maxAuthTries?: number;
  /** Connections beyond this many are dropped at once (default 1024). */
  maxConnections?: number;
}

/**
 * PrimeHub's SSH bastion, on loopback: it lets in only `limited-user`, by public key only, and only a key that a
 * notebook with SSH enabled authorizes (PrimeHub's bastion accepts the union of those notebooks' keys; this one
 * reads them at each attempt, so there is no cache window). It opens no shell and runs no command (it answers
 * with PrimeHub's message) and forwards nothing but `direct-tcpip` (`ssh -W`, ProxyJump) to
 * `jupyter-<escaped user>.hub:22` of a notebook whose `authorized_keys` holds the very key the client signed in
 * with, connected to that notebook's sshd on loopback. Everything else, PrimeHub Local's own ports included, is
 * refused as "administratively prohibited".
 */
export class SshBastion {
  private server?: Server;
  private port?: number;
  private reason?: string;
  private readonly clients = new Set<Connection>();
  private readonly upstreams = new Set<Socket>();

  constructor(
    private readonly opts: SshBastionOptions,
    private readonly log: Logger
  ) {}

  status(): BastionStatus {
    return {
      state: this.server ? 'running' : 'stopped',
      host: HOST,
      ...(this.port !== undefined ? { port: this.port } : {}),
      user: BASTION_USER,
      ...(this.reason ? { reason: this.reason } : {})
    };
  }

  /** Listens on the preferred port or the next free one; a bastion that cannot start is reported, not fatal. */
  async start(): Promise<void> {
    try {
      const hostKey = await ensureHostKey(this.opts.hostKeyFile);
      const server = new Server({ hostKeys: [hostKey], ident: 'PrimeHub-Local-bastion' }, (client, info) =>
        this.onClient(client, `${info.ip}:${info.port}`)
      );
      server.maxConnections = this.opts.maxConnections ?? 1024;
      this.port = await listen(server, this.opts.port ?? DEFAULT_BASTION_PORT);
      // after listen: the ports tried while looking for a free one are no errors
      server.on('error', (err: Error) => this.log.warn(`SSH bastion: ${err.message}`));
      this.server = server;
      this.log.info(`SSH bastion: ${BASTION_USER}@${HOST} port ${this.port}`);
    } catch (err) {
      this.reason = `could not start: ${(err as Error).message}`;
      this.log.error(`SSH bastion ${this.reason}`);
    }
  }

  /** Stops listening and ends every connection and tunnel. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.reason = 'PrimeHub Local stopped';
    const closed = server ? new Promise<void>(resolve => server.close(() => resolve())) : Promise.resolve();
    for (const socket of this.upstreams) {
      socket.destroy();
    }
    for (const client of this.clients) {
      client.end();
    }
    await closed;
  }

  private onClient(client: Connection, from: string): void {
    this.clients.add(client);
    /** The key the client proved it holds. */
    let signedIn: Buffer | undefined;
    let refused = 0;
    const grace = setTimeout(() => client.end(), this.opts.loginGraceMs ?? 20_000);
    client.on('error', err => this.log.debug(`SSH bastion: ${from}: ${err.message}`));
    client.on('close', () => {
      clearTimeout(grace);
      this.clients.delete(client);
    });
    client.on('authentication', ctx => {
      this.authenticate(ctx).then(
        blob => {
          if (blob === 'checked') {
            return;
          }
          if (blob) {
            signedIn = blob;
            ctx.accept();
            return;
          }
          if (ctx.method === 'publickey' && ++refused >= (this.opts.maxAuthTries ?? 6)) {
            this.log.info(`SSH bastion: ${from}: too many refused keys`);
            client.end();
            return;
          }
          ctx.reject(['publickey']);
        },
        err => {
          this.log.warn(`SSH bastion: ${from}: authentication failed: ${(err as Error).message}`);
          ctx.reject(['publickey']);
        }
      );
    });
    client.on('ready', () => {
      clearTimeout(grace);
      this.log.debug(`SSH bastion: ${from} signed in as ${BASTION_USER}`);
    });
    client.on('tcpip', (accept, reject, info) => {
      const target = info.destPort === NOTEBOOK_SSH_PORT ? this.opts.notebooks.target(info.destIP) : undefined;
      if (!target || !signedIn) {
        this.log.info(`SSH bastion: ${from}: forward to ${info.destIP}:${info.destPort} refused`);
        reject();
        return;
      }
      const key = signedIn;
      void target.keys().then(
        keys => {
          if (!findKey(keys, key)) {
            this.log.info(`SSH bastion: ${from}: ${info.destIP} does not authorize this key; forward refused`);
            reject();
            return;
          }
          this.tunnel(accept, reject, target.port, from);
        },
        () => reject()
      );
    });
    // no shell, command or subsystem: PrimeHub's bastion answers them with its ForceCommand's message
    client.on('session', accept => {
      const session = accept();
      session.on('pty', (_a, reject) => reject?.());
      session.on('env', (_a, reject) => reject?.());
      session.on('x11', (_a, reject) => reject?.());
      session.on('auth-agent', (_a, reject) => reject?.());
      session.on('shell', acceptShell => refuse(acceptShell(), false));
      session.on('exec', acceptExec => refuse(acceptExec(), false));
      session.on('subsystem', acceptSub => refuse(acceptSub(), true));
    });
    // remote forwards (`ssh -R`) and the like
    client.on('request', (_accept, reject) => reject?.());
  }

  /**
   * A key the client offers: `checked` when it only asks whether the key would do (no signature yet) and it
   * would, the key's blob once its signature verifies, undefined otherwise.
   */
  private async authenticate(ctx: AuthContext): Promise<Buffer | 'checked' | undefined> {
    if (ctx.username !== BASTION_USER || ctx.method !== 'publickey') {
      return undefined;
    }
    const blob = ctx.key.data;
    for (const target of this.opts.notebooks.targets()) {
      const found = findKey(await target.keys(), blob);
      if (!found) {
        continue;
      }
      if (!ctx.signature || !ctx.blob) {
        ctx.accept();
        return 'checked';
      }
      return found.key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true ? blob : undefined;
    }
    return undefined;
  }

  /** Connects the channel to the notebook's sshd on loopback, once that connection is made. */
  private tunnel(accept: () => ServerChannel, reject: () => void, port: number, from: string): void {
    const upstream = connect(port, HOST);
    let connected = false;
    this.upstreams.add(upstream);
    upstream.once('close', () => this.upstreams.delete(upstream));
    upstream.once('error', err => {
      if (!connected) {
        reject();
      }
      this.log.debug(`SSH bastion: ${from}: notebook sshd: ${err.message}`);
    });
    upstream.once('connect', () => {
      connected = true;
      upstream.setNoDelay(true);
      const channel = accept();
      channel.on('error', () => upstream.destroy());
      channel.once('close', () => upstream.destroy());
      upstream.once('close', () => channel.destroy());
      upstream.pipe(channel);
      channel.pipe(upstream);
    });
  }
}

/** Says {@link TUNNEL_ONLY_MESSAGE} (on stderr for a subsystem, whose stdout is its protocol) and exits 1. */
function refuse(channel: ServerChannel, toStderr: boolean): void {
  (toStderr ? channel.stderr : channel).write(`${TUNNEL_ONLY_MESSAGE}\n`);
  channel.exit(1);
  channel.end();
}

/** Listens on `first`, else on the next free of {@link PORT_TRIES} ports, else on any; resolves with the port. */
async function listen(server: Server, first: number): Promise<number> {
  const candidates = first === 0 ? [0] : [...Array.from({ length: PORT_TRIES }, (_, i) => first + i), 0];
  for (const port of candidates) {
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        server.once('error', onError);
        server.listen(port, HOST, () => {
          server.off('error', onError);
          resolve();
        });
      });
      return (server.address() as { port: number }).port;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port > 65535) {
        throw err;
      }
    }
  }
  throw new Error('no free port');
}
