// A Markdown table as prettier lays it out (cells padded to their column's width, `| --- |`
// separators), so what the benches write into RESULTS.md passes `npm run lint:format` as written.

/** The table of `head` and `rows` (every row as many cells as `head`). */
export function markdownTable(head: string[], rows: string[][]): string {
  const width = head.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
