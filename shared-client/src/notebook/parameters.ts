import { ValidationError } from '../errors';
import { JsonValue, LiteralKind, LiteralSyntaxError, parsePythonLiteral, scanLogicalLine } from './pythonLiteral';

/** One parameter of a notebook's `parameters` cell. */
export interface NotebookParameter {
  name: string;
  /** Declared (annotation) or inferred type; `None` means any value. */
  type: LiteralKind;
  /** Default value from the cell. */
  default: JsonValue;
  /** Inline `# comment` text. */
  help?: string;
  /** Type annotation text, if any (`lr: float = 0.1`). */
  annotation?: string;
  /** 1-based line of the assignment within the cell. */
  line: number;
}

/** A line of the parameters cell that could not be read as a parameter. */
export interface ParameterDiagnostic {
  line: number;
  severity: 'error' | 'warning';
  message: string;
  /** The offending source text. */
  text: string;
}

/** What `parseNotebookParameters` found. */
export interface NotebookParameters {
  /** False when no code cell is tagged `parameters` (papermill then injects at the top). */
  hasParametersCell: boolean;
  /** Index of the tagged cell in `cells`. */
  cellIndex: number | null;
  parameters: NotebookParameter[];
  diagnostics: ParameterDiagnostic[];
}

interface NotebookCell {
  cell_type?: unknown;
  source?: unknown;
  metadata?: { tags?: unknown };
}

const ANNOTATION_KINDS: Array<[RegExp, LiteralKind]> = [
  [/^(?:builtins\.)?int$/, 'int'],
  [/^(?:builtins\.)?float$/, 'float'],
  [/^(?:builtins\.)?str$/, 'str'],
  [/^(?:builtins\.)?bool$/, 'bool'],
  [/^(?:typing\.)?(?:list|List|tuple|Tuple|Sequence)(?:\[.*\])?$/, 'list'],
  [/^(?:typing\.)?(?:dict|Dict|Mapping)(?:\[.*\])?$/, 'dict']
];

function annotationKind(annotation: string): LiteralKind | undefined {
  const a = annotation.replace(/^(?:typing\.)?Optional\[(.*)\]$/, '$1').trim();
  return ANNOTATION_KINDS.find(([re]) => re.test(a))?.[1];
}

/**
 * Reads top-level assignments of Python source (a `parameters` cell) as typed parameters.
 * Lines that are not `name = <literal>` (optionally annotated) become diagnostics.
 */
export function parseParametersSource(source: string): {
  parameters: NotebookParameter[];
  diagnostics: ParameterDiagnostic[];
} {
  const src = source.replace(/\r\n?/g, '\n');
  const parameters = new Map<string, NotebookParameter>();
  const diagnostics: ParameterDiagnostic[] = [];
  let pos = 0;
  while (pos < src.length) {
    const line = src.slice(0, pos).split('\n').length;
    const { end, comments, open } = scanLogicalLine(src, pos);
    const text = src.slice(pos, end).replace(/\n$/, '');
    pos = end;
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      continue;
    }
    const fail = (message: string, severity: 'error' | 'warning' = 'error'): void => {
      diagnostics.push({ line, severity, message, text: trimmed });
    };
    if (open) {
      fail('unclosed bracket');
      continue;
    }
    if (/^\s/.test(text)) {
      fail('indented statement (only top-level assignments are parameters)');
      continue;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([^=]+?))?\s*=(?!=)([\s\S]*)$/.exec(trimmed);
    if (!m) {
      fail('not a simple assignment of a literal');
      continue;
    }
    const [, name, annotation, valueText] = m;
    let lit;
    try {
      lit = parsePythonLiteral(valueText);
    } catch (e) {
      fail(`${name}: ${e instanceof LiteralSyntaxError ? e.message : String(e)}`);
      continue;
    }
    let type = lit.kind;
    let value = lit.value;
    if (annotation) {
      const declared = annotationKind(annotation.trim());
      if (declared === 'float' && type === 'int') {
        type = 'float';
      } else if (declared && lit.kind !== 'None' && declared !== lit.kind) {
        fail(`${name}: annotated ${annotation.trim()} but the default is ${lit.kind}`, 'warning');
      } else if (declared && lit.kind === 'None') {
        type = declared;
      }
    }
    if (type === 'float' && typeof value === 'number' && !Number.isFinite(value)) {
      fail(`${name}: float out of range`);
      continue;
    }
    if (parameters.has(name)) {
      fail(`${name} is assigned more than once; the last value is used`, 'warning');
      parameters.delete(name);
    }
    value = value as JsonValue;
    const help = comments.find(c => c !== '');
    parameters.set(name, {
      name,
      type,
      default: value,
      line,
      ...(help ? { help } : {}),
      ...(annotation ? { annotation: annotation.trim() } : {})
    });
  }
  return { parameters: [...parameters.values()], diagnostics };
}

function cellSource(cell: NotebookCell): string {
  if (typeof cell.source === 'string') {
    return cell.source;
  }
  if (Array.isArray(cell.source)) {
    return cell.source.map(String).join('');
  }
  return '';
}

function hasTag(cell: NotebookCell, tag: string): boolean {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) && tags.includes(tag);
}

/**
 * Finds the first code cell tagged `parameters` in an nbformat-4 notebook (JSON text or object)
 * and returns its top-level assignments as typed parameters, like papermill's inspection.
 */
export function parseNotebookParameters(notebook: string | object): NotebookParameters {
  let nb: { nbformat?: unknown; cells?: unknown };
  try {
    nb = (typeof notebook === 'string' ? JSON.parse(notebook) : notebook) as typeof nb;
  } catch (e) {
    throw new ValidationError(`not a notebook: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!nb || typeof nb !== 'object' || nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new ValidationError('not an nbformat 4 notebook');
  }
  const cells = nb.cells as NotebookCell[];
  const tagged = cells
    .map((c, i) => [c, i] as const)
    .filter(([c]) => c.cell_type === 'code' && hasTag(c, 'parameters'));
  if (tagged.length === 0) {
    return { hasParametersCell: false, cellIndex: null, parameters: [], diagnostics: [] };
  }
  const [cell, index] = tagged[0];
  const result = parseParametersSource(cellSource(cell));
  if (tagged.length > 1) {
    result.diagnostics.push({
      line: 0,
      severity: 'warning',
      message: `${tagged.length} cells are tagged "parameters"; papermill uses the first (cell ${index})`,
      text: ''
    });
  }
  return { hasParametersCell: true, cellIndex: index, ...result };
}
