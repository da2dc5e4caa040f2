#!/usr/bin/env node
// Dependency-free bootstrap run before `npm start`, `npm test` and `npm run bench`:
// installs what is missing (npm packages, the pinned Python virtualenv, Debian packages)
// and builds the TypeScript packages. Every step is skipped when its stamp is current,
// so a second run reaches the real work within seconds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, CHROMIUM_ARGS } from './machine.cjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODE = process.argv[2] ?? 'start';
const UV_VERSION = '0.9.7';

/** Debian packages each mode needs: [package, a file that proves it is installed]. */
const SYSTEM_PACKAGES = {
  // bubblewrap: each job runs in its own sandbox (PrimeHub Local says so when it cannot).
  // python3-seccomp: exports the jobs' seccomp filter (libseccomp's binding) for bwrap --seccomp.
  start: [
    ['bubblewrap', '/usr/bin/bwrap'],
    ['python3-seccomp', '/usr/share/doc/python3-seccomp/copyright'],
    // openssh-server: the notebook's SSH server (`npm start -- --ssh`) behind PrimeHub Local's bastion
    ['openssh-server', '/usr/sbin/sshd']
  ],
  // curl: the PHFS benchmarks' baseline; openssl: the client's self-signed TLS test.
  test: [
    ['bubblewrap', '/usr/bin/bwrap'],
    ['python3-seccomp', '/usr/share/doc/python3-seccomp/copyright'],
    // the SSH tests and benchmark: the notebook's sshd, and the real OpenSSH client (ssh, scp) through the bastion
    ['openssh-server', '/usr/sbin/sshd'],
    ['openssh-client', '/usr/bin/ssh'],
    // stress-ng: keeps the machine busy while `npm run test:ui-stress` repeats the UI suites
    ['stress-ng', '/usr/bin/stress-ng'],
    ['curl', '/usr/bin/curl'],
    ['openssl', '/usr/bin/openssl'],
    // the VS Code tests: code-server's native modules and its search binary
    ['libkrb5-dev', '/usr/include/krb5.h'],
    ['ripgrep', '/usr/bin/rg'],
    // the UI tests of both extensions (Playwright cannot download a browser)
    ['chromium', CHROMIUM]
  ]
};

function log(message) {
  process.stderr.write(`[bootstrap] ${message}\n`);
}

function run(cmd, args, options = {}) {
  const res = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (res.error) {
    throw new Error(`${cmd} could not start: ${res.error.message}`);
  }
  if (res.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${res.status ?? res.signal}`);
  }
}

function hashFiles(...files) {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(existsSync(f) ? readFileSync(f) : `missing:${f}`);
  }
  return h.digest('hex');
}

/** Runs `step` unless `stampFile` holds `key`; records `key` after a successful run. */
function stamped(name, stampFile, key, step) {
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === key) {
    return;
  }
  const started = Date.now();
  log(`${name}…`);
  step();
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, key);
  log(`${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function systemPackages() {
  installDebianPackages((SYSTEM_PACKAGES[MODE] ?? []).filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg));
}

/** Installs Debian packages as root; otherwise stops with the exact command to run. */
function installDebianPackages(missing) {
  if (missing.length === 0) {
    return;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(
      `missing system packages: ${missing.join(', ')}. Install them with:\n  sudo apt-get install -y ${missing.join(' ')}`
    );
  }
  log(`installing Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
}

function npmPackages() {
  const lock = join(ROOT, 'package-lock.json');
  const key = hashFiles(lock, join(ROOT, 'package.json'));
  stamped('installing npm packages', join(ROOT, 'node_modules', '.bootstrap-stamp'), key, () => {
    // `npm ci` on a fresh checkout; an existing node_modules is updated in place rather than
    // wiped, so a running server or test keeps its modules.
    const fresh = !existsSync(join(ROOT, 'node_modules')) || !existsSync(lock);
    run('npm', [fresh && existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund']);
  });
}

function pythonEnv() {
  const venv = join(ROOT, '.venv');
  const requirements = join(ROOT, 'python', 'requirements.txt');
  const kernelPackage = join(ROOT, 'python', 'primehub-local-kernel');
  // the model servers of deployments (Seldon v1 REST)
  const servingPackage = join(ROOT, 'python', 'primehub-local-serving');
  const key =
    hashFiles(
      requirements,
      join(kernelPackage, 'pyproject.toml'),
      ...['__init__.py', 'provisioner.py', 'run_papermill.py'].map(f =>
        join(kernelPackage, 'primehub_local_kernel', f)
      ),
      join(servingPackage, 'pyproject.toml'),
      ...['__init__.py', 'models.py', 'seldon.py', 'server.py'].map(f =>
        join(servingPackage, 'primehub_local_serving', f)
      )
    ) + UV_VERSION;
  stamped('creating the Python virtualenv .venv', join(venv, '.bootstrap-stamp'), key, () => {
    const python = process.env.PYTHON ?? 'python3';
    if (!existsSync(join(venv, 'bin', 'python'))) {
      // Debian's own python3 ships venv support in a separate package.
      if (spawnSync(python, ['-c', 'import venv, ensurepip'], { stdio: 'ignore' }).status !== 0) {
        installDebianPackages(['python3-venv']);
      }
      run(python, ['-m', 'venv', venv]);
    }
    const uv = join(venv, 'bin', 'uv');
    if (!existsSync(uv)) {
      run(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', `uv==${UV_VERSION}`]);
    }
    run(uv, [
      'pip',
      'install',
      '--quiet',
      '--python',
      join(venv, 'bin', 'python'),
      '-r',
      requirements,
      kernelPackage,
      servingPackage
    ]);
    useIpcKernels(venv);
  });
  labSettings(venv);
}

/**
 * The real seldon-core 1.17.1 microservice (its last Apache-2.0 release), the oracle the deployment
 * parity test compares PrimeHub Local's model servers with: a virtualenv of its own, `.venv-seldon-core`,
 * from python/seldon-core-parity.txt (its pins clash with MLflow's, so it cannot live in .venv).
 */
function seldonCoreVenv() {
  const venv = join(ROOT, '.venv-seldon-core');
  const requirements = join(ROOT, 'python', 'seldon-core-parity.txt');
  const uv = join(ROOT, '.venv', 'bin', 'uv');
  stamped(
    'creating the seldon-core 1.17.1 virtualenv .venv-seldon-core',
    join(venv, '.bootstrap-stamp'),
    hashFiles(requirements) + UV_VERSION,
    () => {
      if (!existsSync(join(venv, 'bin', 'python'))) {
        run(uv, ['venv', '--quiet', '--python', process.env.PYTHON ?? 'python3', venv]);
      }
      run(uv, ['pip', 'install', '--quiet', '--python', join(venv, 'bin', 'python'), '-r', requirements]);
    }
  );
}

/** The suite's JupyterLab greets a new user without the "get notified about official news?" prompt. */
function labSettings(venv) {
  const dir = join(venv, 'share', 'jupyter', 'lab', 'settings');
  mkdirSync(dir, { recursive: true });
  const overrides = { '@jupyterlab/apputils-extension:notification': { fetchNews: 'false', checkForUpdates: false } };
  writeFileSync(join(dir, 'overrides.json'), JSON.stringify(overrides, null, 2) + '\n');
}

/**
 * Jobs share this host's network, so concurrent kernels could collide on TCP ports: the
 * virtualenv's python3 kernel is started through the IPC provisioner of python/primehub-local-kernel.
 */
function useIpcKernels(venv) {
  const spec = join(venv, 'share', 'jupyter', 'kernels', 'python3', 'kernel.json');
  const kernel = JSON.parse(readFileSync(spec, 'utf8'));
  kernel.metadata = { ...kernel.metadata, kernel_provisioner: { provisioner_name: 'primehub-local-ipc', config: {} } };
  // uv hard-links installed files to its cache: a new file, so other virtualenvs keep the stock spec
  rmSync(spec);
  writeFileSync(spec, JSON.stringify(kernel, null, 1) + '\n');
}

/**
 * code-server 4.100.3 (VS Code 1.100) for the VS Code extension's tests, in test/vscode-host with
 * its own lockfile, so the root `npm ci` stays fast. Its install scripts download prebuilt
 * binaries, which cannot work here, so they are skipped and the native modules rebuilt locally.
 */
function codeServer() {
  const host = join(ROOT, 'test', 'vscode-host');
  const vscode = join(host, 'node_modules', 'code-server', 'lib', 'vscode');
  const key = hashFiles(join(host, 'package.json'), join(host, 'package-lock.json'));
  stamped('installing code-server for the VS Code tests', join(host, 'node_modules', '.bootstrap-stamp'), key, () => {
    const npm = (cwd, ...args) =>
      run('npm', [...args, '--no-audit', '--no-fund'], { cwd, env: { ...process.env, npm_config_yes: 'true' } });
    npm(host, 'ci', '--ignore-scripts', '--no-workspaces');
    npm(vscode, 'install', '--omit=dev', '--ignore-scripts');
    // @vscode/ripgrep's postinstall would download rg; Debian's is the same tool
    const rgDir = join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin');
    mkdirSync(rgDir, { recursive: true });
    copyFileSync('/usr/bin/rg', join(rgDir, 'rg'));
    npm(vscode, 'rebuild');
    rmSync(join(vscode, 'node_modules.asar'), { force: true });
    symlinkSync('node_modules', join(vscode, 'node_modules.asar'));
    npm(join(vscode, 'extensions'), 'install', '--omit=dev');
    npm(host, 'rebuild', 'argon2');
  });
}

function build() {
  const started = Date.now();
  run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);
  log(`build up to date in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Every file under `dirs` (recursively, sorted), for a stamp key. */
function filesUnder(...dirs) {
  return dirs.flatMap(dir =>
    existsSync(dir) && statSync(dir).isDirectory()
      ? readdirSync(dir, { recursive: true })
          .map(f => join(dir, String(f)))
          .filter(f => !f.includes('__pycache__') && statSync(f).isFile())
          .sort()
      : [dir]
  );
}

/**
 * Builds the JupyterLab extension (tsc, then `jupyter labextension build`) and installs its
 * Python package (labextension + server extension) into .venv. Skipped while its sources, the
 * shared client's and the build output are unchanged.
 */
function jupyterlabExtension() {
  const ext = join(ROOT, 'jupyterlab-extension');
  const venv = join(ROOT, '.venv');
  const output = join(ext, 'primehub_suite_jupyterlab', 'labextension', 'package.json');
  const sources = ['src', 'style', 'schema', 'primehub_suite_jupyterlab', 'jupyter-config'].map(d => join(ext, d));
  const files = filesUnder(...sources, join(ROOT, 'shared-client', 'src')).filter(f => !f.includes('labextension'));
  const key =
    hashFiles(
      ...files,
      ...['package.json', 'tsconfig.json', 'pyproject.toml', 'install.json'].map(f => join(ext, f)),
      join(ROOT, 'package-lock.json')
    ) + String(existsSync(output));
  stamped('building the JupyterLab extension', join(venv, '.jupyterlab-extension-stamp'), key, () => {
    // `jupyter labextension build` runs jlpm (yarn) when the extension has no node_modules of its
    // own, and yarn would replace the workspace's npm install: the hoisted workspace gets an empty one.
    mkdirSync(join(ext, 'node_modules'), { recursive: true });
    run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', ext]);
    const env = { ...process.env, PATH: `${join(venv, 'bin')}:${process.env.PATH}` };
    run(join(venv, 'bin', 'jupyter'), ['labextension', 'build', ext], { env });
    run(
      join(venv, 'bin', 'uv'),
      [
        'pip',
        'install',
        '--quiet',
        '--python',
        join(venv, 'bin', 'python'),
        '--reinstall-package',
        'primehub-suite-jupyterlab',
        ext
      ],
      { env }
    );
  });
}

/**
 * `python -m jupyterlab.browser_check` installs Playwright into `<app dir>/browser_test` and
 * downloads its Chromium, which cannot work here: that folder gets a `playwright` that is the
 * workspace's playwright-core launching Debian's /usr/bin/chromium, and whose `install` is a no-op.
 */
function browserCheckPlaywright() {
  const target = join(ROOT, '.venv', 'share', 'jupyter', 'lab', 'browser_test');
  const pkg = join(target, 'node_modules', 'playwright');
  const core = join(ROOT, 'node_modules', 'playwright-core');
  const index = [
    "// Written by scripts/bootstrap.mjs: Playwright for jupyterlab.browser_check, on Debian's Chromium.",
    `const core = require(${JSON.stringify(core)});`,
    'const launch = core.chromium.launch.bind(core.chromium);',
    `core.chromium.launch = (options = {}) => launch({ ...options, executablePath: ${JSON.stringify(CHROMIUM)}, args: [...${JSON.stringify(CHROMIUM_ARGS)}, ...(options.args || [])] });`,
    'module.exports = core;',
    ''
  ].join('\n');
  const cli = [
    '#!/usr/bin/env node',
    "if (process.argv[2] === 'install') {",
    "  console.log('browser_check uses Debian /usr/bin/chromium; nothing to install');",
    '} else {',
    `  require(${JSON.stringify(join(core, 'cli.js'))});`,
    '}',
    ''
  ].join('\n');
  const files = {
    [join(target, 'package.json')]: '{ "name": "browser_test", "private": true }\n',
    [join(pkg, 'package.json')]: '{ "name": "playwright", "main": "index.js", "bin": { "playwright": "cli.js" } }\n',
    [join(pkg, 'index.js')]: index,
    [join(pkg, 'cli.js')]: cli
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text, { mode: 0o755 });
  }
  const bin = join(target, 'node_modules', '.bin', 'playwright');
  mkdirSync(dirname(bin), { recursive: true });
  rmSync(bin, { force: true });
  symlinkSync(join(pkg, 'cli.js'), bin);
}

try {
  systemPackages();
  npmPackages();
  pythonEnv();
  if (MODE === 'test') {
    seldonCoreVenv();
    codeServer();
  }
  build();
  jupyterlabExtension();
  if (MODE === 'test') {
    browserCheckPlaywright();
  }
} catch (err) {
  log(`failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
