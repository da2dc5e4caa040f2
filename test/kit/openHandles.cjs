/**
 * Jest's global setup and teardown against a run that never ends. `npm test` runs two workers,
 * which jest ends itself; but a run of a few files (`npx jest <paths>`) is in band, in jest's own
 * process, where a timer, socket or child process a test leaves behind keeps jest from exiting.
 * Setup records where each timer, socket and child process was made; if jest is still alive a
 * while after the last test, teardown's watchdog prints the ones still keeping it alive, with the
 * test code that made them, and ends the run as failed.
 */
const { createHook } = require('node:async_hooks');

/** Kinds of resources that keep Node's event loop alive. */
const WATCHED = new Set([
  'Timeout',
  'TCPWRAP',
  'PIPEWRAP',
  'PROCESSWRAP',
  'TCPSERVERWRAP',
  'PIPESERVERWRAP',
  'UDPWRAP'
]);
/** How long jest may take to exit after its teardown before the run is called hung (ms). */
const GRACE_MS = Number(process.env.PRIMEHUB_TEST_EXIT_GRACE_MS ?? 60_000);

// Kept on the process so that setup and teardown share it however jest loads them.
const STATE = Symbol.for('primehub-suite.openHandles');
const state = (globalThis[STATE] ??= { live: new Map(), hook: null });
const live = state.live;
const hook = (state.hook ??= createHook({
  init(asyncId, type, _trigger, resource) {
    if (WATCHED.has(type)) {
      const at = {};
      const limit = Error.stackTraceLimit;
      // deep enough to get past the libraries (lumino, undici) to the test code that called them
      Error.stackTraceLimit = 40;
      Error.captureStackTrace(at);
      Error.stackTraceLimit = limit;
      live.set(asyncId, { type, resource, stack: at.stack });
    }
  },
  destroy(asyncId) {
    live.delete(asyncId);
  }
}));

/** The frames of a stack that are the project's own code, else the first ones (a library's). */
function frames(stack) {
  const all = stack
    .split('\n')
    .slice(1)
    .filter(line => !line.includes('node:') && !line.includes('openHandles.cjs'));
  const own = all.filter(line => !line.includes('node_modules'));
  return (own.length > 0 ? own : all).slice(0, 6).join('\n');
}

function report() {
  const holding = [...live.values()].filter(({ resource }) => {
    if (typeof resource?.hasRef === 'function') {
      return resource.hasRef();
    }
    return true;
  });
  const lines = holding.map(({ type, stack }) => `- ${type}\n${frames(stack)}`);
  process.stderr.write(
    `\nThe tests ended ${GRACE_MS / 1000} s ago but jest has not exited: ${holding.length} resource(s) ` +
      `still keep it alive (${process.getActiveResourcesInfo().join(', ')}):\n${lines.join('\n')}\n` +
      'Each test must close what it opens (dispose models and polls, close clients, stop servers).\n'
  );
  process.exit(1);
}

/** Jest's globalSetup (`openHandles.cjs`) and globalTeardown (`openHandles.cjs` with `teardown`). */
module.exports = function setup() {
  hook.enable();
};

module.exports.teardown = function teardown() {
  // unref'd: the watchdog itself never keeps jest alive
  setTimeout(report, GRACE_MS).unref();
};
