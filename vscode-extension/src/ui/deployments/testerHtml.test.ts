import { problemHtml, resultHtml, testerBody, testerHeader, type TesterView } from './testerHtml';
import { parseTesterMessage } from './testerMessages';

const view: TesterView = {
  name: 'iris <v1>',
  id: 'iris-1a2b3',
  endpoint: 'http://127.0.0.1:1/deployment/iris-1a2b3/api/v1.0/predictions',
  status: 'Deployed',
  access: 'private',
  prefilledFrom: "the model's signature",
  saved: ['setosa', 'a "quoted" one']
};

describe('the Test Endpoint markup', () => {
  it('escapes what it shows and checks the form prefilled', () => {
    const html = testerBody(view, { form: 'tensor', text: '</textarea><script>', names: 'a,b' });
    expect(html).toContain('iris &lt;v1&gt;');
    expect(html).toContain('&lt;/textarea&gt;&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<input type="radio" name="form" value="tensor" checked>');
    expect(html).toContain('value="a &quot;quoted&quot; one"');
    expect(html).toContain('Prefilled from the model&#39;s signature.');
    expect(testerHeader(view)).toContain('private: sent with a client and its token');
    expect(testerHeader({ ...view, endpoint: null })).toContain('no endpoint yet');
  });

  it('shows a prediction as a table of names and values, its latency, and the raw body', () => {
    const html = resultHtml({
      status: 200,
      ok: true,
      latencyMs: 12.4,
      body: { data: { names: ['t:0', 't:1', 't:2'], ndarray: [[0.97, 0.03, 0.000012345]] }, meta: {} }
    });
    expect(html).toContain('HTTP 200');
    expect(html).toContain('12 ms');
    expect(html).toContain('<th scope="col">t:2</th>');
    expect(html).toContain('<td class="num" title="0.000012345">0.00001234</td>');
    // the highest score of a row is marked
    expect(html).toContain('<td class="num max" title="0.97">0.97</td>');
    expect(html).toContain('<summary>Response body</summary>');
  });

  it('shows a failure as its sentence, and text answers as text', () => {
    const failed = resultHtml({
      status: 400,
      ok: false,
      latencyMs: 5,
      body: { status: { info: 'bad <shape>' } },
      error: 'The model server could not use the request (HTTP 400): bad <shape>.'
    });
    expect(failed).toContain('role="alert">The model server could not use the request (HTTP 400): bad &lt;shape&gt;.');
    expect(resultHtml({ status: 200, ok: true, latencyMs: 1, body: { strData: 'HI' } })).toContain(
      '<pre class="body">{\n  &quot;strData&quot;: &quot;HI&quot;\n}</pre>'
    );
    expect(problemHtml('The ndarray is empty.')).toContain('The ndarray is empty.');
  });
});

describe('parseTesterMessage', () => {
  it('takes what the page posts, checked', () => {
    expect(parseTesterMessage({ type: 'send', draft: { form: 'ndarray', text: '[[1]]', names: '' } })).toEqual({
      type: 'send',
      draft: { form: 'ndarray', text: '[[1]]', names: '' }
    });
    expect(parseTesterMessage({ type: 'copy', format: 'python', draft: { form: 'strData', text: 'x' } })).toEqual({
      type: 'copy',
      format: 'python',
      draft: { form: 'strData', text: 'x' }
    });
    expect(parseTesterMessage({ type: 'save', name: ' mine ', draft: { form: 'strData', text: '' } })).toMatchObject({
      name: 'mine'
    });
    expect(parseTesterMessage({ type: 'load', name: 'mine' })).toEqual({ type: 'load', name: 'mine' });
  });

  it('drops anything else', () => {
    expect(parseTesterMessage({ type: 'send', draft: { form: 'xml', text: '' } })).toBeUndefined();
    expect(parseTesterMessage({ type: 'copy', format: 'bash', draft: { form: 'strData', text: '' } })).toBeUndefined();
    expect(parseTesterMessage({ type: 'save', name: '  ', draft: { form: 'strData', text: '' } })).toBeUndefined();
    expect(parseTesterMessage({ type: 'eval' })).toBeUndefined();
    expect(parseTesterMessage('ready')).toBeUndefined();
  });
});
