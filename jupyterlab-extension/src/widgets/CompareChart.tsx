import * as React from 'react';
import { axisTicks, type ChartPoint, type ChartSeries } from '@primehub-suite/client/compare';

/** The chart's size in SVG units (it scales to the tab's width). */
const WIDTH = 560;
const HEIGHT = 260;
const PAD = { left: 56, right: 16, top: 12, bottom: 40 };

/** A number as an axis tick: short, without float noise. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) {
    return String(n);
  }
  const abs = Math.abs(n);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? n.toExponential(2) : String(Number(n.toPrecision(4)));
}

/**
 * One metric against one parameter as an inline SVG: a point per run (numeric parameters on a
 * linear axis, others one slot per value), the best run's point marked, each point titled with
 * its run, parameter and metric.
 */
export function CompareChart(props: { chart: ChartSeries }): React.ReactElement {
  const { chart } = props;
  const points = chart.points;
  if (points.length === 0) {
    return (
      <div className="jp-primehub-Empty" data-testid="compare-chart-empty">
        No run has both {chart.param ? `parameter ${chart.param}` : 'a parameter'} and{' '}
        {chart.metric ? `metric ${chart.metric}` : 'a metric'}.
      </div>
    );
  }
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  let [yMin, yMax] = chart.yRange ?? [0, 1];
  if (yMin === yMax) {
    // one value: a band around it, so the point sits in the middle
    const d = Math.abs(yMin) * 0.05 || 1;
    [yMin, yMax] = [yMin - d, yMax + d];
  }
  const yOf = (y: number): number => PAD.top + plotH - ((y - yMin) / (yMax - yMin)) * plotH;

  let xOf: (p: ChartPoint) => number;
  let xTicks: Array<{ at: number; label: string }>;
  if (chart.axis === 'numeric') {
    let [xMin, xMax] = chart.xRange ?? [0, 1];
    if (xMin === xMax) {
      const d = Math.abs(xMin) * 0.5 || 1;
      [xMin, xMax] = [xMin - d, xMax + d];
    }
    const scale = (x: number): number => PAD.left + ((x - xMin) / (xMax - xMin)) * plotW;
    xOf = p => scale(Number(p.x));
    const distinct = [...new Set(points.map(p => Number(p.x)))].sort((a, b) => a - b);
    // the values the runs have, when few; else evenly spaced ticks
    xTicks = (distinct.length <= 6 ? distinct : axisTicks(xMin, xMax)).map(x => ({
      at: scale(x),
      label: formatNumber(x)
    }));
  } else {
    const categories = chart.categories;
    const slot = plotW / Math.max(1, categories.length);
    const scale = (x: string): number => PAD.left + slot * (categories.indexOf(x) + 0.5);
    xOf = p => scale(String(p.x));
    xTicks = categories.map(c => ({ at: scale(c), label: c.length > 14 ? `${c.slice(0, 13)}…` : c }));
  }
  // the points of a numeric axis come in the order of x
  const line =
    chart.axis === 'numeric'
      ? points.map((p, i) => `${i ? 'L' : 'M'}${xOf(p).toFixed(1)},${yOf(p.y).toFixed(1)}`).join(' ')
      : '';

  return (
    <svg
      className="jp-primehub-CompareChart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`${chart.metric} against ${chart.param}`}
      data-testid="compare-chart"
    >
      <g className="jp-primehub-ChartGrid">
        {axisTicks(yMin, yMax).map(y => (
          <g key={`y${y}`}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={yOf(y)} y2={yOf(y)} />
            <text x={PAD.left - 6} y={yOf(y)} dy="0.32em" textAnchor="end">
              {formatNumber(y)}
            </text>
          </g>
        ))}
        {xTicks.map(t => (
          <text key={`x${t.at}`} x={t.at} y={HEIGHT - PAD.bottom + 16} textAnchor="middle">
            {t.label}
          </text>
        ))}
      </g>
      <line
        className="jp-primehub-ChartAxis"
        x1={PAD.left}
        x2={WIDTH - PAD.right}
        y1={PAD.top + plotH}
        y2={PAD.top + plotH}
      />
      <line className="jp-primehub-ChartAxis" x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={PAD.top + plotH} />
      <text className="jp-primehub-ChartLabel" x={PAD.left + plotW / 2} y={HEIGHT - 6} textAnchor="middle">
        {chart.param}
      </text>
      <text
        className="jp-primehub-ChartLabel"
        transform={`translate(14 ${PAD.top + plotH / 2}) rotate(-90)`}
        textAnchor="middle"
      >
        {chart.metric}
      </text>
      {line && <path className="jp-primehub-ChartLine" d={line} />}
      {points.map(p => (
        <circle
          key={p.runId}
          className={p.best ? 'jp-primehub-ChartPoint jp-mod-best' : 'jp-primehub-ChartPoint'}
          cx={xOf(p)}
          cy={yOf(p.y)}
          r={p.best ? 6 : 4.5}
          data-run-id={p.runId}
        >
          <title>{`${p.label}: ${chart.param}=${String(p.x)}, ${chart.metric}=${formatNumber(p.y)}${p.best ? ' (best)' : ''}`}</title>
        </circle>
      ))}
    </svg>
  );
}
