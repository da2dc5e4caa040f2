/**
 * What the scripts and tests of this machine share, in one CommonJS module so the bootstrap, the
 * benchmarks (ES modules), the TypeScript tests and code-server's launcher all read the same:
 * Debian's Chromium with the flags for headless runs here, and a free loopback port.
 */
const { join } = require('node:path');

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

/**
 * A TCP port free on 127.0.0.1 for another process to listen on: PrimeHub Local's own choice (outside the
 * kernel's ephemeral range, so no outgoing connection takes it meanwhile), from its build.
 */
function freePort() {
  return require(join(__dirname, '..', 'packages', 'local-server', 'dist', 'ports.js')).loopbackPort();
}

module.exports = { CHROMIUM, CHROMIUM_ARGS, freePort };
