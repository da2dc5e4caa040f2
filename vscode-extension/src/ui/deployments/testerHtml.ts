/**
 * The Test Endpoint webview's markup, made on the extension host from plain data and sent to the
 * webview by message; the page's script keeps what the user types and posts it back. No `vscode`
 * import: it is tested under jest.
 */
import type { PredictionResult } from '@primehub-suite/client';
import { predictionTable } from '@primehub-suite/client/deployments';
import { REQUEST_FORMS, type RequestDraft } from '../../deployments/requestInput';
import { formatMetric } from '../../models/runs';
import { attr, escapeHtml } from '../webviewPage';

/** What the tester shows of its deployment. */
export interface TesterView {
  name: string;
  id: string;
  endpoint: string | null;
  status: string | null;
  access: 'public' | 'private';
  /** Where the prefilled request came from ("the model's signature", "the last request sent"…). */
  prefilledFrom?: string;
  saved: string[];
}

const icon = (name: string): string => `<span class="codicon codicon-${name}" aria-hidden="true"></span>`;

const FORM_HINTS: Record<string, string> = {
  ndarray: 'A JSON array, one inner array per instance: [[5.1, 3.5, 1.4, 0.2]]',
  tensor: '{"shape": [1, 4], "values": [5.1, 3.5, 1.4, 0.2]}, or a nested array of numbers',
  strData: 'Text, sent as {"strData": "…"}',
  jsonData: 'Any JSON, sent as {"jsonData": …}',
  binData: 'A file, sent as multipart form data (field binData)'
};

/** The tester's header (deployment, endpoint, status): sent again when the deployment changes. */
export function testerHeader(view: TesterView): string {
  const status = view.status ?? 'Unknown';
  return (
    `<h1>${escapeHtml(view.name)} <span class=${attr(`status ${status.toLowerCase()}`)}>${escapeHtml(status)}</span></h1>` +
    `<p class="endpoint">${icon(view.access === 'private' ? 'lock' : 'globe')} ` +
    (view.endpoint
      ? `<code>POST ${escapeHtml(view.endpoint)}</code>`
      : '<span class="missing">no endpoint yet: the deployment is not deployed</span>') +
    (view.access === 'private' ? ' <span class="hint">private: sent with a client and its token</span>' : '') +
    '</p>'
  );
}

/** The options of the saved-requests list. */
export function savedOptions(names: readonly string[]): string {
  return (
    `<option value="">${names.length ? 'Saved requests…' : 'No saved requests'}</option>` +
    names.map(n => `<option value=${attr(n)}>${escapeHtml(n)}</option>`).join('')
  );
}

/** The whole tester: header, request editor (form switch, names, text or file), actions, response area. */
export function testerBody(view: TesterView, draft: RequestDraft): string {
  const forms = REQUEST_FORMS.map(
    f =>
      `<label class="form-choice"><input type="radio" name="form" value=${attr(f)}${f === draft.form ? ' checked' : ''}> ${escapeHtml(f)}</label>`
  ).join('');
  const hints = REQUEST_FORMS.map(
    f => `<span class="hint form-hint" data-form=${attr(f)}>${escapeHtml(FORM_HINTS[f])}</span>`
  ).join('');
  return (
    `<header id="header">${testerHeader(view)}</header>` +
    '<section class="request" aria-label="Request">' +
    `<div class="row"><span class="label">Form</span><div class="forms" role="radiogroup" aria-label="Request form">${forms}</div></div>` +
    `<div class="row">${hints}</div>` +
    `<div class="row names-row"><label class="label" for="names">Names</label>` +
    `<input id="names" type="text" placeholder="optional column names, comma-separated" value=${attr(draft.names ?? '')}></div>` +
    `<textarea id="text" spellcheck="false" aria-label="Request body" rows="8">${escapeHtml(draft.text)}</textarea>` +
    `<div class="row file-row"><button class="secondary" data-action="pickFile">${icon('file')} Choose File…</button>` +
    `<span id="fileName" class="hint">${escapeHtml(draft.fileName ?? 'no file chosen')}</span></div>` +
    (view.prefilledFrom ? `<p class="hint prefilled">Prefilled from ${escapeHtml(view.prefilledFrom)}.</p>` : '') +
    '<div class="toolbar">' +
    `<button id="send" class="primary" data-action="send">${icon('play')} Send</button>` +
    `<button class="secondary" data-action="copy" data-format="curl" title="Copy as a curl command">${icon('copy')} curl</button>` +
    `<button class="secondary" data-action="copy" data-format="python" title="Copy as Python requests code">${icon('copy')} Python</button>` +
    `<button class="secondary" data-action="copy" data-format="http" title="Copy as a .http file request (REST Client)">${icon('copy')} .http</button>` +
    '<span class="spacer"></span>' +
    `<select id="saved" aria-label="Saved requests">${savedOptions(view.saved)}</select>` +
    `<button class="secondary icon" data-action="deleteSaved" title="Delete the chosen saved request">${icon('trash')}</button>` +
    `<input id="saveName" type="text" placeholder="name" aria-label="Name to save the request as">` +
    `<button class="secondary" data-action="save">${icon('save')} Save</button>` +
    '</div></section>' +
    '<section id="response" class="response" aria-label="Response" aria-live="polite"></section>'
  );
}

function cellText(v: unknown): { text: string; title: string; num: boolean } {
  if (typeof v === 'number') {
    return { text: formatMetric(v), title: String(v), num: true };
  }
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return { text, title: text, num: false };
}

/** A response: status and latency, the prediction as a table (names → values) or as JSON, a failure in a sentence. */
export function resultHtml(result: PredictionResult): string {
  const json = typeof result.body === 'string' ? result.body : JSON.stringify(result.body, null, 2);
  const head =
    `<p class=${attr(`result-status ${result.ok ? 'ok' : 'failed'}`)}>` +
    `${icon(result.ok ? 'pass' : 'error')} <span class="code">HTTP ${result.status}</span>` +
    ` · <span class="latency">${Math.round(result.latencyMs)} ms</span></p>`;
  if (!result.ok) {
    return (
      head +
      `<div class="error" role="alert">${escapeHtml(result.error ?? `The endpoint answered HTTP ${result.status}.`)}</div>` +
      `<details><summary>Response body</summary><pre>${escapeHtml(json)}</pre></details>`
    );
  }
  const table = predictionTable(result.body);
  if (!table) {
    return head + `<pre class="body">${escapeHtml(json)}</pre>`;
  }
  const heads = '<th scope="col">#</th>' + table.columns.map(c => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const rows = table.rows
    .map((r, i) => {
      // a row of scores: its highest (the predicted class's) stands out
      const max = r.length > 1 && r.every(v => typeof v === 'number') ? Math.max(...(r as number[])) : undefined;
      return (
        `<tr><td class="num index">${i}</td>` +
        r
          .map(v => {
            const c = cellText(v);
            const cls = [c.num ? 'num' : '', v === max ? 'max' : ''].filter(Boolean).join(' ');
            return `<td class=${attr(cls)} title=${attr(c.title)}>${escapeHtml(c.text)}</td>`;
          })
          .join('') +
        '</tr>'
      );
    })
    .join('');
  return (
    head +
    `<table class="data prediction" aria-label="Prediction"><thead><tr>${heads}</tr></thead><tbody>${rows}</tbody></table>` +
    `<details><summary>Response body</summary><pre>${escapeHtml(json)}</pre></details>`
  );
}

/** A request that could not be sent (bad input, network): the sentence, the request left as typed. */
export function problemHtml(message: string): string {
  return `<div class="error" role="alert">${icon('warning')} ${escapeHtml(message)}</div>`;
}
