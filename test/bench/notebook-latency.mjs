// Benchmark: notebook-job latency against a peer. A trivial parameterized notebook is run until its
// output notebook exists, complete, three ways in the same run, round by round:
//  - ours: `client.notebook.run` on PrimeHub Local (a job in its sandbox running the run script,
//    output beside the notebook on the group volume), waited for with `run.wait`;
//  - jupyter-scheduler: `POST /scheduler/jobs` on a Jupyter server of its own, polled with
//    `GET /scheduler/jobs/<id>` until COMPLETED;
//  - bare papermill: `papermill` run directly (the project's .venv), until it exits.
// Every output is checked: the injected parameter and the last cell's output are there.
// Goals: our median <= 0.7x jupyter-scheduler's; our p90 <= 1.3x our median.
//
// jupyter-scheduler lives in a virtualenv of its own (.bench/scheduler-venv, made here with the
// project's uv), so its pins never meet the project's.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fetch } from 'undici';
import { fmt, Results, section, summarize } from './support/bench.mjs';
import { BenchServer, freePort, removeDir, REPO_ROOT, tempDir } from './support/server.mjs';
import { clientFor } from './client/lib.mjs';
import { benchNotebook, checkOutput, timeNotebookRun } from './support/notebook.mjs';

const SAMPLES = Number(process.env.BENCH_NOTEBOOK_SAMPLES ?? 20);
const WARMUP = 2;
const POLL_MS = 20;
const GOAL_RATIO = 0.7;
const GOAL_SPREAD = 1.3;
const SCHEDULER = ['jupyter-scheduler==2.12.1', 'ipykernel==6.30.1'];
const VENV = join(REPO_ROOT, '.venv');
const SCHEDULER_VENV = join(REPO_ROOT, '.bench', 'scheduler-venv');

/** Creates (once) the benchmark's own virtualenv with the pinned jupyter-scheduler. */
function schedulerVenv() {
  const stamp = join(SCHEDULER_VENV, '.bench-stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === SCHEDULER.join(' ')) {
    return;
  }
  const uv = join(VENV, 'bin', 'uv');
  const run = args => {
    const r = spawnSync(uv, args, { stdio: 'inherit' });
    if (r.status !== 0) {
      throw new Error(`uv ${args.join(' ')} failed (${r.status ?? r.signal})`);
    }
  };
  console.log(`  installing ${SCHEDULER.join(', ')} into ${SCHEDULER_VENV}`);
  run(['venv', '--quiet', '--allow-existing', '--python', join(VENV, 'bin', 'python'), SCHEDULER_VENV]);
  run([
    'pip',
    'install',
    '--quiet',
    '--link-mode=copy',
    '--python',
    join(SCHEDULER_VENV, 'bin', 'python'),
    ...SCHEDULER
  ]);
  // the peer's kernel is stock ipykernel's (a uv cache may hold the spec the project's .venv edits)
  const spec = join(SCHEDULER_VENV, 'share', 'jupyter', 'kernels', 'python3', 'kernel.json');
  const kernel = JSON.parse(readFileSync(spec, 'utf8'));
  delete kernel.metadata?.kernel_provisioner;
  rmSync(spec);
  writeFileSync(spec, JSON.stringify(kernel, null, 1) + '\n');
  writeFileSync(stamp, SCHEDULER.join(' '));
}

/** A Jupyter server with jupyter-scheduler over `root`, its data and runtime folders in `home`. */
class SchedulerServer {
  static async start(root, home) {
    const s = new SchedulerServer();
    s.token = randomBytes(16).toString('hex');
    s.port = await freePort();
    s.dataDir = join(home, 'data');
    s.output = '';
    mkdirSync(s.dataDir, { recursive: true });
    s.child = spawn(
      join(SCHEDULER_VENV, 'bin', 'jupyter'),
      ['server', '--no-browser', '--allow-root', `--port=${s.port}`, '--ip=127.0.0.1', `--ServerApp.root_dir=${root}`],
      {
        env: {
          ...process.env,
          JUPYTER_TOKEN: s.token,
          JUPYTER_DATA_DIR: s.dataDir,
          JUPYTER_RUNTIME_DIR: join(home, 'runtime'),
          JUPYTER_CONFIG_DIR: join(home, 'config'),
          PATH: `${join(SCHEDULER_VENV, 'bin')}:${process.env.PATH}`
        },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    );
    s.child.stdout.on('data', d => (s.output += d));
    s.child.stderr.on('data', d => (s.output += d));
    const until = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await s.request('GET', '/scheduler/runtime_environments')).ok) {
          return s;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > until || s.child.exitCode !== null) {
        s.child.kill();
        throw new Error(`jupyter-scheduler's server did not start:\n${s.output}`);
      }
      await sleep(200);
    }
  }

  request(method, path, body) {
    return fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers: { authorization: `token ${this.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  }

  async json(method, path, body) {
    const res = await this.request(method, path, body);
    if (!res.ok) {
      throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    }
    return res.json();
  }

  /** The executed notebook of a job, in the scheduler's staging area. */
  outputOf(jobId) {
    const dir = join(this.dataDir, 'scheduler_staging_area', jobId);
    const out = readdirSync(dir).find(f => f.endsWith('.ipynb') && f !== 'nb.ipynb');
    if (!out) {
      throw new Error(`no output notebook in ${dir}: ${readdirSync(dir).join(', ')}`);
    }
    return join(dir, out);
  }

  stop() {
    this.child.kill('SIGTERM');
    return new Promise(resolve => (this.child.exitCode !== null ? resolve() : this.child.once('exit', resolve)));
  }
}

async function scheduler(server, a) {
  const t0 = performance.now();
  const { job_id: id } = await server.json('POST', '/scheduler/jobs', {
    name: `bench-${a}`,
    input_uri: 'nb.ipynb',
    runtime_environment_name: 'bench',
    output_formats: ['ipynb'],
    parameters: { a: String(a) }
  });
  // a new job reads STOPPED (the column's default) until its process marks it IN_PROGRESS
  for (let started = false; ; ) {
    const job = await server.json('GET', `/scheduler/jobs/${id}`);
    if (job.status === 'COMPLETED') {
      break;
    }
    started ||= job.status === 'IN_PROGRESS';
    if (job.status === 'FAILED' || (started && job.status === 'STOPPED')) {
      throw new Error(
        `jupyter-scheduler job ${id} ${job.status}: ${job.status_message}\n${server.output.slice(-3000)}`
      );
    }
    if (performance.now() - t0 > 120_000) {
      throw new Error(`jupyter-scheduler job ${id} still ${job.status} after 120 s`);
    }
    await sleep(POLL_MS);
  }
  const ms = performance.now() - t0;
  checkOutput(server.outputOf(id), a);
  return ms;
}

function papermill(dir, a) {
  const out = join(dir, `pm-out-${a}.ipynb`);
  const b64 = Buffer.from(JSON.stringify({ a })).toString('base64');
  const t0 = performance.now();
  const r = spawnSync(join(VENV, 'bin', 'papermill'), [join(dir, 'nb.ipynb'), out, '-b', b64, '--log-output'], {
    cwd: dir,
    encoding: 'utf8'
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    throw new Error(`papermill exited with ${r.status}:\n${r.stderr}`);
  }
  checkOutput(out, a);
  return ms;
}

async function main() {
  const results = new Results('notebook job');
  section(`notebook job until its output exists: ours vs jupyter-scheduler vs bare papermill (${SAMPLES} rounds)`);
  schedulerVenv();
  const scratch = tempDir('notebook');
  const server = await BenchServer.start({ args: ['--cpus', '4', '--memory-gb', '8'] });
  const client = await clientFor(server);
  let peer;
  try {
    const volume = join(server.dataDir, 'volumes', server.groupName);
    mkdirSync(join(volume, 'bench'), { recursive: true });
    writeFileSync(join(volume, 'bench', 'nb.ipynb'), JSON.stringify(benchNotebook()));
    const peerRoot = join(scratch, 'scheduler-root');
    const pmDir = join(scratch, 'papermill');
    for (const d of [peerRoot, pmDir]) {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'nb.ipynb'), JSON.stringify(benchNotebook()));
    }
    peer = await SchedulerServer.start(peerRoot, join(scratch, 'scheduler-home'));

    const sides = {
      ours: a => timeNotebookRun(client, volume, a, POLL_MS),
      'jupyter-scheduler': a => scheduler(peer, a),
      'bare papermill': a => papermill(pmDir, a)
    };
    const names = Object.keys(sides);
    const times = Object.fromEntries(names.map(n => [n, []]));
    let a = 1;
    for (let round = 0; round < WARMUP + SAMPLES; round++) {
      // rotate the order, so no side always follows the same one
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length];
        const ms = await sides[name](a++);
        if (round >= WARMUP) {
          times[name].push(ms);
        }
      }
    }
    const s = Object.fromEntries(names.map(n => [n, summarize(times[n])]));
    for (const n of names) {
      console.log(
        `  ${n}: median ${fmt(s[n].p50 / 1000)} s, p90 ${fmt(s[n].p90 / 1000)} s (min ${fmt(s[n].min / 1000)}, max ${fmt(s[n].max / 1000)})`
      );
    }
    const peerBase = `jupyter-scheduler median ${fmt(s['jupyter-scheduler'].p50 / 1000)} s`;
    results.add({
      metric: 'ours median',
      value: s.ours.p50 / 1000,
      unit: 's',
      baseline: peerBase,
      ratio: s.ours.p50 / s['jupyter-scheduler'].p50,
      goal: `<= ${GOAL_RATIO}x jupyter-scheduler`,
      pass: s.ours.p50 / s['jupyter-scheduler'].p50 <= GOAL_RATIO
    });
    results.add({
      metric: 'ours p90',
      value: s.ours.p90 / 1000,
      unit: 's',
      baseline: `ours median ${fmt(s.ours.p50 / 1000)} s`,
      ratio: s.ours.p90 / s.ours.p50,
      goal: `<= ${GOAL_SPREAD}x our median`,
      pass: s.ours.p90 / s.ours.p50 <= GOAL_SPREAD
    });
    for (const n of ['jupyter-scheduler', 'bare papermill']) {
      results.add({
        metric: `${n} median`,
        value: s[n].p50 / 1000,
        unit: 's',
        baseline: peerBase,
        ratio: s[n].p50 / s['jupyter-scheduler'].p50
      });
      results.add({
        metric: `${n} p90`,
        value: s[n].p90 / 1000,
        unit: 's',
        baseline: `${n} median ${fmt(s[n].p50 / 1000)} s`,
        ratio: s[n].p90 / s[n].p50
      });
    }
  } finally {
    await peer?.stop();
    await client.close();
    await server.dispose();
    removeDir(scratch);
  }
  results.save();
}

await main();
