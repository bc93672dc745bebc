/** Plain-text tables for terminal output: aligned columns, numbers right-aligned. */

/** A cell: text, or a number formatted with `digits` decimals. */
export type Cell = string | number;

/**
 * Renders rows under a header as an aligned table.
 * @param header - column titles
 * @param rows - one array of cells per row, same length as `header`
 * @param digits - decimals for numeric cells, default 2
 */
export function renderTable(header: readonly string[], rows: readonly (readonly Cell[])[], digits = 2): string {
  const text = rows.map((row) => row.map((c) => (typeof c === 'number' ? formatNumber(c, digits) : c)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

function formatNumber(n: number, digits: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n)
    ? n.toLocaleString('en-US')
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
