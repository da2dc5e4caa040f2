/**
 * The Compare webview's markup, made on the extension host from the view state (plain data) and
 * sent to the webview by message; the webview's script only shows it and posts back what the user
 * clicks (`data-action`). No `vscode` import: it is tested under jest.
 */
import {
  axisTicks,
  type ChartSeries,
  type CompareColumn,
  type CompareRow,
  type SortKey
} from '@primehub-suite/client/compare';
import type { CompareViewState } from '../../compare/CompareModel';
import { formatMetric } from '../../models/runs';
import { attr, escapeHtml } from '../webviewPage';

const icon = (name: string, label?: string): string =>
  label
    ? `<span class="codicon codicon-${name}" role="img" aria-label=${attr(label)}></span>`
    : `<span class="codicon codicon-${name}" aria-hidden="true"></span>`;

/** A metric's value as the table shows it (four significant digits, integers whole). */
export const formatValue = formatMetric;

function sameKey(a: SortKey | undefined, b: SortKey): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function header(view: CompareViewState, key: SortKey, label: string, extra = '', cls = ''): string {
  const sorted = sameKey(view.sort?.key, key) ? view.sort!.order : undefined;
  const aria = sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none';
  const arrow = sorted ? icon(sorted === 'asc' ? 'triangle-up' : 'triangle-down') : '';
  return (
    `<th scope="col" aria-sort="${aria}" class=${attr(`sortable ${cls}`.trim())}>` +
    `<button class="sort" data-action="sort" data-key=${attr(JSON.stringify(key))} title=${attr(`Sort by ${label}`)}>` +
    `<span class="label">${escapeHtml(label)}</span>${arrow}</button>${extra}</th>`
  );
}

function metricHeader(view: CompareViewState, m: CompareColumn): string {
  const lower = m.direction === 'min';
  const flip =
    `<button class="flip" data-action="flip" data-metric=${attr(m.key)} ` +
    `title=${attr(`${lower ? 'Lower' : 'Higher'} is better for ${m.key}: click to flip`)}>` +
    `${icon(lower ? 'arrow-down' : 'arrow-up', lower ? 'lower is better' : 'higher is better')}</button>`;
  return header(view, { kind: 'metric', key: m.key }, m.key, flip, 'metric');
}

function cell(row: CompareRow, col: CompareColumn): string {
  if (col.kind === 'param') {
    const v = row.params[col.key];
    return v === undefined
      ? '<td class="missing">–</td>'
      : `<td class=${attr(col.numeric ? 'num' : '')} title=${attr(v)}>${escapeHtml(v)}</td>`;
  }
  const v = row.metrics[col.key];
  if (v === undefined) {
    return '<td class="missing num">–</td>';
  }
  const best = col.bestRunIds?.includes(row.runId);
  return best
    ? `<td class="num best" title=${attr(`${v} (best ${col.key})`)}>${icon('star-full', 'best')} ${escapeHtml(formatValue(v))}</td>`
    : `<td class="num" title=${attr(String(v))}>${escapeHtml(formatValue(v))}</td>`;
}

function table(view: CompareViewState): string {
  // the parameters that differ (a sweep's), then the metrics compared, then what all runs share
  const varied = view.params.filter(p => p.differs);
  const same = view.params.filter(p => !p.differs);
  const cols = [...varied, ...view.metrics, ...same];
  const group = (cs: CompareColumn[], label: string): string =>
    cs.length ? `<th colspan="${cs.length}" class="group">${label}</th>` : '';
  const groups =
    `<tr class="groups"><th colspan="3"></th>` +
    group(varied, 'Parameters') +
    group(view.metrics, 'Metrics') +
    group(same, varied.length ? 'Same in every run' : 'Parameters') +
    '</tr>';
  const paramHeader = (p: CompareColumn): string => header(view, { kind: 'param', key: p.key }, p.key, '', 'param');
  const heads =
    '<tr>' +
    header(view, { kind: 'job' }, 'Job') +
    header(view, { kind: 'run' }, 'Run') +
    header(view, { kind: 'status' }, 'Status') +
    varied.map(paramHeader).join('') +
    view.metrics.map(m => metricHeader(view, m)).join('') +
    same.map(paramHeader).join('') +
    '</tr>';
  const rows = view.rows
    .map(r => {
      const job = r.jobId
        ? `<a href="#" data-action="openJob" data-job=${attr(r.jobId)} title=${attr(`Job ${r.jobId}`)}>${escapeHtml(r.jobName ?? r.jobId)}</a>`
        : '<span class="missing">–</span>';
      // a notebook job's run is named as its job: its id tells it apart then
      const runLabel = r.runName === r.jobName ? r.runId.slice(0, 8) : r.runName;
      const run =
        `<a href="#" data-action="openRun" data-run=${attr(r.runId)} title=${attr(`Open run ${r.runName} (${r.runId}) in the MLflow UI`)}>` +
        `${escapeHtml(runLabel)}</a>`;
      const status = r.status ?? '';
      return (
        `<tr data-run=${attr(r.runId)}${r.runId === view.best?.runId ? ' class="best-run"' : ''}>` +
        `<td class="job">${job}</td><td class="run">${run}</td>` +
        `<td class=${attr(`status ${status.toLowerCase()}`)}>${escapeHtml(status)}</td>` +
        cols.map(c => cell(r, c)).join('') +
        '</tr>'
      );
    })
    .join('');
  return `<table class="data compare" aria-label="Runs compared"><thead>${groups}${heads}</thead><tbody>${rows}</tbody></table>`;
}

/** The chart as SVG: a metric (y) against a parameter (x), the best run's point marked. */
export function chartSvg(series: ChartSeries, width = 640, height = 320): string {
  const m = { left: 64, right: 24, top: 16, bottom: 48 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const title = `${series.metric} against ${series.param}`;
  if (series.points.length === 0) {
    return `<p class="note">No run has both ${escapeHtml(series.param)} and ${escapeHtml(series.metric)}.</p>`;
  }
  const pad = ([lo, hi]: [number, number]): [number, number] => {
    const span = hi - lo || Math.abs(hi) || 1;
    return [lo - span * 0.08, hi + span * 0.08];
  };
  const [y0, y1] = pad(series.yRange!);
  const yAt = (v: number): number => m.top + h - ((v - y0) / (y1 - y0)) * h;
  let xAt: (p: number | string) => number;
  let xTicks: Array<{ at: number; label: string }>;
  if (series.axis === 'numeric') {
    const [x0, x1] = pad(series.xRange!);
    xAt = v => m.left + (((v as number) - x0) / (x1 - x0)) * w;
    xTicks = axisTicks(x0, x1).map(t => ({ at: xAt(t), label: formatValue(t) }));
  } else {
    const band = w / series.categories.length;
    xAt = v => m.left + band * (series.categories.indexOf(String(v)) + 0.5);
    xTicks = series.categories.map(c => ({ at: xAt(c), label: c }));
  }
  const yTicks = axisTicks(y0, y1).map(t => ({ at: yAt(t), label: formatValue(t) }));
  const grid = yTicks
    .map(
      t =>
        `<line class="grid" x1="${m.left}" x2="${m.left + w}" y1="${t.at.toFixed(1)}" y2="${t.at.toFixed(1)}"/>` +
        `<text class="tick" x="${m.left - 8}" y="${(t.at + 4).toFixed(1)}" text-anchor="end">${escapeHtml(t.label)}</text>`
    )
    .join('');
  const xAxis = xTicks
    .map(
      t =>
        `<line class="axis" x1="${t.at.toFixed(1)}" x2="${t.at.toFixed(1)}" y1="${m.top + h}" y2="${m.top + h + 4}"/>` +
        `<text class="tick" x="${t.at.toFixed(1)}" y="${m.top + h + 18}" text-anchor="middle">${escapeHtml(t.label)}</text>`
    )
    .join('');
  const line =
    series.axis === 'numeric' && series.points.length > 1
      ? `<polyline class="series" points="${series.points.map(p => `${xAt(p.x).toFixed(1)},${yAt(p.y).toFixed(1)}`).join(' ')}"/>`
      : '';
  const dots = series.points
    .map(p => {
      const x = xAt(p.x).toFixed(1);
      const y = yAt(p.y).toFixed(1);
      const tip = `${p.label}: ${series.param}=${p.x}, ${series.metric}=${formatValue(p.y)}${p.best ? ' (best)' : ''}`;
      return `<circle class=${attr(p.best ? 'point best' : 'point')} cx="${x}" cy="${y}" r="${p.best ? 7 : 5}" data-run=${attr(p.runId)}><title>${escapeHtml(tip)}</title></circle>`;
    })
    .join('');
  return (
    `<svg class="chart" role="img" aria-label=${attr(title)} viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `<title>${escapeHtml(title)}</title>${grid}` +
    `<line class="axis" x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${m.top + h}"/>` +
    `<line class="axis" x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + h}"/>` +
    `${xAxis}${line}${dots}` +
    `<text class="axis-label" x="${m.left + w / 2}" y="${height - 8}" text-anchor="middle">${escapeHtml(series.param)}</text>` +
    `<text class="axis-label" transform="rotate(-90)" x="${-(m.top + h / 2)}" y="14" text-anchor="middle">${escapeHtml(series.metric)}</text>` +
    '</svg>'
  );
}

function select(axis: 'metric' | 'param', keys: string[], chosen: string | undefined, label: string): string {
  const options = keys
    .map(k => `<option value=${attr(k)}${k === chosen ? ' selected' : ''}>${escapeHtml(k)}</option>`)
    .join('');
  return `<label>${escapeHtml(label)} <select data-action="chart" data-axis="${axis}">${options}</select></label>`;
}

/** The body of the Compare view (inside `#root`). */
export function compareBody(view: CompareViewState): string {
  const parts: string[] = [`<h1>${escapeHtml(view.title)}</h1>`];
  if (view.status === 'loading') {
    parts.push(
      `<p class="note">${icon('loading codicon-modifier-spin')} Looking for the MLflow runs of these jobs…</p>`
    );
    return parts.join('');
  }
  if (view.status !== 'ready') {
    parts.push(
      `<p class="note ${view.status === 'error' ? 'error' : ''}">${icon(view.status === 'error' ? 'error' : 'info')} ${escapeHtml(view.message ?? '')}</p>`,
      `<p><button class="secondary" data-action="refresh">${icon('refresh')} Try Again</button></p>`
    );
    return parts.join('');
  }
  const n = view.rows.length;
  const toolbar = [
    `<label class="check"><input type="checkbox" data-action="differencesOnly"${view.differencesOnly ? ' checked' : ''}> Differences only</label>`,
    view.differencesOnly && view.hidden > 0
      ? `<span class="hint">${view.hidden} equal column${view.hidden === 1 ? '' : 's'} hidden</span>`
      : '',
    '<span class="spacer"></span>',
    `<button class="secondary" data-action="refresh" title="Look for the runs again">${icon('refresh')} Refresh</button>`,
    view.hasMlflowUi
      ? `<button class="secondary" data-action="openMlflow" title="The MLflow UI's compare page of these runs">${icon('link-external')} Open in MLflow UI</button>`
      : '',
    view.best
      ? `<button class="primary" data-action="register" data-run=${attr(view.best.runId)} title=${attr(`Register the model of the best run on ${view.best.metric}`)}>${icon('package')} Register Model from Best Run</button>`
      : ''
  ];
  parts.push(
    `<p class="summary">${n} run${n === 1 ? '' : 's'}` +
      (view.best
        ? ` · best on ${escapeHtml(view.best.metric)}: <strong>${escapeHtml(view.best.runName)}</strong> (${escapeHtml(formatValue(view.best.value))})`
        : '') +
      '</p>',
    `<div class="toolbar">${toolbar.join('')}</div>`
  );
  if (view.message) {
    parts.push(`<p class="note">${icon('info')} ${escapeHtml(view.message)}</p>`);
  }
  if (view.jobsWithoutRuns.length > 0) {
    parts.push(
      `<p class="note">${icon('warning')} No MLflow run (yet) for: ${escapeHtml(view.jobsWithoutRuns.join(', '))}</p>`
    );
  }
  if (n > 0) {
    parts.push(`<div class="table-wrap">${table(view)}</div>`);
  }
  if (view.chart) {
    parts.push(
      '<section class="chart-section" aria-label="Chart">',
      `<div class="chart-axes">${select('metric', view.metricKeys, view.chart.metric, 'Metric')}` +
        `${select('param', view.paramKeys, view.chart.param, 'against')}` +
        (view.chart.axis === 'categorical' ? '<span class="hint">(categories)</span>' : '') +
        '</div>',
      chartSvg(view.chart),
      '</section>'
    );
  }
  return parts.join('');
}
