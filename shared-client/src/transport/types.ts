/**
 * The transport seam: the core client speaks only these types, so the same code runs over
 * undici in Node and over `fetch` in the browser (or over a test double).
 */

/** A request body: buffered text/bytes, a stream of chunks, or a browser Blob. */
export type TransportBody = string | Uint8Array | AsyncIterable<Uint8Array> | Blob;

/** One HTTP request as the core hands it to a transport. */
export interface TransportRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  url: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body?: TransportBody;
  /**
   * Aborts the request and the response body. The client's timeouts and `close()` arrive
   * through this signal: transports keep no timers of their own.
   */
  signal?: AbortSignal;
  /**
   * Progress of a buffered request body (bytes sent, total). Browser transports that can report
   * it (XMLHttpRequest) do; others ignore it.
   */
  onUploadProgress?: (sentBytes: number, totalBytes: number | undefined) => void;
}

/** A response whose body has not been read yet; exactly one of the body methods may be used. */
export interface TransportResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Streams the body. */
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  /** Reads and discards the body so the connection can be reused. */
  dump(): Promise<void>;
}

/** An HTTP transport. Implementations reject with the signal's reason on abort. */
export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
  /** Releases connections owned by the transport (not injected ones). */
  close?(): Promise<void>;
}
