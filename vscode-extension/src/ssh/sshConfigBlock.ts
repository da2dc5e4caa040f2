import type { NotebookRoute } from './notebookTunnel';

/**
 * The block the extension keeps in the user's SSH config for one PrimeHub: its text, and putting it into or
 * taking it out of the config's text with every byte outside the block left as it was (line endings, a last line
 * without a line break, the user's own entries, Includes and comments).
 */

/** The hops of one PrimeHub notebook, as the block writes them: the route ssh takes, the key and known hosts. */
export interface SshBlockSpec extends NotebookRoute {
  /** Names the block and its hosts: the PrimeHub's host, e.g. `primehub.example.com` or `127.0.0.1-8321`. */
  label: string;
  /** The private key's absolute path. */
  identityFile: string;
  /** The known-hosts file of the bastion hop (its host key is remembered on first use). */
  knownHostsFile: string;
}

/** The aliases a block defines: `ssh <notebook>` reaches the notebook through `<bastion>`. */
export interface SshAliases {
  notebook: string;
  bastion: string;
}

/** Thrown for a config whose PrimeHub markers are broken (a start without its end, a block twice). */
export class MalformedBlockError extends Error {
  override name = 'MalformedBlockError';
}

/** A PrimeHub's host (and port, when not the scheme's default) as a block label and host alias part. */
export function blockLabel(endpoint: string): string {
  const u = new URL(endpoint);
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return `${host}${u.port ? `-${u.port}` : ''}`.replace(/[^a-z0-9.-]/g, '-');
}

/** The host aliases of a label. */
export function aliasesOf(label: string): SshAliases {
  return { notebook: `primehub-${label}`, bastion: `primehub-${label}-bastion` };
}

const beginMarker = (label: string): string => `# >>> PrimeHub ${label} >>>`;
const endMarker = (label: string): string => `# <<< PrimeHub ${label} <<<`;

/** A value as ssh_config reads it: quoted when it holds a space; a quote or line break cannot be written. */
function value(v: string): string {
  if (/["\r\n]/.test(v)) {
    throw new Error(`an SSH config value cannot hold quotes or line breaks: ${JSON.stringify(v)}`);
  }
  return /[\s#]/.test(v) ? `"${v}"` : v;
}

/** The block's lines, markers included, without line breaks. */
export function blockLines(spec: SshBlockSpec): string[] {
  const a = aliasesOf(spec.label);
  return [
    beginMarker(spec.label),
    '# Written by the PrimeHub extension (PrimeHub: Connect to Notebook via SSH); "PrimeHub: Disconnect Notebook',
    '# SSH" removes it. Changes inside these markers are replaced on the next connect.',
    `Host ${a.bastion}`,
    `  HostName ${value(spec.bastionHost)}`,
    `  Port ${spec.bastionPort}`,
    `  User ${value(spec.bastionUser)}`,
    `  IdentityFile ${value(spec.identityFile)}`,
    '  IdentitiesOnly yes',
    // the bastion's host key is kept (PrimeHub Local's lives in its data directory, a cluster's in a secret)
    '  StrictHostKeyChecking accept-new',
    `  UserKnownHostsFile ${value(spec.knownHostsFile)}`,
    `Host ${a.notebook}`,
    `  HostName ${value(spec.notebookHost)}`,
    `  Port ${spec.notebookPort}`,
    `  User ${value(spec.login)}`,
    `  ProxyJump ${a.bastion}`,
    `  IdentityFile ${value(spec.identityFile)}`,
    '  IdentitiesOnly yes',
    // as PrimeHub's own block: a notebook pod gets new host keys when it starts again, and this hop runs
    // inside the bastion's tunnel, whose host key is checked
    '  StrictHostKeyChecking no',
    '  UserKnownHostsFile /dev/null',
    endMarker(spec.label)
  ];
}

/** Where a label's block is in a config text: [start, end) covers its lines and the line break after them. */
interface Found {
  start: number;
  end: number;
  /** The block was added to a text whose last line had no line break: one was put before it. */
  joined: boolean;
}

function findBlock(text: string, label: string): Found | undefined {
  const lines = splitKeep(text);
  const begin = beginMarker(label);
  const end = endMarker(label);
  let offset = 0;
  let start: number | undefined;
  let found: Found | undefined;
  for (const line of lines) {
    const content = line.replace(/\r?\n$/, '').trimEnd();
    if (content === begin) {
      if (start !== undefined || found) {
        throw new MalformedBlockError(`the SSH config holds "${begin}" twice`);
      }
      start = offset;
    } else if (content === end) {
      if (start === undefined || found) {
        throw new MalformedBlockError(`the SSH config holds "${end}" without its "${begin}"`);
      }
      const stop = offset + line.length;
      // written after a last line without a line break, the block got one before it and none after it
      const joined = !/\n$/.test(line) && /\n$/.test(text.slice(0, start));
      found = joined
        ? { start: start - (text.slice(0, start).endsWith('\r\n') ? 2 : 1), end: stop, joined }
        : { start, end: stop, joined };
      start = undefined;
    }
    offset += line.length;
  }
  if (start !== undefined) {
    throw new MalformedBlockError(`the SSH config holds "${begin}" without its "${end}"`);
  }
  return found;
}

/** Lines with their line breaks kept. */
function splitKeep(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** The config's line break: CRLF when it already uses CRLF, else LF. */
function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * `text` with the block for `spec.label` in it: replaced where it is, else added at the end. Bytes outside the
 * block are kept; an unchanged block gives back `text` itself.
 */
export function upsertBlock(text: string, spec: SshBlockSpec): string {
  const eol = eolOf(text);
  const body = blockLines(spec).join(eol);
  const found = findBlock(text, spec.label);
  if (found) {
    const block = found.joined ? `${eol}${body}` : `${body}${eol}`;
    return `${text.slice(0, found.start)}${block}${text.slice(found.end)}`;
  }
  if (text === '') {
    return `${body}${eol}`;
  }
  // a last line without a line break stays so: the break the block needs is its own, and goes with it
  return /\n$/.test(text) ? `${text}${body}${eol}` : `${text}${eol}${body}`;
}

/** `text` without the block for `label` (as it was before the block was added); `text` itself when absent. */
export function removeBlock(text: string, label: string): string {
  const found = findBlock(text, label);
  return found ? `${text.slice(0, found.start)}${text.slice(found.end)}` : text;
}

/** Whether `text` holds the block for `label`. */
export function hasBlock(text: string, label: string): boolean {
  return findBlock(text, label) !== undefined;
}

/** `ssh -G` output as a map of lower-case keys to values (the first of repeated keys such as identityfile). */
export function parseSshG(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of output.split(/\r?\n/)) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (m && !out.has(m[1].toLowerCase())) {
      out.set(m[1].toLowerCase(), m[2]);
    }
  }
  return out;
}

/** One `Host` pattern list as ssh_config matches it: globs with `*` and `?`, `!` negating. */
export function hostMatches(patterns: string, host: string): boolean {
  let matched = false;
  for (const raw of patterns.split(/[\s,]+/).filter(Boolean)) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).replace(/^"|"$/g, '');
    const re = new RegExp(
      `^${pattern
        .split('')
        .map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('')}$`,
      'i'
    );
    if (re.test(host)) {
      if (negated) {
        return false;
      }
      matched = true;
    }
  }
  return matched;
}

/** A line of the user's config before the block that also applies to the alias, and so can shadow it. */
export interface ShadowingLine {
  /** 1-based line number. */
  line: number;
  text: string;
}

/**
 * The `Host` (or `Match`) lines before the block for `label` that apply to `host` as well: ssh takes the first
 * value it finds for each option, so their options win over the block's.
 */
export function earlierEntriesFor(text: string, label: string, host: string): ShadowingLine[] {
  const found = findBlock(text, label);
  const before = splitKeep(found ? text.slice(0, found.start) : text);
  const hits: ShadowingLine[] = [];
  before.forEach((raw, i) => {
    const line = raw.replace(/\r?\n$/, '').trim();
    const m = /^(host|match)\s*=?\s*(.*)$/i.exec(line);
    if (!m) {
      return;
    }
    if (m[1].toLowerCase() === 'match' ? /\ball\b/i.test(m[2]) : hostMatches(m[2].replace(/#.*$/, ''), host)) {
      hits.push({ line: i + 1, text: line });
    }
  });
  return hits;
}
