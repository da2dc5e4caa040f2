import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process that has not exited (zombies, already dead, are left out). */
export interface LiveProcess {
  pid: number;
  /** Its process group. */
  pgid: number;
}

/** Every live process on this machine, read from /proc (none where there is no /proc). */
export function liveProcesses(): LiveProcess[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: LiveProcess[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z' && state !== 'X') {
        found.push({ pid: Number(name), pgid: Number(pgrp) });
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Live processes whose environment holds `entry` (`NAME=value`): the ones a marker variable was given to. */
export function processesWithEnv(entry: string): number[] {
  return liveProcesses()
    .map(p => p.pid)
    .filter(pid => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
      } catch {
        return false;
      }
    });
}

/** Live processes of process group `pgid`, including those whose parent has died. */
export function groupMembers(pgid: number): number[] {
  return liveProcesses()
    .filter(p => p.pgid === pgid)
    .map(p => p.pid);
}

/** Waits until process group `pgid` has no live process left; false after `timeoutMs`. */
export async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (groupMembers(pgid).length > 0) {
    if (Date.now() > until) {
      return false;
    }
    await sleep(50);
  }
  return true;
}

/** Signals every process of group `pgid` (a child started with `detached`). */
export function signalGroup(pgid: number | undefined, sig: NodeJS.Signals): void {
  if (pgid === undefined) {
    return;
  }
  try {
    process.kill(-pgid, sig);
  } catch {
    // Already gone.
  }
}
