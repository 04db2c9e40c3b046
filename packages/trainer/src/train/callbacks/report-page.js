// report.html's script, plain JavaScript that the report inlines as it is (beside uPlot's bundle),
// so the page draws offline from one file. It reads the JSON in #report-data (see report-html.ts),
// draws each chart with uPlot, wires the log-scale and smoothing controls, and sets
// <html data-ready> when every chart is drawn.

const HEIGHT = 260;
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04'];
/** Series with at most this many points get a marker on each. */
const MARKER_POINTS = 60;

/**
 * TensorBoard's smoothing: an exponential moving average started at 0 and divided by
 * (1 - weight^n) so the first values are not pulled towards 0. Non-finite values pass through and
 * do not count; a constant series is returned as it is.
 * @param {readonly (number | null)[]} values
 * @param {number} weight in [0, 1): 0 leaves the values as they are
 * @returns {(number | null)[]}
 */
export function emaSmooth(values, weight) {
  const constant = values.every((v) => v === values[0]);
  let last = 0;
  let count = 0;
  return values.map((v) => {
    if (constant || v === null || !Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    count++;
    return weight === 1 ? v : last / (1 - weight ** count);
  });
}

const significant = new Intl.NumberFormat('en', { maximumSignificantDigits: 4 });

/** @param {number | null | undefined} v */
function format(v) {
  if (v === null || v === undefined) return '–';
  const magnitude = Math.abs(v);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)
    ? v.toExponential(2)
    : significant.format(v);
}

/**
 * An axis label; a log axis has a tick at every 1..9 x 10^k, and labels only 1, 2 and 5 x 10^k.
 * @param {number | null} t
 * @param {boolean} log
 */
function tickLabel(t, log) {
  if (t === null) return '';
  const leading = Math.round(t / 10 ** Math.floor(Math.log10(t)));
  return !log || leading === 1 || leading === 2 || leading === 5 ? format(t) : '';
}

/**
 * One chart in a <figure> appended to `parent`, as wide as the figure (redrawn when it resizes).
 * `spec.lines`: { label, values, color, width?, faint?, markers? }; `spec.log`: log10 y axis.
 */
function lineChart(parent, spec) {
  const figure = parent.appendChild(document.createElement('figure'));
  figure.className = 'chart';
  figure.dataset.chart = spec.title;
  /** @type {any} */
  let plot;
  let width = 0;
  const options = () => ({
    title: spec.title,
    width: figure.clientWidth,
    height: HEIGHT,
    cursor: { sync: { key: 'steps' } },
    legend: { live: true },
    scales: {
      x: {
        time: false,
        range: (_u, lo, hi) => [Math.min(0, lo), Math.max(spec.lastStep, hi, lo + 1)],
      },
      y: spec.log ? { distr: 3, log: 10 } : {},
    },
    axes: [
      { label: 'step' },
      { size: 64, values: (_u, ticks) => ticks.map((t) => tickLabel(t, spec.log)) },
    ],
    series: [
      { label: 'step', value: (_u, v) => (v === null ? '–' : String(v)) },
      ...spec.lines.map((line) => ({
        label: line.label,
        stroke: line.faint ? `${line.color}55` : line.color,
        width: line.width ?? 1.5,
        value: (_u, v) => format(v),
        points: line.markers
          ? { show: true, size: 7, fill: line.color, stroke: line.color }
          : { show: false },
      })),
    ],
  });
  const data = () => [spec.x, ...spec.lines.map((line) => line.values)];
  const draw = () => {
    plot?.destroy();
    width = figure.clientWidth;
    plot = new uPlot(options(), data(), figure);
  };
  draw();
  new ResizeObserver(() => {
    if (figure.clientWidth !== width) {
      width = figure.clientWidth;
      plot.setSize({ width, height: HEIGHT });
    }
  }).observe(figure);
  return {
    redraw: draw,
    update: () => plot.setData(data()),
  };
}

function drawTraining(data, parent) {
  const { steps, loss, learning_rate } = data.training;
  if (steps.length === 0) return;
  const markers = steps.length <= MARKER_POINTS;
  const smoothing = /** @type {HTMLInputElement} */ (document.getElementById('smoothing'));
  const smoothingShown = /** @type {HTMLOutputElement} */ (
    document.getElementById('smoothing-value')
  );
  const logScale = /** @type {HTMLInputElement} */ (document.getElementById('loss-log'));
  const smoothed = { label: 'smoothed', values: [], color: COLORS[0], width: 2 };
  const smooth = () => {
    smoothed.values = emaSmooth(loss, Number(smoothing.value));
    smoothingShown.value = smoothing.value;
  };
  smooth();
  const base = { x: steps, lastStep: data.lastStep };
  const lossSpec = {
    ...base,
    title: 'training loss',
    log: logScale.checked,
    lines: [{ label: 'loss', values: loss, color: COLORS[0], faint: true, markers }, smoothed],
  };
  const lossChart = lineChart(parent, lossSpec);
  lineChart(parent, {
    ...base,
    title: 'learning rate',
    lines: [{ label: 'learning_rate', values: learning_rate, color: COLORS[1], markers }],
  });
  smoothing.addEventListener('input', () => {
    smooth();
    lossChart.update();
  });
  logScale.addEventListener('change', () => {
    lossSpec.log = logScale.checked;
    lossChart.redraw();
  });
}

function drawEvaluations(data, parent) {
  data.evalCurves.forEach((series, i) => {
    lineChart(parent, {
      title: series.name,
      x: series.steps,
      lastStep: data.lastStep,
      lines: [
        {
          label: series.name,
          values: series.values,
          color: COLORS[(i + 2) % COLORS.length],
          markers: series.values.length <= MARKER_POINTS,
        },
      ],
    });
  });
}

function main() {
  const data = JSON.parse(document.getElementById('report-data')?.textContent ?? '{}');
  drawTraining(data, document.getElementById('training-charts'));
  drawEvaluations(data, document.getElementById('eval-charts'));
  document.documentElement.dataset.ready = 'true';
}

// Only in the page: a test imports emaSmooth in Node.
if (typeof document !== 'undefined') main();
