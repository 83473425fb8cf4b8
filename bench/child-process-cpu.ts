/**
 * CPU time of a child process from Linux's /proc, for the one component a JavaScript profile
 * cannot see: DynamoDB Local's JVM. It is found among this process's children by the port the
 * local cloud gave it, so local/dynamodb needs no change to be measured.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ), 100 on nearly every Linux. */
function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

const TICKS_PER_SECOND = clockTicksPerSecond();

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces), numbered from 3 as in proc(5). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** User + system CPU milliseconds the process has used so far, all its threads. */
export function processCpuMs(pid: number): number {
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15; fields[0] is field 3.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** The pid of a child of this process whose command line holds every one of `args`; undefined when none (or no /proc). */
export function findChildProcess(args: string[]): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    try {
      if (Number(statFields(pid)[1]) !== process.pid) continue;
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args.every((arg) => commandLine.includes(arg))) return pid;
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return undefined;
}

/** DynamoDB Local started by the local cloud at `endpoint` (`-port <port>` on its command line). */
export function findDynamoDbLocal(endpoint: string): number | undefined {
  return findChildProcess(['-port', new URL(endpoint).port]);
}
