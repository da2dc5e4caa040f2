import type { ClientContext } from '../ClientContext';
import type { LocalFs } from '../localFs';
import { PrimeHubClient as CorePrimeHubClient, PrimeHubClientOptions } from '../PrimeHubClient';
import { ValidationError } from '../errors';
import { UndiciTransport, UndiciTransportOptions } from '../transport/UndiciTransport';
import { loadConfig, LoadConfigOptions } from './config';
import { NodeFilesApi } from './NodeFilesApi';
import { NodeJobsApi } from './NodeJobsApi';
import { createNodeLocalFs } from './nodeLocalFs';

/** Options of the Node client: the core options plus undici transport settings. */
export type NodePrimeHubClientOptions = PrimeHubClientOptions &
  UndiciTransportOptions & {
    /** Local file access of disk transfers; default: the real file system. */
    localFs?: LocalFs;
  };

/** Options of `PrimeHubClient.fromConfig`. */
export type FromConfigOptions = Partial<NodePrimeHubClientOptions> & Pick<LoadConfigOptions, 'configPath' | 'env'>;

/**
 * The Node client: undici transport (own Agent, proxy from the environment, custom CA) and local
 * file transfers by default, plus `fromConfig` for the SDK's config file and environment.
 */
export class PrimeHubClient extends CorePrimeHubClient {
  /** PHFS, with transfers from and to the local disk. */
  declare readonly files: NodeFilesApi;
  /** Jobs, with artifact downloads to the local disk. */
  declare readonly jobs: NodeJobsApi;

  constructor(options: NodePrimeHubClientOptions) {
    super({
      ...options,
      transport:
        options.transport ??
        new UndiciTransport({
          dispatcher: options.dispatcher,
          connectTimeoutMs: options.connectTimeoutMs,
          keepAliveTimeoutMs: options.keepAliveTimeoutMs,
          ca: options.ca,
          rejectUnauthorized: options.rejectUnauthorized,
          proxy: options.proxy,
          userAgent: options.userAgent
        })
    });
  }

  protected override createFiles(ctx: ClientContext, options: NodePrimeHubClientOptions): NodeFilesApi {
    return new NodeFilesApi(ctx, options.localFs ?? createNodeLocalFs());
  }

  protected override createJobs(ctx: ClientContext, files: NodeFilesApi): NodeJobsApi {
    return new NodeJobsApi(ctx, files);
  }

  /**
   * Builds a client from `~/.primehub/config.json` (or `configPath`), then the
   * PRIMEHUB_API_ENDPOINT / PRIMEHUB_API_TOKEN / PRIMEHUB_GROUP environment, then `options`.
   */
  static async fromConfig(options: FromConfigOptions = {}): Promise<PrimeHubClient> {
    const { configPath, env, ...rest } = options;
    const cfg = await loadConfig({
      configPath,
      env,
      endpoint: rest.endpoint,
      token: rest.token,
      group: rest.group
    });
    if (!cfg.endpoint) {
      throw new ValidationError(`no PrimeHub endpoint: set it in ${cfg.configPath} or PRIMEHUB_API_ENDPOINT`);
    }
    if (!cfg.token && !rest.getToken) {
      throw new ValidationError(`no PrimeHub API token: set it in ${cfg.configPath} or PRIMEHUB_API_TOKEN`);
    }
    return new PrimeHubClient({ ...rest, endpoint: cfg.endpoint, token: cfg.token, group: cfg.group });
  }
}
