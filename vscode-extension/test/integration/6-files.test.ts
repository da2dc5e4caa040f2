import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PrimeHubClient } from '@primehub-suite/client';
import * as vscode from 'vscode';
import type { FileNode } from '../../src/ui/files/FilesTreeDataProvider';
import { extensionApi, SERVER } from './support';

describe('shared files (PHFS)', () => {
  let client: PrimeHubClient;
  let dir: string;

  before(() => {
    client = new PrimeHubClient({ endpoint: SERVER.endpoint, token: SERVER.token, group: SERVER.group });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'primehub-files-'));
  });

  after(async () => {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function node(phfsPath: string): Promise<FileNode> {
    const api = await extensionApi();
    const parent = phfsPath.replace(/[^/]+\/?$/, '');
    let children = await api.filesTree.getChildren();
    if (parent !== '/') {
      const parentNode = await node(parent);
      children = await api.filesTree.getChildren(parentNode);
    }
    const found = children.find(n => n.kind === 'entry' && n.entry.path === phfsPath);
    assert.ok(
      found,
      `${phfsPath} not in ${JSON.stringify(children.map(c => (c.kind === 'entry' ? c.entry.path : c.text)))}`
    );
    return found;
  }

  it('creates a folder, uploads a file and a folder into it, and lists them', async () => {
    const created = await vscode.commands.executeCommand<string>('primehub.files.newFolder', undefined, 'datasets');
    assert.equal(created, '/datasets/');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'first line\nsecond line\n');
    fs.mkdirSync(path.join(dir, 'images', 'small'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'images', 'small', 'a.bin'), Buffer.alloc(1000, 7));
    const written = await vscode.commands.executeCommand<string[]>('primehub.files.upload', await node('/datasets/'), [
      path.join(dir, 'notes.txt'),
      path.join(dir, 'images')
    ]);
    assert.deepEqual(written?.sort(), ['/datasets/images/small/a.bin', '/datasets/notes.txt']);
    await node('/datasets/notes.txt');
    await node('/datasets/images/small/a.bin');
  });

  it('uploads what is dropped on a folder', async () => {
    const api = await extensionApi();
    fs.writeFileSync(path.join(dir, 'dropped.csv'), 'a,b\n1,2\n');
    const data = new vscode.DataTransfer();
    data.set('text/uri-list', new vscode.DataTransferItem(vscode.Uri.file(path.join(dir, 'dropped.csv')).toString()));
    await api.filesTree.handleDrop(await node('/datasets/'), data);
    assert.equal(await readAll('/datasets/dropped.csv'), 'a,b\n1,2\n');
  });

  it('opens a text file read-only and downloads files and folders', async () => {
    await vscode.commands.executeCommand('primehub.files.open', await node('/datasets/notes.txt'));
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.getText(), 'first line\nsecond line\n');
    assert.equal(editor?.document.uri.scheme, 'primehub-phfs');
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    const files = await vscode.commands.executeCommand<string[]>(
      'primehub.files.download',
      await node('/datasets/'),
      out
    );
    assert.ok(
      files?.some(f => f === path.join(out, 'datasets', 'images', 'small', 'a.bin')),
      JSON.stringify(files)
    );
    assert.equal(fs.readFileSync(path.join(out, 'datasets', 'notes.txt'), 'utf8'), 'first line\nsecond line\n');
  });

  it('copies the phfs:/// URI and deletes a folder', async () => {
    await vscode.commands.executeCommand('primehub.files.copyUri', await node('/datasets/notes.txt'));
    assert.equal(await vscode.env.clipboard.readText(), 'phfs:///datasets/notes.txt');
    assert.equal(await vscode.commands.executeCommand('primehub.files.delete', await node('/datasets/'), true), true);
    const api = await extensionApi();
    const root = await api.filesTree.getChildren();
    assert.ok(!root.some(n => n.kind === 'entry' && n.entry.path === '/datasets/'));
  });

  async function readAll(p: string): Promise<string> {
    const res = await client.files.download(p);
    const chunks: Buffer[] = [];
    for await (const c of res.body) {
      chunks.push(Buffer.from(c));
    }
    return Buffer.concat(chunks).toString('utf8');
  }
});
