#!/usr/bin/env node
// SSH through PrimeHub Local's bastion against SSH straight to the notebook's sshd, in the same run, with the real
// OpenSSH client:
//  - `ssh <host> true` (a new connection each time: key exchange and sign-in on both hops through the bastion,
//    one hop straight). Goal: p50 through the bastion <= 1.3x straight.
//  - bulk transfer: `scp` of BENCH_SSH_MB (default 200) MB into the notebook. Goal: through the bastion >= 0.8x
//    the throughput straight. Also measured: the same two-hop path through an OpenSSH jump host (the notebook's own
//    sshd forwarding to itself; PrimeHub's bastion is OpenSSH), which shows what the second hop costs by itself:
//    every byte is encrypted twice and passes two more processes.
// The client config is the block PrimeHub Local gives (PrimeHub's spawner's), its ProxyCommand `ssh -W` included.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fmt, Results, section, summarize } from './support/bench.mjs';
import { BenchServer, removeDir, tempDir } from './support/server.mjs';

const SAMPLES = Number(process.env.BENCH_SSH_SAMPLES ?? 20);
const MB = Number(process.env.BENCH_SSH_MB ?? 200);
const GOAL_CONNECT = 1.3;
const GOAL_BULK = 0.8;
const QUIET = [
  'BatchMode yes',
  'IdentitiesOnly yes',
  'StrictHostKeyChecking no',
  'UserKnownHostsFile /dev/null',
  'LogLevel ERROR'
];

function must(cmd, args) {
  const res = spawnSync(cmd, args, { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${res.status ?? res.error?.message}): ${res.stderr}`);
  }
  return res.stdout;
}

/** Milliseconds `cmd args` takes, failing on a non-zero exit. */
function timed(cmd, args) {
  const t0 = performance.now();
  must(cmd, args);
  return performance.now() - t0;
}

async function main() {
  for (const file of ['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/scp']) {
    try {
      statSync(file);
    } catch {
      throw new Error(
        `${file} is missing: apt-get install openssh-server openssh-client (npm run bench installs them)`
      );
    }
  }
  const dir = tempDir('ssh');
  const server = await BenchServer.start({
    dataDir: join(dir, 'data'),
    args: ['--notebook-user', 'phuser', '--ssh', '--ssh-port', '0']
  });
  const results = new Results('ssh');
  try {
    const key = join(dir, 'key');
    must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const home = join(server.dataDir, 'notebooks', 'phuser');
    mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    appendFileSync(join(home, '.ssh', 'authorized_keys'), readFileSync(`${key}.pub`));
    const info = await (
      await fetch(`${server.baseUrl}/api/ssh/notebooks/phuser`, {
        headers: { authorization: `Bearer ${server.token}` }
      })
    ).json();
    const sshdPort = JSON.parse(
      readFileSync(join(server.dataDir, 'ssh', 'notebooks', 'phuser', 'sshd_config'), 'utf8').match(/^Port (\d+)$/m)[1]
    );
    const config = join(dir, 'config');
    const opts = QUIET.map(o => `  ${o}`);
    writeFileSync(
      config,
      [
        info.config
          .replace(/~\/\.ssh\/id_rsa/g, key)
          .replace('ProxyCommand ssh -W', `ProxyCommand ssh -F ${config} -W`)
          .trimEnd(),
        ...opts,
        'Host 127.0.0.1',
        ...opts,
        // two hops, both OpenSSH: what any bastion's second layer of encryption costs
        'Host openssh-jump',
        '  HostName 127.0.0.1',
        `  Port ${sshdPort}`,
        `  User ${info.login}`,
        `  IdentityFile ${key}`,
        `  ProxyCommand ssh -F ${config} -W %h:%p straight`,
        ...opts,
        `Host straight`,
        '  HostName 127.0.0.1',
        `  Port ${sshdPort}`,
        `  User ${info.login}`,
        `  IdentityFile ${key}`,
        ...opts,
        ''
      ].join('\n')
    );
    const via = info.host;

    section(`ssh <host> true, ${SAMPLES} rounds each (alternating): through the bastion vs straight to the sshd`);
    const t = { bastion: [], straight: [] };
    for (let i = 0; i < 2; i++) {
      timed('ssh', ['-F', config, via, 'true']);
      timed('ssh', ['-F', config, 'straight', 'true']);
    }
    for (let i = 0; i < SAMPLES; i++) {
      t.bastion.push(timed('ssh', ['-F', config, via, 'true']));
      t.straight.push(timed('ssh', ['-F', config, 'straight', 'true']));
    }
    const b = summarize(t.bastion);
    const s = summarize(t.straight);
    results.add({
      metric: 'ssh true through the bastion p50',
      value: b.p50,
      unit: 'ms',
      baseline: `straight p50 ${fmt(s.p50)} ms`,
      ratio: b.p50 / s.p50,
      goal: `<= ${GOAL_CONNECT}x straight`,
      pass: b.p50 / s.p50 <= GOAL_CONNECT
    });

    section(`scp ${MB} MB into the notebook: through the bastion vs straight`);
    const file = join(dir, 'payload');
    must('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', `count=${MB}`, 'status=none']);
    const rate = host => {
      const ms = timed('scp', ['-q', '-F', config, file, `${host}:${join(home, 'payload')}`]);
      rmSync(join(home, 'payload'), { force: true });
      return (MB / ms) * 1000;
    };
    // best of two each, alternating, so a burst of load on the machine hits both alike
    const rates = { bastion: [], straight: [], jump: [] };
    for (let i = 0; i < 2; i++) {
      rates.straight.push(rate('straight'));
      rates.bastion.push(rate(via));
      rates.jump.push(rate('openssh-jump'));
    }
    const bulkB = Math.max(...rates.bastion);
    const bulkS = Math.max(...rates.straight);
    const bulkJ = Math.max(...rates.jump);
    results.add({
      metric: `scp ${MB} MB through an OpenSSH jump host`,
      value: bulkJ,
      unit: 'MB/s',
      baseline: `straight ${fmt(bulkS)} MB/s`,
      ratio: bulkJ / bulkS
    });
    results.add({
      metric: `scp ${MB} MB through the bastion vs through an OpenSSH jump host`,
      value: bulkB,
      unit: 'MB/s',
      baseline: `OpenSSH jump ${fmt(bulkJ)} MB/s`,
      ratio: bulkB / bulkJ
    });
    results.add({
      metric: `scp ${MB} MB through the bastion`,
      value: bulkB,
      unit: 'MB/s',
      baseline: `straight ${fmt(bulkS)} MB/s`,
      ratio: bulkB / bulkS,
      goal: `>= ${GOAL_BULK}x straight`,
      pass: bulkB / bulkS >= GOAL_BULK
    });
  } finally {
    await server.dispose();
    removeDir(dir);
  }
  results.save();
}

await main();
