/**
 * The one base error of the code base: every layer subclasses it with its own literal union of
 * codes (see docs/errors.md), so callers branch on `code`, never on message text.
 */
export class CodedError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Narrow an unknown thrown value to a CodedError carrying one of the given codes. */
export function hasCode<C extends string>(err: unknown, ...codes: C[]): err is CodedError<C> {
  return err instanceof CodedError && (codes.length === 0 || codes.includes(err.code as C));
}

/** Message of any thrown value, for log lines and one-line CLI errors. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
