import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../drivers/clock.js';

const CACHE_MS = 5000;
const MB = 1024 * 1024;

export interface FloorChange {
  paused: boolean;
  freeMb: number;
  minFreeMb: number;
}

/**
 * The disk-space floor under the data dir: below `minFreeMb` free, new recordings pause (calls go
 * on). statfs is cached for 5 s so asking on every call costs nothing; `onChange` hears each
 * transition once (paused, then resumed).
 */
export class DiskFloor {
  private checkedAt = -Infinity;
  private ok = true;

  constructor(
    private readonly dir: string,
    private minFreeMb: number,
    private readonly clock: Clock,
    private readonly onChange: (c: FloorChange) => void,
  ) {}

  canRecord(): boolean {
    const now = this.clock.monotonic();
    if (now - this.checkedAt < CACHE_MS) return this.ok;
    this.checkedAt = now;
    const freeMb = freeMbUnder(this.dir);
    const ok = freeMb >= this.minFreeMb;
    if (ok !== this.ok) {
      this.ok = ok;
      this.onChange({ paused: !ok, freeMb, minFreeMb: this.minFreeMb });
    }
    return ok;
  }

  /** A new floor applies at the next check (the cache is dropped). */
  setMinFreeMb(mb: number): void {
    this.minFreeMb = mb;
    this.checkedAt = -Infinity;
  }
}

/** Free MB for unprivileged users on the file system holding `dir` (or its nearest existing parent). */
export function freeMbUnder(dir: string): number {
  for (let d = dir; ; d = dirname(d)) {
    try {
      const s = statfsSync(d);
      return Math.floor((s.bavail * s.bsize) / MB);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) throw err;
    }
  }
}
