/**
 * `@primehub-suite/client` for Node (the package's `node` condition). Browsers resolve
 * `browser.ts` through the `default` condition instead.
 */
export * from './node';
