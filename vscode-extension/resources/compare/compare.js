// The Compare webview: shows the markup the extension sends ({type: 'render', html}) and posts
// back what the user does (elements with data-action). It holds no data and makes no request.
/* global acquireVsCodeApi, document, window */
(function () {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('root');

  // the focused control, to focus it again after the next render
  function focusKey(el) {
    if (!el || !el.dataset || !el.dataset.action) {
      return undefined;
    }
    return [el.dataset.action, el.dataset.key || '', el.dataset.metric || '', el.dataset.axis || ''].join('|');
  }

  window.addEventListener('message', event => {
    const message = event.data;
    if (!message || message.type !== 'render' || typeof message.html !== 'string') {
      return;
    }
    const key = focusKey(document.activeElement);
    root.innerHTML = message.html;
    root.dataset.state = message.state || '';
    if (key) {
      for (const el of root.querySelectorAll('[data-action]')) {
        if (focusKey(el) === key) {
          el.focus();
          break;
        }
      }
    }
  });

  root.addEventListener('click', event => {
    const el = event.target.closest('[data-action]');
    if (!el || el.tagName === 'INPUT' || el.tagName === 'SELECT') {
      return;
    }
    event.preventDefault();
    const d = el.dataset;
    vscode.postMessage({ type: d.action, key: d.key, metric: d.metric, job: d.job, run: d.run });
  });

  root.addEventListener('change', event => {
    const el = event.target;
    if (el.dataset.action === 'differencesOnly') {
      vscode.postMessage({ type: 'differencesOnly', on: el.checked });
    } else if (el.dataset.action === 'chart') {
      vscode.postMessage({ type: 'chart', axis: el.dataset.axis, value: el.value });
    }
  });

  vscode.postMessage({ type: 'ready' });
})();
