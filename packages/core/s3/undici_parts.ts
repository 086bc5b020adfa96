/**
 * The two dispatchers the tools use, taken from undici's own modules rather than its index: the
 * index loads all of undici (fetch, WebSocket, caches, mocks), start-up that each process of a pipe
 * pays (docs/node-versions.md). undici is pinned to 7.x (package.json); the index does the
 * same `Object.assign` to give dispatchers their `request()`.
 */
import type * as Undici from "undici";
import api from "undici/lib/api/index.js";
import AgentModule from "undici/lib/dispatcher/agent.js";
import DispatcherModule from "undici/lib/dispatcher/dispatcher.js";
import EnvHttpProxyAgentModule from "undici/lib/dispatcher/env-http-proxy-agent.js";

let withRequest = false;

/**
 * undici's Agent and EnvHttpProxyAgent, their `request()` given on first use: done here, not when
 * the module loads, so a tool that never makes a request can leave undici out of its bundle.
 */
export function undiciAgents(): { Agent: typeof Undici.Agent; EnvHttpProxyAgent: typeof Undici.EnvHttpProxyAgent } {
  if (!withRequest) Object.assign(DispatcherModule.prototype, api);
  withRequest = true;
  return { Agent: AgentModule, EnvHttpProxyAgent: EnvHttpProxyAgentModule };
}
