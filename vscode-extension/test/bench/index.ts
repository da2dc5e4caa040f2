// Benchmarks inside the real extension host (started by test/bench/vscode-extension.mjs): the
// Jobs tree with 5,000 jobs, activation, and Run Current File on a trivial notebook against a real
// PrimeHub Local. Writes its numbers to $PRIMEHUB_BENCH_RESULT.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from '@primehub-suite/client';
import * as vscode from 'vscode';
import type { PrimeHubExtensionApi } from '../../src/extension';
import { JobsModel } from '../../src/jobs/JobsModel';
import type { JobsManager } from '../../src/jobs/JobsManager';
import { JobsNode, JobsTreeDataProvider } from '../../src/ui/jobs/JobsTreeDataProvider';

const JOBS = Number(process.env.BENCH_TREE_JOBS ?? 5000);
const ROUNDS = 30;
const NOTEBOOK_ROUNDS = Number(process.env.BENCH_VSCODE_NOTEBOOK_ROUNDS ?? 8);
/** How often the benchmark looks for a finished output, as PrimeHub Local's notebook benchmark polls. */
const POLL_MS = 20;
const PHASES = ['Running', 'Succeeded', 'Failed', 'Cancelled', 'Pending'] as const;

function jobs(n: number, round: number): Job[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `job-${round}-${i}`,
    displayName: `train-${i}`,
    cancel: null,
    command: 'python train.py',
    groupId: 'g1',
    groupName: 'phusers',
    schedule: null,
    image: 'base-notebook',
    instanceType: { id: 'cpu-1', name: 'cpu-1', displayName: 'CPU 1', cpuLimit: 1, memoryLimit: 1, gpuLimit: 0 },
    userId: 'u1',
    userName: 'phadmin',
    phase: PHASES[(i + round) % PHASES.length],
    reason: null,
    message: null,
    createTime: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    startTime: null,
    finishTime: null,
    activeDeadlineSeconds: null,
    logEndpoint: null
  }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** One refresh as VS Code performs it: new listing in the model, root and group children, every row's TreeItem. */
async function refresh(tree: JobsTreeDataProvider, model: JobsModel, listing: Job[]): Promise<void> {
  model.setJobs(listing);
  const roots = await tree.getChildren();
  for (const group of roots) {
    tree.getTreeItem(group);
    for (const node of (await tree.getChildren(group)) as JobsNode[]) {
      tree.getTreeItem(node);
    }
  }
}

/** An output notebook of a benchmark run and the value `a` it ran with. */
interface RunOutput {
  file: string;
  a: number;
}

async function until(what: string, check: () => boolean, ms = 120_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) {
      throw new Error(`${what}: not within ${ms} ms`);
    }
    await sleep(POLL_MS);
  }
}

/**
 * Run Current File on a notebook of the workspace, from the last prompt answered (the command's
 * options stand for the prompts) to the output notebook beside it; the first round warms up. The
 * runner measures PrimeHub Local's own notebook benchmark on the same server around these rounds.
 */
async function notebookRuns(): Promise<{ runFileMs: number[]; outputs: RunOutput[] }> {
  const endpoint = process.env.PRIMEHUB_BENCH_ENDPOINT!;
  const token = process.env.PRIMEHUB_BENCH_TOKEN!;
  // the benchmark's notebook, written by test/bench/vscode-extension.mjs, which also checks the outputs
  const template = readFileSync(process.env.PRIMEHUB_BENCH_NOTEBOOK!, 'utf8');
  const firstA = Number(process.env.PRIMEHUB_BENCH_FIRST_A ?? 1);
  const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
  if (!(await vscode.commands.executeCommand('primehub.auth.signIn', { endpoint, token }))) {
    throw new Error('the extension did not sign in to the benchmark server');
  }
  const outputs: RunOutput[] = [];
  const runFileMs: number[] = [];
  for (let round = 0; round < NOTEBOOK_ROUNDS + 1; round++) {
    const a = firstA + round;
    const file = join(workspace, `nb${a}.ipynb`);
    const output = join(workspace, `nb${a}-output.ipynb`);
    writeFileSync(file, template);
    const t0 = performance.now();
    const job = await vscode.commands.executeCommand<Job | undefined>(
      'primehub.jobs.runCurrentFile',
      vscode.Uri.file(file),
      {
        instanceType: 'cpu-1',
        image: 'base-notebook',
        parameters: { a }
      }
    );
    if (!job) {
      throw new Error('Run Current File submitted nothing');
    }
    // complete: the extension writes the output notebook once downloaded, then announces it
    await until(`the output notebook of ${job.id}`, () => existsSync(output));
    if (round > 0) {
      runFileMs.push(performance.now() - t0);
    }
    outputs.push({ file: output, a });
  }
  return { runFileMs, outputs };
}

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<PrimeHubExtensionApi | undefined>('primehub-suite.primehub')!;
  const t0 = performance.now();
  const api = await ext.activate();
  const activateCallMs = performance.now() - t0;
  if (!api) {
    // the extension exports its parts only in ExtensionMode.Test (run with --extensionTestsPath)
    throw new Error('the extension exported nothing: the extension host did not run it in ExtensionMode.Test');
  }

  const model = new JobsModel();
  const tree = new JobsTreeDataProvider({
    model,
    artifacts: async () => [],
    isFinished: () => true
  } as unknown as JobsManager);
  const refreshMs: number[] = [];
  const baselineMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const listing = jobs(JOBS, r);
    // baseline: decoding the same listing from JSON, the least any refresh must do with it
    const text = JSON.stringify(listing);
    const b0 = performance.now();
    const decoded = JSON.parse(text) as Job[];
    baselineMs.push(performance.now() - b0);
    const s0 = performance.now();
    await refresh(tree, model, decoded);
    refreshMs.push(performance.now() - s0);
  }
  tree.dispose();
  const notebooks = process.env.PRIMEHUB_BENCH_ENDPOINT ? await notebookRuns() : undefined;
  const result = {
    jobs: JOBS,
    refreshP50Ms: median(refreshMs.slice(5)),
    baselineP50Ms: median(baselineMs.slice(5)),
    activationMs: api.activationMs,
    activateCallMs,
    runFileP50Ms: notebooks && median(notebooks.runFileMs),
    notebookRounds: notebooks?.runFileMs.length,
    notebookOutputs: notebooks?.outputs
  };
  writeFileSync(process.env.PRIMEHUB_BENCH_RESULT!, JSON.stringify(result));
}
