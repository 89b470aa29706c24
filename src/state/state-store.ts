// Where the device's state lives on disk and how it gets there. Writes are atomic (temp file in
// the same directory, write, fsync, rename, fsync the directory) and serialized; requests that
// arrive while a write is running are coalesced into the next one, and each caller's promise
// resolves only after a write that contains its change is durable.
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DecodeError } from '../core/errors.js';
import type { Logger } from '../log.js';
import type { DeviceLimits, DeviceStateData } from './device-state.js';
import { decodeStateFile, encodeStateFile, STATE_FILE_NAME } from './saved-state.js';

export const APP_STATE_DIR = 'inferno-aoip';

/** `<state dir>/<device id>`: `--state-dir` or `$XDG_STATE_HOME/inferno-aoip` or `~/.local/state/inferno-aoip`. */
export function deviceStateDir(stateDir: string | undefined, deviceId: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = stateDir ?? join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), APP_STATE_DIR);
  return join(base, deviceId);
}

export interface StateStoreOptions {
  dir: string;
  deviceId: string;
  limits: DeviceLimits;
  defaults: DeviceStateData;
  log?: Logger;
  /** Test hook: runs after the temp file is written and synced, before the rename. */
  beforeRename?: () => void | Promise<void>;
}

export interface LoadResult {
  data: DeviceStateData;
  source: 'file' | 'defaults';
  /** Where an unreadable or corrupt file was moved to. */
  movedTo?: string;
  skipped: string[];
}

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

export class StateStore {
  readonly path: string;
  private writing = false;
  private next: { data: DeviceStateData; waiters: Waiter[] } | undefined;
  private tmpCounter = 0;
  /** Durable writes done (for status and tests). */
  writes = 0;

  constructor(private readonly opts: StateStoreOptions) {
    this.path = join(opts.dir, STATE_FILE_NAME);
  }

  /**
   * Reads the saved state. A missing file gives the defaults; an unreadable or corrupt one is
   * moved aside (`state.msgpack.corrupt-<timestamp>`) with a warning, unless `readOnly` (the main
   * thread peeks at settings without touching files the control worker owns).
   */
  load(readOnly = false): LoadResult {
    const { deviceId, limits, defaults, log } = this.opts;
    if (!readOnly) this.removeStaleTemps();
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { data: structuredClone(defaults), source: 'defaults', skipped: [] };
      return this.setAside(readOnly, `unreadable (${code ?? 'error'})`);
    }
    try {
      const { data, skipped } = decodeStateFile(bytes, deviceId, limits, defaults);
      if (skipped.length) log?.warn('saved state entries skipped', { path: this.path, skipped });
      return { data, source: 'file', skipped };
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return this.setAside(readOnly, e.message);
    }
  }

  private setAside(readOnly: boolean, why: string): LoadResult {
    const result: LoadResult = { data: structuredClone(this.opts.defaults), source: 'defaults', skipped: [] };
    if (readOnly) return result;
    const target = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      renameSync(this.path, target);
      result.movedTo = target;
      this.opts.log?.warn('saved state is corrupt; moved aside, starting with defaults', { path: this.path, movedTo: target, reason: why });
    } catch (e) {
      this.opts.log?.warn('saved state is corrupt and could not be moved aside; starting with defaults', {
        path: this.path, reason: why, error: (e as Error).message,
      });
    }
    return result;
  }

  /** Temp files left by a crash between write and rename hold nothing acknowledged. */
  private removeStaleTemps(): void {
    let names: string[];
    try {
      names = readdirSync(this.opts.dir);
    } catch {
      return;
    }
    for (const n of names) {
      if (n.startsWith(`${STATE_FILE_NAME}.tmp-`)) try { unlinkSync(join(this.opts.dir, n)); } catch { /* raced or gone */ }
    }
  }

  /** Resolves once `data` (or a later snapshot, which includes it) is durably on disk. */
  save(data: DeviceStateData): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.next) this.next.data = data;
      else this.next = { data, waiters: [] };
      this.next.waiters.push({ resolve, reject });
      void this.pump();
    });
  }

  /** Resolves when no write is running or queued (a graceful stop waits for this). */
  async idle(): Promise<void> {
    while (this.writing || this.next) await new Promise((r) => setTimeout(r, 5));
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    while (this.next) {
      const job = this.next;
      this.next = undefined;
      try {
        await this.write(job.data);
        this.writes++;
        for (const w of job.waiters) w.resolve();
      } catch (e) {
        this.opts.log?.error('saving state failed', { path: this.path, error: (e as Error).message });
        for (const w of job.waiters) w.reject(e as Error);
      }
    }
    this.writing = false;
  }

  private async write(data: DeviceStateData): Promise<void> {
    const { dir, deviceId } = this.opts;
    mkdirSync(dir, { recursive: true });
    const bytes = encodeStateFile(deviceId, data);
    const tmp = join(dir, `${STATE_FILE_NAME}.tmp-${process.pid}-${this.tmpCounter++}`);
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await this.opts.beforeRename?.();
    await rename(tmp, this.path);
    // The rename itself is durable only once the directory entry is synced.
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }
}
