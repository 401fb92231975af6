/**
 * The shape every benchmark section returns, and its printing. Each section
 * measures its candidates side by side in one run and states its target as a
 * ratio against a baseline measured in the same run.
 *
 * @module
 */

/** One measured candidate. */
export interface BenchRow {
  /** What was measured, e.g. `pull (reference)`. */
  name: string;
  /** Median wall time in ms over `samples` runs. */
  medianMs: number;
  /** Number of timed runs (after warm-up). */
  samples: number;
  /** Ratio to the section's baseline row, when the row is compared. */
  ratio?: number;
  /** Highest acceptable ratio (or ms, when `unit` is `ms`), when the row has a target. */
  target?: number;
  /** What `target` bounds: the ratio (default) or the median in ms. */
  unit?: "ratio" | "ms";
}

/** One benchmark section: a baseline and the rows compared to it. */
export interface BenchTable {
  title: string;
  /** Name of the baseline row. */
  baseline?: string;
  rows: BenchRow[];
  /** Free-form notes printed under the table (how it was measured). */
  notes?: string[];
  /** A table of its own, printed after the rows, for a section whose results are not times. */
  grid?: { header: string[]; rows: string[][] };
  /** Rows of the grid whose targets were missed. */
  failedTargets?: string[];
}

/** Whether a row meets its target (rows without a target always do). */
export function meetsTarget(row: BenchRow): boolean {
  if (row.target === undefined) return true;
  const value = row.unit === "ms" ? row.medianMs : row.ratio;
  return value !== undefined && value <= row.target;
}

/** The median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("Cannot take the median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Renders a section as aligned text. */
export function formatTable(table: BenchTable): string {
  const header = ["candidate", "median ms", "samples", "ratio", "target", "ok"];
  const lines = table.rows.map((row) => [
    row.name,
    row.medianMs.toFixed(1),
    String(row.samples),
    row.ratio === undefined ? "-" : `${row.ratio.toFixed(2)}x`,
    row.target === undefined
      ? "-"
      : row.unit === "ms"
      ? `<= ${row.target} ms`
      : `<= ${row.target}x`,
    meetsTarget(row) ? "yes" : "NO",
  ]);
  const out = [`## ${table.title}`];
  if (lines.length > 0) out.push(...aligned(header, lines));
  if (table.grid !== undefined) out.push(...aligned(table.grid.header, table.grid.rows));
  for (const note of table.notes ?? []) out.push(`  ${note}`);
  return out.join("\n");
}

/** A header, a rule and the rows, each column padded to its widest cell. */
function aligned(header: readonly string[], lines: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: readonly string[]) =>
    cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...lines.map(fmt)];
}
