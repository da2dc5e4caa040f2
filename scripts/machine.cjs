/**
 * What the scripts and tests of this machine share, in one CommonJS module so the bootstrap, the
 * benchmarks (ES modules), the TypeScript tests and code-server's launcher all read the same:
 * Debian's Chromium with the flags for headless runs here, and a free loopback port.
 */
const { createServer } = require('node:net');

/** Debian's Chromium (Playwright cannot download browsers here). */
const CHROMIUM = '/usr/bin/chromium';

/** Its flags for headless runs here (as root, no GPU, no background traffic). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
];

/** A TCP port free on 127.0.0.1 (closed again before it is returned). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

module.exports = { CHROMIUM, CHROMIUM_ARGS, freePort };
