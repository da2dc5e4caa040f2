import type { ClientContext } from '../ClientContext';
import type { TransferOptions } from '../resources/FilesApi';
import { JobsApi } from '../resources/JobsApi';
import type { NodeFilesApi } from './NodeFilesApi';

/** Jobs with artifact downloads to the local disk (the Node entry point's `client.jobs`). */
export class NodeJobsApi extends JobsApi {
  constructor(
    ctx: ClientContext,
    protected override readonly files: NodeFilesApi
  ) {
    super(ctx, files);
  }

  /**
   * Downloads every artifact of the job into a local folder (Node only): the files `artifacts`
   * lists, without the server's `.metadata/` bookkeeping (retention time, monitoring).
   */
  async downloadArtifacts(id: string, localDir: string, opts: TransferOptions = {}): Promise<string[]> {
    await this.get(id, opts);
    return this.files.downloadDirectory(this.artifactPath(id), localDir, {
      ...opts,
      filter: name => !name.startsWith('.metadata/')
    });
  }
}
