import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { UserError } from '@tunekit/core';
import { REVIEW_CSS, reviewPageHtml } from './review-page.js';
import { REVIEW_SCRIPT } from './review-script.js';
import type { ReviewSession } from './review-session.js';

export interface ReviewServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** Stops serving; resolves once open connections are closed. */
  close(): Promise<void>;
}

/** The largest decision the page may post (an edited answer), in bytes. */
const MAX_BODY = 4 * 1024 * 1024;

/** Only this page's own script and style run, and it talks only to this server. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'";

/**
 * Serves `session`'s review page on 127.0.0.1 only (`port` 0: a free one). It answers only
 * requests addressed to itself by host (no DNS rebinding) and takes decisions only as JSON from
 * its own origin, so another site open in the browser can neither read nor post.
 */
export async function serveReview(
  session: ReviewSession,
  opts: { readonly port?: number; readonly title?: string } = {},
): Promise<ReviewServer> {
  const title =
    opts.title ??
    `${session.mode === 'arbitrate' ? 'Arbitration' : 'Review'} of ${basename(session.source)}`;
  let origins: string[] = [];
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) =>
      send(response, 500, 'application/json', JSON.stringify({ error: String(error) })),
    );
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!origins.includes(`http://${request.headers.host}`))
      return send(response, 403, 'text/plain', 'wrong host');
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route = `${request.method} ${path}`;
    if (route === 'GET /') return send(response, 200, 'text/html', reviewPageHtml(title));
    if (route === 'GET /review.js') return send(response, 200, 'text/javascript', REVIEW_SCRIPT);
    if (route === 'GET /review.css') return send(response, 200, 'text/css', REVIEW_CSS);
    if (route === 'GET /api/session') return sendJson(response, 200, sessionJson(session));
    if (route === 'POST /api/decision') {
      const origin = request.headers.origin;
      if (origin !== undefined && !origins.includes(origin))
        return sendJson(response, 403, { error: `requests from ${origin} are not taken` });
      if (!request.headers['content-type']?.startsWith('application/json'))
        return sendJson(response, 415, { error: 'a decision is posted as application/json' });
      let body: unknown;
      try {
        body = JSON.parse(await readBody(request));
      } catch (error) {
        return sendJson(response, 400, { error: `not a JSON decision (${String(error)})` });
      }
      try {
        const decision = await session.decide(body);
        return sendJson(response, 200, { decision, progress: session.progress() });
      } catch (error) {
        if (error instanceof UserError) return sendJson(response, 400, { error: error.message });
        throw error;
      }
    }
    return send(response, 404, 'text/plain', 'not found');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new UserError(`--port ${opts.port}: in use; pick another, or 0 for a free one`)
          : error,
      ),
    );
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** What the page loads: the records, the decisions so far and the progress. */
function sessionJson(session: ReviewSession) {
  return {
    mode: session.mode,
    reviewer: session.reviewer,
    labels: session.labels,
    tasks: session.tasks.map((task) => ({ id: task.item.id, ...task })),
    decisions: Object.fromEntries(
      session.tasks.flatMap((task) => {
        const decision = session.decision(task.item.id);
        return decision ? [[task.item.id, decision]] : [];
      }),
    ),
    progress: session.progress(),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error(`over ${MAX_BODY} bytes`));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json', JSON.stringify(value));
}
