import { CodedError, errorMessage } from '../../drivers/coded-error.js';

/**
 * Every command's action goes through here: a known error is one clear line and exit code 1;
 * anything else is a bug, printed with its stack.
 */
export async function run(action: () => Promise<void | number>): Promise<void> {
  try {
    const code = await action();
    if (typeof code === 'number') process.exitCode = code;
  } catch (err) {
    if (err instanceof CodedError) process.stderr.write(`octoline: ${errorMessage(err)}\n`);
    else process.stderr.write(`octoline: unexpected error (please report): ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
