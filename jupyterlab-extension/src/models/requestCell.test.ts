import { pythonRequestsCode } from '@primehub-suite/client/deployments';
import { requestCellCode } from './requestCell';

const endpoint = 'http://127.0.0.1:1/deployment/iris-1/api/v1.0/predictions';

it("a public endpoint's cell is the client's requests snippet", () => {
  const request = { endpoint, input: { ndarray: [[1, 2]] } };
  expect(requestCellCode(request)).toBe(pythonRequestsCode(request));
});

it("a private endpoint's cell asks for the client token with getpass, whatever the tester holds", () => {
  const code = requestCellCode({ endpoint, input: { ndarray: [[1, 2]] }, auth: { username: 'nb "1"' } });
  expect(code.startsWith('import getpass\n\nimport requests\n')).toBe(true);
  expect(code).toContain('auth = ("nb \\"1\\"", getpass.getpass("Token of client nb \\"1\\": "))');
  expect(code).toContain('requests.post(url, json=payload, auth=auth, timeout=60)');
  expect(code).not.toContain('<client token>');
  // a password the request carries is never written out either
  expect(
    requestCellCode({ endpoint, input: { strData: 'x' }, auth: { username: 'nb', password: 's3cret' } })
  ).not.toContain('s3cret');
});
