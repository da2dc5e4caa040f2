import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { extensionApi, SERVER } from './support';

/** PrimeHub Local behind an HTTPS proxy with a self-signed certificate, like a test cluster. */
describe('a self-signed certificate', () => {
  let proxy: https.Server;
  let url = '';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'primehub-tls-'));

  before(async () => {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1'
      ],
      { stdio: 'ignore' }
    );
    assert.equal(made.status, 0, 'this test needs openssl (the test bootstrap installs it)');
    const target = new URL(SERVER.endpoint);
    proxy = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: target.host }
        },
        up => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        }
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  after(() => {
    proxy?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is reported as such, and can be trusted for one profile', async () => {
    const api = await extensionApi();
    await assert.rejects(
      api.connection.verify({ endpoint: url, token: SERVER.token }),
      (e: { problem?: string }) => e.problem === 'selfSigned'
    );
    const before = api.connection.profiles.profiles.length;
    assert.equal(
      await vscode.commands.executeCommand('primehub.auth.signIn', {
        endpoint: url,
        token: SERVER.token,
        allowSelfSigned: true
      }),
      true
    );
    const profile = api.connection.profile!;
    assert.equal(profile.allowSelfSigned, true);
    assert.equal(profile.endpoint, `${url}/api/graphql`);
    assert.ok(
      (await api.connection.groups()).length > 0,
      'the client talks to PrimeHub through the trusted certificate'
    );
    await vscode.commands.executeCommand('primehub.auth.signOut');
    assert.equal(api.connection.profiles.profiles.length, before);
  });
});
