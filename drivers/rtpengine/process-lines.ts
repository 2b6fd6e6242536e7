import type { Readable } from 'node:stream';
import type { Logger } from 'pino';

/** rtpengine's stderr line → pino level: its own levels are syslog names after the timestamp. */
export function levelOf(line: string): 'error' | 'warn' | 'debug' {
  if (/\b(ERR|ERROR|CRIT|ALERT|EMERG)\b/.test(line)) return 'error';
  if (/\bWARNING\b/.test(line)) return 'warn';
  return 'debug';
}

/**
 * Forward a child's output to the log line by line and keep the last lines, so a failed start can
 * say what rtpengine said.
 */
export class OutputTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly max = 20) {}

  attach(stream: Readable, log: Logger): void {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      for (const line of parts) this.push(line, log);
    });
  }

  text(): string {
    return this.lines.join('\n');
  }

  private push(line: string, log: Logger): void {
    if (!line.trim()) return;
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
    log[levelOf(line)]({ rtpengine: line }, 'rtpengine');
  }
}
