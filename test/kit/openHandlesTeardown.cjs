/** Jest's globalTeardown: see openHandles.cjs. */
module.exports = require('./openHandles.cjs').teardown;
