import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { errorMessage, isUserError, UserError } from '../errors';
import { PACKAGE_ROOT } from '../version';
import { contentTypeOf } from './mime';
import { checkModelsDir, findModel, listModels } from './models';
import { resolveInside, safeSegments } from './paths';
import { DEFAULT_MAX_UPLOAD_BYTES, float32LE, PayloadTooLarge, preprocessUpload, readBody, UnusableUpload } from './upload';

/**
 * The audition server: Node's http, no framework, because it has five routes and every one of them must be
 * obviously safe.
 *
 *   GET  /                                    the page (index.html), and its assets (/app.js, /style.css)
 *   GET  /api/models                          the model folders under --models, summarised for the picker
 *   GET  /models/<folder>/sampgen.json        a model's metadata
 *   GET  /models/<folder>/<part>/<file>       its TF.js layers parts (model.json, weights.bin), part ∈ parts
 *   POST /api/models/<folder>/preprocess      an audio file's bytes → the dataset chain's float32 row
 *
 * Inference happens in the browser; the one computation here is the preprocessing chain, so that a dropped file
 * goes through the very code of `sampgen encode`. Nothing is ever written to disk and nothing is executed.
 * Every refusal of a path (traversal, encoded separators, symlinks leading out, unknown files) is a plain 404.
 */

export interface AuditionServerOptions {
  /** Folder holding exported model folders (models/<name>/sampgen.json …). */
  modelsDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Folder with the built page (index.html, app.js, style.css); default dist/audition-page. */
  pageDir?: string;
  /** Largest upload accepted by the preprocess endpoint; default 20 MiB. */
  maxUploadBytes?: number;
  /** Where unexpected errors (answered 500) are reported; default stderr. */
  log?: (line: string) => void;
}

export interface AuditionServer {
  server: http.Server;
  host: string;
  port: number;
  /** The URL to open in a browser. */
  url: string;
  close(): Promise<void>;
}

/** Files the built page must have; without them the server would serve a broken page. */
export const PAGE_FILES = ['index.html', 'app.js', 'style.css'];

export function defaultPageDir(): string {
  return path.join(PACKAGE_ROOT, 'dist', 'audition-page');
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The warning `--host` gets when the server is reachable from other machines, or null on loopback. */
export function exposureWarning(host: string): string | null {
  if (isLoopback(host)) return null;
  return (
    `listening on ${host}: every machine that can reach this one can list, download and run your models ` +
    `(there is no authentication); use --host 127.0.0.1 unless you mean that`
  );
}

/** http://host:port/ as a browser wants it (wildcard addresses shown as 127.0.0.1, IPv6 in brackets). */
export function urlFor(host: string, port: number): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${shown}:${port}/`;
}

function checkPageDir(dir: string): string {
  const missing = PAGE_FILES.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length > 0) {
    throw new UserError(
      `the audition page is not built (${missing.map((f) => path.join(dir, f)).join(', ')} missing): ` +
        'run `npm run build` (or `node scripts/build-page.js`) in the sampgen folder',
    );
  }
  return path.resolve(dir);
}

const COMMON_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The page loads only its own script, style and the models; no inline script, nothing from elsewhere. */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; " +
  "media-src 'self' blob:; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function send(res: http.ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': type, 'Content-Length': String(bytes.length), 'Cache-Control': 'no-store', ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', extra);
}

function notFound(res: http.ServerResponse): void {
  sendJson(res, 404, { error: 'not found' });
}

function methodNotAllowed(res: http.ServerResponse, allow: string): void {
  sendJson(res, 405, { error: `method not allowed (allowed: ${allow})` }, { Allow: allow });
}

/** Streams a file that resolveInside has approved. */
function sendFile(res: http.ServerResponse, file: string, extra: Record<string, string> = {}): void {
  const size = fs.statSync(file).size;
  res.writeHead(200, {
    ...COMMON_HEADERS,
    'Content-Type': contentTypeOf(file),
    'Content-Length': String(size),
    'Cache-Control': 'no-cache',
    ...extra,
  });
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = fs.createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

interface Context {
  modelsDir: string;
  pageDir: string;
  maxUploadBytes: number;
  checkHost: boolean;
  log: (line: string) => void;
}

/** The Host header's name without the port ('127.0.0.1:8080' → '127.0.0.1', '[::1]:80' → '[::1]'). */
function hostName(header: string | undefined): string {
  if (!header) return '';
  const m = /^(\[[^\]]*\]|[^:]*)/.exec(header);
  return (m?.[1] ?? '').toLowerCase();
}

async function handle(ctx: Context, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  // A server on loopback answers only requests addressed to loopback: a web page elsewhere that points its own
  // domain name at 127.0.0.1 (DNS rebinding) gets nothing.
  if (ctx.checkHost && !isLoopback(hostName(req.headers.host))) {
    sendJson(res, 403, { error: 'this server answers only requests to localhost / 127.0.0.1' });
    return;
  }
  const rawUrl = req.url ?? '/';
  const rawPath = rawUrl.split(/[?#]/, 1)[0]!;
  const segments = safeSegments(rawPath);
  if (segments === null) return notFound(res);
  const method = req.method ?? 'GET';
  const isRead = method === 'GET' || method === 'HEAD';

  // POST /api/models/<folder>/preprocess
  if (segments.length === 4 && segments[0] === 'api' && segments[1] === 'models' && segments[3] === 'preprocess') {
    if (method !== 'POST') return methodNotAllowed(res, 'POST');
    const model = findModel(ctx.modelsDir, segments[2]!);
    if (model === null) {
      req.resume();
      return notFound(res);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBody(req, ctx.maxUploadBytes);
    } catch (err) {
      if (err instanceof PayloadTooLarge) {
        // The rest of an announced-too-large body is not wanted: answer now and close the connection.
        req.resume();
        return sendJson(res, 413, { error: err.message, limit: err.limit }, { Connection: 'close' });
      }
      throw err;
    }
    let row: Float32Array;
    try {
      row = await preprocessUpload(bytes, model.meta);
    } catch (err) {
      if (err instanceof UnusableUpload) return sendJson(res, 422, { error: err.message });
      throw err;
    }
    return send(res, 200, float32LE(row), 'application/octet-stream', { 'X-Sampgen-Length': String(row.length) });
  }

  if (!isRead) return methodNotAllowed(res, 'GET, HEAD');

  if (segments.length === 2 && segments[0] === 'api' && segments[1] === 'models') {
    const listing = listModels(ctx.modelsDir);
    return sendJson(res, 200, { ...listing, max_upload_bytes: ctx.maxUploadBytes });
  }

  // GET /models/<folder>/sampgen.json and /models/<folder>/<part>/<file>
  if (segments[0] === 'models' && (segments.length === 3 || segments.length === 4)) {
    const model = findModel(ctx.modelsDir, segments[1]!);
    if (model === null) return notFound(res);
    const inside = segments.slice(2);
    const allowed = inside.length === 1 ? inside[0] === 'sampgen.json' : model.meta.parts.includes(inside[0]!);
    const file = allowed ? resolveInside(model.dir, inside) : null;
    return file === null ? notFound(res) : sendFile(res, file);
  }

  // The page: / is index.html, and the page's other files by name; nothing else in its folder.
  const pageSegments = segments.length === 0 ? ['index.html'] : segments;
  if (pageSegments.length !== 1 || !PAGE_FILES.includes(pageSegments[0]!)) return notFound(res);
  const file = resolveInside(ctx.pageDir, pageSegments);
  if (file === null) return notFound(res);
  const isHtml = contentTypeOf(file).startsWith('text/html');
  return sendFile(res, file, isHtml ? { 'Content-Security-Policy': PAGE_CSP } : {});
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new UserError(`port ${port} on ${host} is already in use (another sampgen audition?): stop it or choose another --port`);
    case 'EACCES':
      return new UserError(`not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges): choose another --port`);
    case 'EADDRNOTAVAIL':
      return new UserError(`--host ${host} is not an address of this machine`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserError(`--host ${host} cannot be resolved`);
    default:
      return err;
  }
}

/** Checks the folders, starts listening, and resolves once the server accepts connections. */
export async function startAuditionServer(opts: AuditionServerOptions): Promise<AuditionServer> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be an integer from 0 to 65535, got ${port}`);
  const maxUploadBytes = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const ctx: Context = {
    modelsDir: checkModelsDir(opts.modelsDir),
    pageDir: checkPageDir(opts.pageDir ?? defaultPageDir()),
    maxUploadBytes,
    checkHost: isLoopback(host),
    log: opts.log ?? ((line) => void process.stderr.write(line + '\n')),
  };
  const server = http.createServer((req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
      // A model folder whose sampgen.json went bad while serving is the user's to fix: say what is wrong.
      if (isUserError(err)) {
        if (!res.headersSent) sendJson(res, 422, { error: errorMessage(err) });
        else res.destroy();
        return;
      }
      ctx.log(`audition: error serving ${req.method} ${req.url}: ${errorMessage(err)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error (see the server\'s output)' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, host, port));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    host,
    port: actual,
    url: urlFor(host, actual),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
