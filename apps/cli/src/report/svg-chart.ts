/**
 * Inline SVG charts for report.html. Hand-written on purpose: the report must open offline with no
 * network fetch and no script, and a chart library would either be fetched at view time or inlined as a
 * large script; a line chart and a bar chart are a few dozen lines of SVG.
 */

export interface Series {
  name: string;
  points: readonly { x: number; y: number }[];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Fixed axis ranges; default: the data's range (y from 0). */
  x?: [number, number];
  y?: [number, number];
  logX?: boolean;
  /** Draw the y = x diagonal (ROC chance line). */
  diagonal?: boolean;
}

const W = 560;
const H = 300;
const M = { left: 56, right: 16, top: 28, bottom: 44 };
export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"];

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

function ticks(lo: number, hi: number, n = 5): number[] {
  if (hi === lo) return [lo];
  return Array.from({ length: n + 1 }, (_v, i) => lo + ((hi - lo) * i) / n);
}

function frame(title: string, xLabel: string, yLabel: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(title)}">` +
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(title)}</text>` +
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle" font-size="11">${escapeXml(xLabel)}</text>` +
    `<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="11">${escapeXml(yLabel)}</text>` +
    body +
    `</svg>`
  );
}

export function lineChart(series: readonly Series[], options: LineChartOptions): string {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const tx = (v: number) => (options.logX ? Math.log10(Math.max(v, 1e-12)) : v);
  const [x0, x1] = options.x ?? [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = options.y ?? [Math.min(0, ...ys), Math.max(...ys, 1e-9)];
  const px = (v: number) => M.left + ((tx(v) - tx(x0)) / (tx(x1) - tx(x0) || 1)) * (W - M.left - M.right);
  const py = (v: number) => H - M.bottom - ((v - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);
  const xTicks = options.logX ? [...new Set(xs)].sort((a, b) => a - b) : ticks(x0, x1);
  let body = `<g font-size="10" stroke="#ccc">`;
  for (const t of ticks(y0, y1))
    body += `<line x1="${M.left}" x2="${W - M.right}" y1="${py(t)}" y2="${py(t)}"/><text x="${M.left - 4}" y="${py(t) + 3}" text-anchor="end" stroke="none">${fmt(t)}</text>`;
  for (const t of xTicks)
    body += `<text x="${px(t)}" y="${H - M.bottom + 14}" text-anchor="middle" stroke="none">${fmt(t)}</text>`;
  body += `</g>`;
  if (options.diagonal)
    body += `<line x1="${px(x0)}" y1="${py(y0)}" x2="${px(x1)}" y2="${py(y1)}" stroke="#999" stroke-dasharray="4 3"/>`;
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const d = s.points
      .map((p, j) => `${j === 0 ? "M" : "L"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`)
      .join("");
    body += `<path class="series" d="${d}" fill="none" stroke="${color}" stroke-width="2"><title>${escapeXml(s.name)}</title></path>`;
    body += `<g><rect x="${M.left + 8}" y="${M.top + 4 + i * 14}" width="10" height="10" fill="${color}"/><text x="${M.left + 22}" y="${M.top + 13 + i * 14}" font-size="11">${escapeXml(s.name)}</text></g>`;
  });
  return frame(options.title, options.xLabel, options.yLabel, body);
}

/** One bar per value, in the order given (a per-query delta plot: gains above the axis, losses below). */
export function barChart(
  values: readonly number[],
  options: { title: string; xLabel: string; yLabel: string },
): string {
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values, 1e-9);
  const py = (v: number) => H - M.bottom - ((v - lo) / (hi - lo || 1)) * (H - M.top - M.bottom);
  const width = (W - M.left - M.right) / Math.max(values.length, 1);
  let body = `<g font-size="10" stroke="#ccc">`;
  for (const t of ticks(lo, hi, 4))
    body += `<line x1="${M.left}" x2="${W - M.right}" y1="${py(t)}" y2="${py(t)}"/><text x="${M.left - 4}" y="${py(t) + 3}" text-anchor="end" stroke="none">${fmt(t)}</text>`;
  body += `</g>`;
  values.forEach((v, i) => {
    const top = py(Math.max(v, 0));
    const height = Math.max(Math.abs(py(v) - py(0)), v === 0 ? 0 : 1);
    const color = v > 0 ? "#2ca02c" : v < 0 ? "#d62728" : "#999";
    body += `<rect class="bar" x="${(M.left + i * width).toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(width - 1, 0.5).toFixed(1)}" height="${height.toFixed(1)}" fill="${color}"/>`;
  });
  body += `<line x1="${M.left}" x2="${W - M.right}" y1="${py(0)}" y2="${py(0)}" stroke="#333"/>`;
  return frame(options.title, options.xLabel, options.yLabel, body);
}
