/**
 * Notebook-job helpers: pure functions (no I/O, no Node APIs) usable in the browser.
 */
export { parseNotebookParameters, parseParametersSource } from './parameters';
export type { NotebookParameter, NotebookParameters, ParameterDiagnostic } from './parameters';
export { parsePythonLiteral, LiteralSyntaxError } from './pythonLiteral';
export type { JsonValue, Literal, LiteralKind } from './pythonLiteral';
export {
  checkParameterValue,
  coerceParameterInput,
  isJsonValue,
  parameterInputText,
  validateParameterValues
} from './values';
export type { ValueIssue } from './values';
export { expandSweep, formatSweepValue } from './sweep';
export type { SweepJob, SweepOptions } from './sweep';
export {
  buildNotebookCommand,
  decodeParameters,
  encodeParameters,
  parametersToYaml,
  parseNotebookCommand,
  shellQuote,
  shellSplit
} from './command';
export type { NotebookCommand } from './command';
export {
  ARTIFACTS_DIR_VARIABLE,
  buildNotebookRunScript,
  isNotebookRunScript,
  JOB_ID_VARIABLE,
  notebookRunOutput,
  notebookRunParameters,
  parseNotebookRunScript,
  RUN_SCRIPT_MARKER
} from './runScript';
export type { NotebookRunInfo, NotebookRunPlan, PerRunPath, RootedPath } from './runScript';
