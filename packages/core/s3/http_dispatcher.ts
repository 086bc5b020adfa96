/** The one HTTP connection pool of a tool: keep-alive, sized to the concurrency, proxy- and CA-aware. */
import { readFileSync } from "node:fs";
import type { Dispatcher } from "undici";
import { undiciAgents } from "./undici_parts.ts";

/** Options for {@linkcode createDispatcher}. */
export interface DispatcherOptions {
  /** Connections kept per origin; size it to the tool's concurrency. Default 64. */
  readonly connections?: number;
  /** A PEM file of CA certificates to trust instead of the defaults. Default: `AWS_CA_BUNDLE`. */
  readonly caBundle?: string;
  /** Time to wait for response headers, and between body chunks, in ms. Default 60 000. */
  readonly timeoutMs?: number;
  /** The environment to read proxy and CA settings from. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The proxy settings of an environment, upper- or lower-case names, as curl and the AWS CLI read them. */
export function proxySettings(env: NodeJS.ProcessEnv): { httpProxy?: string; httpsProxy?: string; noProxy?: string } {
  const httpProxy = env.HTTP_PROXY || env.http_proxy;
  const httpsProxy = env.HTTPS_PROXY || env.https_proxy || httpProxy;
  const noProxy = env.NO_PROXY || env.no_proxy;
  return {
    ...(httpProxy ? { httpProxy } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    ...(noProxy ? { noProxy } : {}),
  };
}

/**
 * A keep-alive pool for every HTTP request of a tool (SDK calls and hand-built GETs alike), so
 * `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` and `AWS_CA_BUNDLE` hold on every path.
 *
 * @example
 * ```ts
 * const dispatcher = createDispatcher({ connections: 32 });
 * ```
 */
export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const env = options.env ?? process.env;
  const caPath = options.caBundle ?? env.AWS_CA_BUNDLE;
  const ca = caPath ? readCaBundle(caPath) : undefined;
  const timeout = options.timeoutMs ?? 60_000;
  const common = {
    connections: options.connections ?? 64,
    keepAliveTimeout: 30_000,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    ...(ca ? { connect: { ca } } : {}),
  };
  const proxy = proxySettings(env);
  const { Agent, EnvHttpProxyAgent } = undiciAgents();
  if (!proxy.httpProxy && !proxy.httpsProxy) return new Agent(common);
  return new EnvHttpProxyAgent({ ...common, ...proxy, ...(ca ? { requestTls: { ca } } : {}) });
}

function readCaBundle(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`Cannot read the CA bundle '${path}' (AWS_CA_BUNDLE): ${(error as Error).message}`);
  }
}
