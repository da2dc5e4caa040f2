// Benchmarks inside the real extension host (started by test/bench/vscode-extension.mjs): the
// Jobs tree with 5,000 jobs, and activation. Writes its numbers to $PRIMEHUB_BENCH_RESULT.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Job } from '@primehub-suite/client';
import * as vscode from 'vscode';
import type { PrimeHubExtensionApi } from '../../src/extension';
import { JobsModel } from '../../src/jobs/JobsModel';
import type { JobsManager } from '../../src/jobs/JobsManager';
import { JobsNode, JobsTreeDataProvider } from '../../src/ui/jobs/JobsTreeDataProvider';

const JOBS = Number(process.env.BENCH_TREE_JOBS ?? 5000);
const ROUNDS = 30;
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
  const result = {
    jobs: JOBS,
    refreshP50Ms: median(refreshMs.slice(5)),
    baselineP50Ms: median(baselineMs.slice(5)),
    activationMs: api.activationMs,
    activateCallMs
  };
  writeFileSync(process.env.PRIMEHUB_BENCH_RESULT!, JSON.stringify(result));
}
