import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JOB_PIDS_MAX, removeJobCgroups, type LimitsState } from './cgroupLimits';
import { JobProcess } from './JobProcess';
import { POD_UID, POD_USER, type SandboxState } from './jobSandbox';

/** What a job sees of itself, from inside: printed as JSON by {@link PROBE_SCRIPT}. */
export interface Observed {
  uid: number;
  user: string | null;
  capEff: string;
  capBnd: string;
  noNewPrivs: boolean;
  seccomp: boolean;
  mountRefused: boolean;
  /** /proc/self/cgroup's lines. */
  cgroup: string[];
  /** /proc/self/limits' soft values: address space (bytes) and processes; null when unlimited. */
  addressSpace: number | null;
  processes: number | null;
}

/** How the instance type's limits hold on jobs, as observed. */
export interface LimitsReport {
  mechanism: LimitsState['mechanism'];
  memory: boolean;
  cpu: boolean;
  /** The most processes a job may hold, or null when unbounded. */
  pids: number | null;
  reason?: string;
}

/** How jobs are isolated, as `/api/health` reports it: what a probe job observed, not what was asked for. */
export interface JobIsolation {
  /** `sandbox` only when the probe saw every protection; `partial` when the sandbox runs without one. */
  isolation: 'sandbox' | 'partial' | 'none';
  uid: number | null;
  user: string | null;
  capEff: string | null;
  capBnd: string | null;
  noNewPrivs: boolean;
  seccomp: boolean;
  mountRefused: boolean;
  limits: LimitsReport;
  /** Why jobs are not fully isolated or limited; absent when everything holds. */
  reason?: string;
}

/**
 * The probe, run as a job's command: its user, capabilities, no_new_privs, seccomp mode, cgroups and
 * resource limits, and whether mount(2) is refused. The mount names a folder that does not exist, so
 * where it is allowed (no sandbox, as root) it fails with ENOENT and changes nothing.
 */
export const PROBE_SCRIPT = `import ctypes, errno, json, os, pwd
status = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines() if ':' in l)
libc = ctypes.CDLL(None, use_errno=True)
rc = libc.mount(b'none', b'/nonexistent/primehub-local-probe', b'tmpfs', 0, None)
refused = rc != 0 and ctypes.get_errno() == errno.EPERM
limits = {}
for line in open('/proc/self/limits'):
    for key in ('Max address space', 'Max processes'):
        if line.startswith(key):
            soft = line[len(key):].split()[0]
            limits[key] = None if soft == 'unlimited' else int(soft)
try:
    user = pwd.getpwuid(os.getuid()).pw_name
except KeyError:
    user = None
print(json.dumps({
    'uid': os.getuid(), 'user': user,
    'capEff': status['CapEff'].strip(), 'capBnd': status['CapBnd'].strip(),
    'noNewPrivs': status.get('NoNewPrivs', '').strip() == '1', 'seccomp': status.get('Seccomp', '').strip() == '2',
    'mountRefused': refused, 'cgroup': open('/proc/self/cgroup').read().splitlines(),
    'addressSpace': limits.get('Max address space'), 'processes': limits.get('Max processes'),
}))
`;

const PROBE_MEMORY_GB = 0.25;
const NO_SECCOMP = 'jobs have no seccomp filter';

/**
 * Runs one probe job as every job runs (same sandbox, filter and limits) in `dir`, which is removed
 * afterwards, and reports what it saw. A probe that cannot run reports nothing enforced, saying why.
 */
export async function probeJobs(
  dir: string,
  sandbox: SandboxState,
  limits: LimitsState,
  pythonEnv?: string,
  timeoutMs = 20_000
): Promise<JobIsolation> {
  const jobId = `probe-${process.pid}-${Date.now()}`;
  const launch = {
    jobId,
    command: 'python3 "$HOME/.primehub-local-probe.py"',
    user: POD_USER,
    group: 'probe',
    cpu: 1,
    memoryGb: PROBE_MEMORY_GB,
    home: join(dir, 'home'),
    volume: join(dir, 'volume'),
    phfs: join(dir, 'phfs'),
    log: join(dir, 'probe.log'),
    pythonEnv,
    sandbox,
    limits
  };
  let observed: Observed | undefined;
  let failure = '';
  try {
    await rm(dir, { recursive: true, force: true });
    await JobProcess.prepare(launch);
    await writeFile(join(launch.home, '.primehub-local-probe.py'), PROBE_SCRIPT);
    const proc = JobProcess.start(launch);
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill();
        reject(new Error(`the probe job did not end within ${timeoutMs} ms`));
      }, timeoutMs);
      proc.once('error', err => (clearTimeout(timer), reject(err)));
      proc.once('exit', c => (clearTimeout(timer), resolve(c)));
    });
    const output = await readFile(launch.log, 'utf8');
    const line = output.trim().split('\n').pop() ?? '';
    if (code === 0 && line.startsWith('{')) {
      observed = JSON.parse(line) as Observed;
    } else {
      failure = `the probe job failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' ')}`;
    }
  } catch (err) {
    failure = `the probe job could not run: ${(err as Error).message}`;
  } finally {
    await removeJobCgroups(limits, jobId);
    await rm(dir, { recursive: true, force: true });
  }
  return isolationReport(sandbox, limits, observed, jobId, failure);
}

/** The health report from what the probe (job `jobId`) observed; `failure` when it observed nothing. */
export function isolationReport(
  sandbox: SandboxState,
  limits: LimitsState,
  observed: Observed | undefined,
  jobId: string,
  failure = ''
): JobIsolation {
  const reasons: string[] = [];
  if (!sandbox.available) {
    reasons.push(sandbox.reason);
  } else if (sandbox.weakness) {
    reasons.push(sandbox.weakness);
  }
  if (failure) {
    reasons.push(failure);
  }
  const o = observed;
  const shortfalls = o
    ? [
        o.uid !== POD_UID && `jobs run as uid ${o.uid}, not ${POD_UID}`,
        !/^0+$/.test(o.capEff) && `jobs hold capabilities (CapEff ${o.capEff})`,
        !/^0+$/.test(o.capBnd) && `jobs may regain capabilities (CapBnd ${o.capBnd})`,
        !o.noNewPrivs && 'jobs may gain privileges (no_new_privs is off)',
        !o.seccomp && NO_SECCOMP,
        !o.mountRefused && 'jobs may mount file systems'
      ].filter((s): s is string => typeof s === 'string')
    : ['no probe job observed the sandbox'];
  if (sandbox.available) {
    // A missing filter is already explained by the weakness (with the package to install).
    reasons.push(...shortfalls.filter(s => !(sandbox.weakness && s === NO_SECCOMP)));
  }
  const limitsReport = observedLimits(limits, o, jobId);
  const isolation = !sandbox.available ? 'none' : shortfalls.length === 0 && !sandbox.weakness ? 'sandbox' : 'partial';
  const all = [...reasons, ...(limitsReport.reason ? [limitsReport.reason] : [])];
  return {
    isolation,
    uid: o?.uid ?? null,
    user: o?.user ?? null,
    capEff: o?.capEff ?? null,
    capBnd: o?.capBnd ?? null,
    noNewPrivs: o?.noNewPrivs ?? false,
    seccomp: o?.seccomp ?? false,
    mountRefused: o?.mountRefused ?? false,
    limits: limitsReport,
    ...(all.length > 0 ? { reason: all.join('; ') } : {})
  };
}

/** Which limits held on the probe: it was in the job's cgroups, or its resource limits were set. */
function observedLimits(limits: LimitsState, o: Observed | undefined, jobId: string): LimitsReport {
  const mechanism = limits.mechanism;
  const none = (reason: string): LimitsReport => ({ mechanism, memory: false, cpu: false, pids: null, reason });
  if (mechanism === 'none') {
    return none(`CPU, memory and process limits are not enforced: ${limits.reason}`);
  }
  if (!o) {
    return none('no probe job observed the limits');
  }
  const inCgroup = (controller: string, test: (path: string) => boolean) =>
    o.cgroup.some(line => {
      const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
      return controllers !== undefined && controllers.split(',').includes(controller) && test(path);
    });
  if (mechanism === 'cgroup-v1') {
    const name = `/primehub-local-${jobId}`;
    const held = (c: string) => inCgroup(c, p => p.endsWith(name));
    const pids = limits.parents.pids !== undefined && held('pids');
    const report = { mechanism, memory: held('memory'), cpu: held('cpu'), pids: pids ? JOB_PIDS_MAX : null };
    const missing = [!report.memory && 'memory', !report.cpu && 'cpu', !pids && 'pids'].filter(Boolean);
    return missing.length === 0
      ? report
      : { ...report, reason: `jobs were not in their cgroup v1 ${missing.join(', ')} controller` };
  }
  if (mechanism === 'cgroup-v2') {
    const scoped = inCgroup('', p => p.endsWith('.scope'));
    return scoped
      ? { mechanism, memory: true, cpu: true, pids: JOB_PIDS_MAX }
      : none('jobs were not in their systemd scope');
  }
  return {
    mechanism,
    memory: o.addressSpace !== null,
    cpu: false,
    pids: o.processes,
    reason: limits.reason
  };
}
