/**
 * The external tools of sound generation (espeak-ng, sox), run with execFile (no shell: prompt texts
 * are arguments, never shell words) and turned into typed errors that name the tool and the fix.
 */
import { execFile } from 'node:child_process';
import { CodedError } from '../../drivers/coded-error.js';

export type SoundsErrorCode = 'SOUNDS_TOOL_MISSING' | 'SOUNDS_TOOL_FAILED' | 'SOUNDS_BAD_OUTPUT' | 'SOUNDS_BAD_ARGS';

export class SoundsError extends CodedError<SoundsErrorCode> {}

export type ToolName = 'espeak-ng' | 'sox';

const INSTALL_HINT = 'install the tools with: apt-get install espeak-ng sox libsox-fmt-all';

export interface ToolOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Run one tool to completion; rejects with SOUNDS_TOOL_MISSING or SOUNDS_TOOL_FAILED. */
export function runTool(tool: ToolName, args: readonly string[], timeoutMs = 60_000): Promise<ToolOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      tool,
      args,
      // A fixed C locale keeps tool messages (and anything locale-dependent) the same on every box.
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } },
      (err, stdout, stderr) => {
        if (!err) {
          resolve({ stdout, stderr });
          return;
        }
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(new SoundsError('SOUNDS_TOOL_MISSING', `${tool} is not installed (not found on PATH); ${INSTALL_HINT}`, { cause: err }));
          return;
        }
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        const how = err.killed ? `was killed after ${timeoutMs} ms` : `exited with ${String(code ?? err.signal ?? 'error')}`;
        reject(
          new SoundsError(
            'SOUNDS_TOOL_FAILED',
            `${tool} ${how}: ${tail || err.message} (args: ${args.join(' ')}); check the tool works, or ${INSTALL_HINT}`,
            { cause: err },
          ),
        );
      },
    );
  });
}

export interface ToolVersions {
  readonly espeak: string;
  readonly sox: string;
}

/** First line of each tool's version output: part of every cache key, so a tool upgrade rebuilds. */
export async function toolVersions(): Promise<ToolVersions> {
  const [espeak, sox] = await Promise.all([runTool('espeak-ng', ['--version']), runTool('sox', ['--version'])]);
  // espeak-ng appends its data path ("Data at: ..."): not part of the version, and install-specific.
  const first = (out: ToolOutput): string =>
    ((out.stdout.trim() || out.stderr.trim()).split('\n')[0] ?? '').replace(/\s*Data at:.*$/, '').replace(/\s+/g, ' ').trim();
  return { espeak: first(espeak), sox: first(sox) };
}
