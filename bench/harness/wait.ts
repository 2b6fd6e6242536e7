import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `get` every `everyMs` until `done` holds or `ms` pass; returns the last value (the caller judges it). */
export async function waitFor<T>(get: () => T | Promise<T>, done: (v: T) => boolean, ms: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await get();
  while (!done(v) && Date.now() < deadline) {
    await sleep(everyMs);
    v = await get();
  }
  return v;
}
