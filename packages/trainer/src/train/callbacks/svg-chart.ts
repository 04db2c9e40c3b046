import { formatNumber } from './format.js';

export interface ChartSeries {
  readonly name: string;
  /** [x, y] points in x order; non-finite y values are left out. */
  readonly points: readonly (readonly [number, number])[];
}

const WIDTH = 480;
const HEIGHT = 240;
const PAD = { left: 56, right: 12, top: 28, bottom: 32 };
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];

/**
 * A line chart as inline SVG: one polyline per series over shared axes, with the x and y ranges
 * labelled at their ends and a legend when there are several series. No chart library: the report
 * stays one self-contained file.
 */
export function lineChart(title: string, series: readonly ChartSeries[], xLabel = 'step'): string {
  const finite = series.map((s) => ({
    ...s,
    points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)),
  }));
  const all = finite.flatMap((s) => s.points);
  const head = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeXml(title)}">`;
  const caption = `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`;
  if (all.length === 0)
    return `${head}${caption}<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle" font-size="12">no data</text></svg>`;
  const [x0, x1] = range(all.map(([x]) => x));
  const [y0, y1] = range(all.map(([, y]) => y));
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (WIDTH - PAD.left - PAD.right);
  const py = (y: number) =>
    HEIGHT - PAD.bottom - ((y - y0) / (y1 - y0)) * (HEIGHT - PAD.top - PAD.bottom);
  const bottom = HEIGHT - PAD.bottom;
  const right = WIDTH - PAD.right;
  const axes =
    `<path d="M${PAD.left} ${PAD.top}V${bottom}H${right}" fill="none" stroke="#888"/>` +
    label(PAD.left - 4, PAD.top + 4, formatNumber(y1), 'end') +
    label(PAD.left - 4, bottom, formatNumber(y0), 'end') +
    label(PAD.left, bottom + 14, formatNumber(x0), 'start') +
    label(right, bottom + 14, formatNumber(x1), 'end') +
    label((PAD.left + right) / 2, bottom + 26, xLabel, 'middle');
  const lines = finite
    .map((s, i) => {
      const color = COLORS[i % COLORS.length];
      const pts = s.points.map(([x, y]) => `${round(px(x))},${round(py(y))}`).join(' ');
      const dots =
        s.points.length === 1
          ? `<circle cx="${round(px(s.points[0][0]))}" cy="${round(py(s.points[0][1]))}" r="3" fill="${color}"/>`
          : '';
      return `<polyline class="series" data-name="${escapeXml(s.name)}" fill="none" stroke="${color}" stroke-width="1.5" points="${pts}"/>${dots}`;
    })
    .join('');
  const legend =
    finite.length > 1
      ? finite
          .map(
            (s, i) =>
              `<text x="${right}" y="${PAD.top + 12 * i}" text-anchor="end" font-size="11" fill="${COLORS[i % COLORS.length]}">${escapeXml(s.name)}</text>`,
          )
          .join('')
      : '';
  return `${head}${caption}${axes}${lines}${legend}</svg>`;
}

/** [min, max], widened when flat so the chart has a height. */
function range(values: readonly number[]): [number, number] {
  // a loop, not Math.min(...values): long runs have more points than a call takes arguments
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi > lo) return [lo, hi];
  const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
  return [lo - pad, hi + pad];
}

function label(x: number, y: number, text: string, anchor: 'start' | 'middle' | 'end'): string {
  return `<text x="${round(x)}" y="${round(y)}" text-anchor="${anchor}" font-size="11" fill="#444">${escapeXml(text)}</text>`;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Escapes text for XML and HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
