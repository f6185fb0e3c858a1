// One keep-alive connection pool per KubeConfig. client-node builds a new Agent, so a new TCP (and,
// on a real cluster, TLS) connection, for every API request; a regrade makes ~25 per namespace.
import http from 'node:http';
import https from 'node:https';

/** The agent options that decide which connections may be shared (client-node sets these). */
const TLS_FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;
type AgentOptions = https.AgentOptions & Record<string, unknown>;

const pools = new WeakMap<object, { agent: http.Agent; options: AgentOptions }>();

const same = (a: unknown, b: unknown): boolean =>
  Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : a === b;

/**
 * The pooled agent to send a request with instead of the one client-node made for it (same TLS
 * options, kept alive), or undefined to keep that one (a proxy agent keeps its own connections).
 * New credentials (a rotated client certificate) start a new pool; the old one's sockets close
 * once idle for the pool's timeout.
 */
export function pooledAgent(owner: object, perRequest: http.Agent | undefined): http.Agent | undefined {
  const Agent = perRequest?.constructor;
  if (Agent !== http.Agent && Agent !== https.Agent) return undefined;
  const options = (perRequest as unknown as { options: AgentOptions }).options;
  const pool = pools.get(owner);
  if (pool && pool.agent.constructor === Agent && TLS_FIELDS.every((f) => same(pool.options[f], options[f])))
    return pool.agent;
  // Idle sockets are dropped after 60 s (a Node server's Keep-Alive hint makes it sooner), before
  // kube-apiserver's 90 s idle timeout could close one as it is reused. Every request has a
  // shorter deadline of its own, so this never cuts one short.
  const agent = new (Agent as typeof http.Agent)({ ...options, keepAlive: true, timeout: 60_000 });
  pools.set(owner, { agent, options });
  return agent;
}
