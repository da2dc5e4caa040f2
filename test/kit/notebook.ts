/** A code cell of a test notebook: its source and, for the parameters cell, its tags. */
export interface TestCell {
  source: string;
  tags?: string[];
}

/** An nbformat 4.5 notebook (Python 3 kernel) of code cells, as JupyterLab and VS Code save one. */
export function notebookJson(cells: TestCell[]): object {
  return {
    cells: cells.map(c => ({
      cell_type: 'code',
      metadata: c.tags ? { tags: c.tags } : {},
      source: c.source,
      outputs: [],
      execution_count: null
    })),
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    nbformat: 4,
    nbformat_minor: 5
  };
}
