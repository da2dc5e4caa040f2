import { readdirSync, readFileSync } from 'node:fs';

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
