import type { Logger } from '../logger/Logger';

/** Where a followed log goes (structurally a `vscode.OutputChannel`). */
export interface LogTarget {
  append(text: string): void;
  appendLine(line: string): void;
  clear(): void;
}

/** A job's own log channel (structurally a `vscode.OutputChannel`). */
export interface LogChannel extends LogTarget {
  show(preserveFocus?: boolean): void;
  dispose(): void;
}

/** One follow of one job's log. */
export interface LogFollow {
  readonly jobId: string;
  /** Lines received so far. */
  readonly lineCount: number;
  /** The last lines (bounded), e.g. for tests and "show the end". */
  readonly tail: readonly string[];
  /** Resolves when the log ended (job finished), was stopped, or failed (the error is rethrown). */
  readonly done: Promise<void>;
  readonly active: boolean;
  stop(): void;
}

const TAIL_LINES = 500;

/**
 * Streams job logs into targets: one follow per job, so a second "Follow log" of a job that is
 * still streaming reuses it instead of writing every line twice. It owns each job's log channel
 * (made by `createChannel`), shown again on a second follow and disposed with it.
 */
export class JobLogFollower {
  private readonly follows = new Map<string, LogFollow>();
  private readonly channels = new Map<string, LogChannel>();

  constructor(
    private readonly openLog: (jobId: string, signal: AbortSignal) => AsyncIterable<string>,
    private readonly log: Logger,
    private readonly createChannel?: (title: string) => LogChannel
  ) {}

  /**
   * Shows the job's log channel (made on first use, titled `title`) and follows the log into it
   * unless a follow is active; `onEnd` as in {@link follow}, given the channel.
   */
  followInChannel(
    jobId: string,
    title: string,
    onEnd?: (channel: LogChannel, error?: unknown) => void
  ): LogFollow | undefined {
    if (!this.createChannel) {
      return undefined;
    }
    let channel = this.channels.get(jobId);
    if (!channel) {
      channel = this.createChannel(title);
      this.channels.set(jobId, channel);
    }
    channel.show(true);
    const out = channel;
    return this.follow(jobId, out, error => onEnd?.(out, error));
  }

  get(jobId: string): LogFollow | undefined {
    return this.follows.get(jobId);
  }

  /** Starts following (from the first line, into a cleared target) unless a follow is active. */
  follow(jobId: string, target: LogTarget, onEnd?: (error?: unknown) => void): LogFollow {
    const existing = this.follows.get(jobId);
    if (existing?.active) {
      return existing;
    }
    const ac = new AbortController();
    const tail: string[] = [];
    let lineCount = 0;
    let active = true;
    target.clear();
    const done = (async () => {
      try {
        for await (const line of this.openLog(jobId, ac.signal)) {
          target.appendLine(line);
          lineCount++;
          tail.push(line);
          if (tail.length > TAIL_LINES) {
            tail.shift();
          }
        }
        onEnd?.();
      } catch (e) {
        if (ac.signal.aborted) {
          return;
        }
        this.log.warn(`log of job ${jobId} stopped: ${(e as Error).message}`);
        onEnd?.(e);
        throw e;
      } finally {
        active = false;
      }
    })();
    done.catch(() => undefined);
    const f: LogFollow = {
      jobId,
      get lineCount() {
        return lineCount;
      },
      tail,
      done,
      get active() {
        return active;
      },
      stop: () => ac.abort()
    };
    this.follows.set(jobId, f);
    return f;
  }

  dispose(): void {
    for (const f of this.follows.values()) {
      f.stop();
    }
    this.follows.clear();
    for (const c of this.channels.values()) {
      c.dispose();
    }
    this.channels.clear();
  }
}
