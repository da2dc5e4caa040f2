// The Test Endpoint webview: shows the editor the extension sends ({type: 'init', html, draft}) and
// posts back what the user asks for with the request as typed. It holds no credential and makes no
// request itself: the extension host sends the request.
/* global acquireVsCodeApi, document, window */
(function () {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('root');
  // the text typed per form, so that switching forms and back loses nothing
  const texts = {};
  let form = 'ndarray';
  let fileName = '';

  const $ = id => document.getElementById(id);

  function showForm() {
    for (const hint of root.querySelectorAll('.form-hint')) {
      hint.hidden = hint.dataset.form !== form;
    }
    const bin = form === 'binData';
    $('text').hidden = bin;
    root.querySelector('.file-row').hidden = !bin;
    root.querySelector('.names-row').hidden = form !== 'ndarray' && form !== 'tensor';
  }

  function draft() {
    return { form, text: $('text').value, names: $('names').value, fileName: fileName || undefined };
  }

  function setDraft(d) {
    form = d.form;
    texts[form] = d.text;
    $('text').value = d.text;
    $('names').value = d.names || '';
    if (d.fileName) {
      fileName = d.fileName;
      $('fileName').textContent = d.fileName;
    }
    const radio = root.querySelector(`input[name="form"][value="${form}"]`);
    if (radio) {
      radio.checked = true;
    }
    showForm();
  }

  // ndarray and tensor spell the same numbers: the other's text is carried over when the new one has none
  function carry(from, to, text) {
    try {
      const value = JSON.parse(text);
      if (from === 'ndarray' && to === 'tensor' && Array.isArray(value)) {
        const shape = [];
        for (let v = value; Array.isArray(v); v = v[0]) {
          shape.push(v.length);
        }
        return JSON.stringify({ shape, values: value.flat(Infinity) });
      }
      if (from === 'tensor' && to === 'ndarray' && value && Array.isArray(value.shape) && Array.isArray(value.values)) {
        const build = (dims, offset) => {
          const [n, ...rest] = dims;
          const step = rest.reduce((a, b) => a * b, 1);
          return Array.from({ length: n }, (_, i) =>
            rest.length === 0 ? value.values[offset + i] : build(rest, offset + i * step)
          );
        };
        return JSON.stringify(build(value.shape, 0));
      }
    } catch {
      // not JSON: nothing carried over
    }
    return '';
  }

  window.addEventListener('message', event => {
    const m = event.data;
    if (!m || typeof m.type !== 'string') {
      return;
    }
    switch (m.type) {
      case 'init':
        root.innerHTML = m.html;
        setDraft(m.draft);
        break;
      case 'header':
        $('header').innerHTML = m.html;
        break;
      case 'draft':
        setDraft(m.draft);
        break;
      case 'saved':
        $('saved').innerHTML = m.html;
        if (m.selected) {
          $('saved').value = m.selected;
        }
        break;
      case 'file':
        fileName = m.name;
        $('fileName').textContent = m.label;
        break;
      case 'sending':
        $('send').disabled = true;
        root.dataset.state = 'sending';
        $('response').innerHTML =
          '<p class="hint"><span class="codicon codicon-loading codicon-modifier-spin"></span> Sending…</p>';
        break;
      case 'result':
        $('send').disabled = false;
        root.dataset.state = m.state;
        $('response').innerHTML = m.html;
        break;
    }
  });

  root.addEventListener('change', event => {
    const el = event.target;
    if (el.name === 'form') {
      const previous = form;
      texts[previous] = $('text').value;
      form = el.value;
      const text =
        texts[form] !== undefined && texts[form] !== '' ? texts[form] : carry(previous, form, texts[previous]);
      $('text').value = text;
      showForm();
    } else if (el.id === 'saved' && el.value) {
      vscode.postMessage({ type: 'load', name: el.value });
    }
  });

  root.addEventListener('keydown', event => {
    // Ctrl/Cmd+Enter sends, as in REST clients
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      vscode.postMessage({ type: 'send', draft: draft() });
    }
  });

  root.addEventListener('click', event => {
    const el = event.target.closest('[data-action]');
    if (!el) {
      return;
    }
    event.preventDefault();
    switch (el.dataset.action) {
      case 'send':
        vscode.postMessage({ type: 'send', draft: draft() });
        break;
      case 'copy':
        vscode.postMessage({ type: 'copy', format: el.dataset.format, draft: draft() });
        break;
      case 'pickFile':
        vscode.postMessage({ type: 'pickFile' });
        break;
      case 'save': {
        const name = $('saveName').value.trim() || $('saved').value;
        if (name) {
          vscode.postMessage({ type: 'save', name, draft: draft() });
        } else {
          $('saveName').focus();
        }
        break;
      }
      case 'deleteSaved':
        if ($('saved').value) {
          vscode.postMessage({ type: 'deleteSaved', name: $('saved').value });
        }
        break;
    }
  });

  vscode.postMessage({ type: 'ready' });
})();
