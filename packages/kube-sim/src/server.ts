// The HTTP front of kube-sim, answering as a real API server does (Status bodies, codes): it
// authenticates, adds injected latency, and hands each request on: non-resource paths to
// discovery.ts, resource requests to dispatch.ts (which uses request.ts to decode them and
// subresources.ts for scale, log and exec), exec upgrades to subresources.ts.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Api } from './api.ts';
import { serveDiscovery } from './discovery.ts';
import { dispatch } from './dispatch.ts';
import { ApiError } from './errors.ts';
import type { Faults } from './faults.ts';
import { parseRoute, sendJson, type RequestRecord } from './request.ts';
import type { PodRuntime } from './runtime-contract.ts';
import { serveExecUpgrade, type ExecUpgradeHandler } from './subresources.ts';

export type { RequestRecord } from './request.ts';
export type { ExecUpgradeHandler } from './subresources.ts';

/** What the server needs from the rest of kube-sim. */
export interface ServerDeps {
  api: Api;
  faults: Faults;
  runtime: PodRuntime;
  token: string;
  execHandler?: ExecUpgradeHandler;
  /** Told of every resource request as RBAC would see it (deploy/'s least-privilege test records these). */
  onRequest?: (r: RequestRecord) => void;
}

/** The running HTTP server plus counters the harness reads. */
export class SimServer {
  readonly http: Server;
  requestCount = 0;
  private readonly watchClosers = new Set<() => void>();

  constructor(private readonly deps: ServerDeps) {
    this.http = createServer((req, res) => {
      this.requestCount++;
      void this.handle(req, res);
    });
    this.http.on('upgrade', (req, socket, head) => {
      this.requestCount++;
      void this.handleUpgrade(req, socket, head);
    });
    // Keep-alive sockets must not hold stop() open.
    this.http.keepAliveTimeout = 5000;
  }

  /** End every open watch (reset, stop). */
  closeWatches(): void {
    for (const close of [...this.watchClosers]) close();
  }

  private authorized(req: IncomingMessage): boolean {
    // kubectl does not send bearer tokens over plain http, so absence is accepted; a wrong
    // token is refused as a real server would.
    const h = req.headers.authorization;
    return h === undefined || h === `Bearer ${this.deps.token}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://kube-sim');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      const latency = this.deps.faults.current.latencyMs;
      if (latency) await new Promise((r) => setTimeout(r, latency));

      if (serveDiscovery(req, res, path)) return;
      if (!this.authorized(req)) {
        sendJson(res, 401, new ApiError(401, 'Unauthorized', 'Unauthorized').toStatus());
        return;
      }
      const route = parseRoute(path);
      if (!route) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      const { api, faults, onRequest } = this.deps;
      await dispatch({ api, faults, onRequest, watchClosers: this.watchClosers }, req, res, url, route);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof ApiError) sendJson(res, err.code, err.toStatus());
      else {
        const message = err instanceof Error ? err.message : String(err);
        sendJson(
          res,
          500,
          new ApiError(500, 'InternalError', `Internal error occurred: ${message}`).toStatus(),
        );
      }
    }
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const fail = (err: ApiError) => {
      const body = JSON.stringify(err.toStatus());
      socket.end(
        `HTTP/1.1 ${err.code} ${statusText(err.code)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    try {
      if (!this.authorized(req)) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      serveExecUpgrade(this.deps, req, socket, head);
    } catch (err) {
      if (err instanceof ApiError) fail(err);
      else
        fail(
          new ApiError(
            500,
            'InternalError',
            `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
    }
  }
}

function statusText(code: number): string {
  return (
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      429: 'Too Many Requests',
      500: 'Internal Server Error',
    }[code] ?? 'Error'
  );
}
