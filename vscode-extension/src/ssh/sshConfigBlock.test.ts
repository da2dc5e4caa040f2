import {
  aliasesOf,
  blockLabel,
  blockLines,
  earlierEntriesFor,
  hasBlock,
  hostMatches,
  MalformedBlockError,
  parseSshG,
  removeBlock,
  upsertBlock,
  type SshBlockSpec
} from './sshConfigBlock';

const SPEC: SshBlockSpec = {
  label: '127.0.0.1-8321',
  bastionHost: '127.0.0.1',
  bastionPort: 2222,
  bastionUser: 'limited-user',
  notebookHost: 'jupyter-phuser.hub',
  notebookPort: 22,
  login: 'jovyan',
  identityFile: '/home/me/.ssh/primehub_127.0.0.1-8321_ed25519',
  knownHostsFile: '/home/me/.ssh/primehub_known_hosts'
};

/** Users' configs as they come: comments, Includes, CRLF, no last line break, tabs, a Host * entry. */
const CONFIGS: Record<string, string> = {
  empty: '',
  plain: 'Host work\n  HostName work.example.com\n  User me\n',
  noFinalBreak: '# mine\nHost a\n\tUser x',
  crlf: 'Include ~/.ssh/config.d/*\r\nHost b\r\n  Port 2200\r\n',
  crlfNoFinalBreak: 'Host b\r\n  Port 2200',
  blankLines: '\n\nHost *\n  ServerAliveInterval 30\n\n\n',
  unicode: '# ünïcode ✓\nHost ü\n  User ö\n'
};

describe('the PrimeHub block in an SSH config', () => {
  test.each(Object.entries(CONFIGS))('%s: added, replaced, removed; every byte outside stays', (_name, original) => {
    const once = upsertBlock(original, SPEC);
    expect(once.startsWith(original)).toBe(true);
    expect(hasBlock(once, SPEC.label)).toBe(true);
    // idempotent: the same block again changes nothing
    expect(upsertBlock(once, SPEC)).toBe(once);
    // a changed block (a new bastion port) replaces the old one in place
    const moved = upsertBlock(once, { ...SPEC, bastionPort: 2223 });
    expect(moved).toContain('  Port 2223');
    expect(moved).not.toContain('  Port 2222');
    expect(removeBlock(moved, SPEC.label)).toBe(original);
    expect(removeBlock(once, SPEC.label)).toBe(original);
    // the block's line breaks are the file's own
    if (original.includes('\r\n')) {
      expect(once.slice(original.length).replace(/\r\n/g, '')).not.toContain('\n');
    } else {
      expect(once).not.toContain('\r');
    }
  });

  test("the user's lines after the block and another PrimeHub's block stay as they are", () => {
    const other = { ...SPEC, label: 'primehub.example.com', bastionHost: 'primehub.example.com' };
    const withBoth = upsertBlock(upsertBlock(CONFIGS.plain, SPEC), other);
    const userAfter = `${withBoth}Host later\n  User z\n`;
    const changed = upsertBlock(userAfter, { ...SPEC, login: 'other' });
    expect(changed.endsWith('Host later\n  User z\n')).toBe(true);
    expect(removeBlock(removeBlock(changed, SPEC.label), other.label)).toBe(`${CONFIGS.plain}Host later\n  User z\n`);
  });

  test('broken markers are refused, not guessed at', () => {
    const block = blockLines(SPEC);
    const startOnly = `${block[0]}\nHost x\n`;
    const endOnly = `Host x\n${block[block.length - 1]}\n`;
    const twice = upsertBlock('', SPEC) + upsertBlock('', SPEC);
    for (const text of [startOnly, endOnly, twice]) {
      expect(() => upsertBlock(text, SPEC)).toThrow(MalformedBlockError);
      expect(() => removeBlock(text, SPEC.label)).toThrow(MalformedBlockError);
    }
  });

  test('values with spaces are quoted; a quote or line break is refused', () => {
    const lines = blockLines({ ...SPEC, identityFile: '/home/my name/.ssh/k' });
    expect(lines).toContain('  IdentityFile "/home/my name/.ssh/k"');
    expect(() => blockLines({ ...SPEC, login: 'a\nHost *' })).toThrow('line breaks');
    expect(() => blockLines({ ...SPEC, identityFile: '/x"y' })).toThrow('quotes');
  });

  test('labels and aliases come from the endpoint', () => {
    expect(blockLabel('http://127.0.0.1:8321/api/graphql')).toBe('127.0.0.1-8321');
    expect(blockLabel('https://PrimeHub.Example.com/api/graphql')).toBe('primehub.example.com');
    expect(blockLabel('http://[::1]:8321/api/graphql')).toBe('--1-8321');
    expect(aliasesOf('primehub.example.com')).toEqual({
      notebook: 'primehub-primehub.example.com',
      bastion: 'primehub-primehub.example.com-bastion'
    });
  });
});

describe('shadowing', () => {
  test('Host patterns match as ssh_config does', () => {
    expect(hostMatches('*', 'primehub-x')).toBe(true);
    expect(hostMatches('primehub-*', 'primehub-x')).toBe(true);
    expect(hostMatches('primehub-?', 'primehub-x')).toBe(true);
    expect(hostMatches('work other', 'primehub-x')).toBe(false);
    expect(hostMatches('* !primehub-*', 'primehub-x')).toBe(false);
    expect(hostMatches('PRIMEHUB-X', 'primehub-x')).toBe(true);
    expect(hostMatches('primehub.x', 'primehubax')).toBe(false);
  });

  test('names the earlier Host and Match all entries that apply to the alias, not later ones', () => {
    const alias = aliasesOf(SPEC.label).notebook;
    const text = upsertBlock(
      ['Host work', '  User me', 'Host *', '  User everyone', 'Match all', '  Port 1', 'Host primehub-*', ''].join(
        '\n'
      ),
      SPEC
    );
    expect(earlierEntriesFor(`${text}Host ${alias}\n  User late\n`, SPEC.label, alias)).toEqual([
      { line: 3, text: 'Host *' },
      { line: 5, text: 'Match all' },
      { line: 7, text: 'Host primehub-*' }
    ]);
  });

  test('reads ssh -G output', () => {
    const g = parseSshG('user jovyan\nhostname jupyter-phuser.hub\nidentityfile /a\nidentityfile /b\nProxyJump x\n');
    expect(g.get('user')).toBe('jovyan');
    expect(g.get('identityfile')).toBe('/a');
    expect(g.get('proxyjump')).toBe('x');
  });
});
