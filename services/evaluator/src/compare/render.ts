/**
 * Renderings of a ComparisonTable: aligned plain text (terminals, logs), GitHub Markdown (reports), and a
 * JSON-safe object (NaN p-values become null).
 */
import type { ComparisonCell, ComparisonTable } from "./comparison-table.js";

export interface RenderOptions {
  /** Decimal places for means; default 4. */
  digits?: number;
}

function systemLabel(system: string, isBaseline: boolean): string {
  return isBaseline ? `${system} (baseline)` : system;
}

function cellText(cell: ComparisonCell | undefined, digits: number): string {
  if (cell === undefined) return "";
  return `${cell.mean.toFixed(digits)}${cell.marker === "" ? " " : cell.marker}`;
}

export function renderComparisonText(table: ComparisonTable, options: RenderOptions = {}): string {
  const digits = options.digits ?? 4;
  // Numeric headers get the marker slot too, so they line up with the digits below them.
  const header = ["system", ...table.measures.map((m) => `${m} `)];
  const body = table.rows.map((row) => [
    systemLabel(row.system, row.isBaseline),
    ...table.measures.map((m) => cellText(row.cells[m], digits)),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => (r[c] as string).length)));
  // First column left-aligned, numbers right-aligned (the marker slot keeps the digits lined up).
  const line = (cells: string[]) =>
    cells
      .map((text, c) => (c === 0 ? text.padEnd(widths[c] as number) : text.padStart(widths[c] as number)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...body.map(line), "", table.legend, ""].join("\n");
}

function escapeMarkdown(text: string): string {
  return text.replace(/[|\\`*_]/g, (ch) => `\\${ch}`);
}

export function renderComparisonMarkdown(table: ComparisonTable, options: RenderOptions = {}): string {
  const digits = options.digits ?? 4;
  const header = `| system | ${table.measures.map(escapeMarkdown).join(" | ")} |`;
  const align = `| :--- | ${table.measures.map(() => "---:").join(" | ")} |`;
  const rows = table.rows.map((row) => {
    const name = row.isBaseline ? `${escapeMarkdown(row.system)} (baseline)` : escapeMarkdown(row.system);
    const cells = table.measures.map((m) => {
      const cell = row.cells[m];
      return cell === undefined ? "" : `${cell.mean.toFixed(digits)}${cell.marker}`;
    });
    return `| ${name} | ${cells.join(" | ")} |`;
  });
  return [header, align, ...rows, "", table.legend, ""].join("\n");
}

const finiteOrNull = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : x);

export interface ComparisonJson {
  baseline: string;
  measures: string[];
  test: string;
  alpha: number;
  correction: string;
  queries: number;
  legend: string;
  systems: Array<{
    name: string;
    isBaseline: boolean;
    measures: Record<
      string,
      Omit<ComparisonCell, "pValue" | "adjustedPValue"> & {
        pValue: number | null;
        adjustedPValue: number | null;
      }
    >;
  }>;
}

/** A plain, JSON-serializable copy of the table (non-finite numbers become null). */
export function comparisonToJson(table: ComparisonTable): ComparisonJson {
  return {
    baseline: table.baseline,
    measures: [...table.measures],
    test: table.test,
    alpha: table.alpha,
    correction: table.correction,
    queries: table.queries,
    legend: table.legend,
    systems: table.rows.map((row) => ({
      name: row.system,
      isBaseline: row.isBaseline,
      measures: Object.fromEntries(
        Object.entries(row.cells).map(([m, cell]) => [
          m,
          { ...cell, pValue: finiteOrNull(cell.pValue), adjustedPValue: finiteOrNull(cell.adjustedPValue) },
        ]),
      ),
    })),
  };
}
