/**
 * The bus archive, locally: every event accepted on a bus, in a JSON-lines file in the data
 * directory (kept across restarts) or in memory, read back by time range for replays.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { BusEvent } from './local-event-bus.ts';

interface ArchivedEvent {
  busName: string;
  event: BusEvent;
}

export class LocalArchive {
  private readonly file: string | undefined;
  private readonly memory: ArchivedEvent[] = [];

  /** `file`: where the archive is kept; in memory (lost on stop) when omitted. */
  constructor(file?: string) {
    this.file = file;
  }

  append(busName: string, event: BusEvent): void {
    if (this.file) appendFileSync(this.file, `${JSON.stringify({ busName, event })}\n`);
    else this.memory.push({ busName, event });
  }

  /** Events of `busName` whose time is in [from, to), in the order they were put, as a replay selects them. */
  events(busName: string, from: Date, to: Date): BusEvent[] {
    const archived =
      this.file === undefined
        ? this.memory
        : existsSync(this.file)
          ? readFileSync(this.file, 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((line) => JSON.parse(line) as ArchivedEvent)
          : [];
    return archived
      .filter((item) => item.busName === busName)
      .map((item) => item.event)
      .filter((event) => {
        const time = Date.parse(event.time);
        return time >= from.getTime() && time < to.getTime();
      });
  }
}
