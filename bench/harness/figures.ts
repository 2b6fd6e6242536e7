/** The p-th percentile (nearest rank) of `xs`; NaN when there are none. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

/** One row of a Markdown table. */
export function tableRow(cells: Array<string | number>): string {
  return `| ${cells.join(' | ')} |\n`;
}
