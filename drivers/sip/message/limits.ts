/** Bounds on what the parser accepts, so no message can make it work or hold memory without end. */
export interface ParserLimits {
  /** Whole message, head plus body, in bytes (a UDP datagram holds at most 65,507). */
  maxMessageSize: number;
  /** Header field lines (a folded header counts once). */
  maxHeaders: number;
  /** One physical line of the head, in bytes, without its CRLF. */
  maxLineLength: number;
}

export const DEFAULT_LIMITS: Readonly<ParserLimits> = Object.freeze({
  maxMessageSize: 64 * 1024,
  maxHeaders: 256,
  maxLineLength: 8 * 1024,
});

export function resolveLimits(opts: Partial<ParserLimits> | undefined): ParserLimits {
  return {
    maxMessageSize: opts?.maxMessageSize ?? DEFAULT_LIMITS.maxMessageSize,
    maxHeaders: opts?.maxHeaders ?? DEFAULT_LIMITS.maxHeaders,
    maxLineLength: opts?.maxLineLength ?? DEFAULT_LIMITS.maxLineLength,
  };
}
