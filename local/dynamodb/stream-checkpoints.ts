/**
 * Each shard's last processed sequence number, kept in a JSON file so a restart of the
 * stream relay resumes instead of replaying or skipping records.
 */
import { rename, readFile, writeFile } from 'node:fs/promises';
import { isError } from './stream-errors.ts';

export interface ShardCheckpoint {
  sequenceNumber?: string;
  finished?: boolean;
}

export interface StreamCheckpoints {
  streamArn: string;
  shards: Record<string, ShardCheckpoint>;
}

export class CheckpointFile {
  readonly #file: string;
  readonly #onError: (message: string, error: unknown) => void;
  #write: Promise<void> = Promise.resolve();

  constructor(file: string, onError: (message: string, error: unknown) => void) {
    this.#file = file;
    this.#onError = onError;
  }

  /** What the file holds; undefined when there is no file yet. */
  async load(): Promise<StreamCheckpoints | undefined> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if (isError(error, 'ENOENT')) return undefined;
      throw error;
    }
    const content = JSON.parse(text) as StreamCheckpoints;
    if (typeof content?.streamArn !== 'string' || typeof content.shards !== 'object') {
      throw new Error(`${this.#file} is not a stream relay checkpoint file`);
    }
    return content;
  }

  /** Resolves once this content and every earlier one are written; a failed write is reported, not thrown. */
  save(content: StreamCheckpoints): Promise<void> {
    const text = `${JSON.stringify(content, null, 2)}\n`;
    // Serialized, and written aside then renamed, so a crash never leaves a torn file.
    this.#write = this.#write
      .then(async () => {
        const temporary = `${this.#file}.${process.pid}.tmp`;
        await writeFile(temporary, text);
        await rename(temporary, this.#file);
      })
      .catch((error) => this.#onError(`writing ${this.#file} failed`, error));
    return this.#write;
  }

  /** Resolves when the writes under way are done. */
  flushed(): Promise<void> {
    return this.#write;
  }
}
