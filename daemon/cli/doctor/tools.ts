import { execFile } from 'node:child_process';

/** Run a tool for its version line; undefined when it is missing or fails. Bounded in time. */
export function toolVersion(cmd: string, args: string[], pattern: RegExp): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 5000 }, (err, stdout, stderr) => {
      const text = `${stdout}\n${stderr}`;
      const m = pattern.exec(text);
      resolve(m ? (m[1] ?? m[0]).trim() : err ? undefined : text.split('\n')[0]?.trim());
    });
  });
}
