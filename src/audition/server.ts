import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { errorMessage, isUserError, UserError } from '../errors';
import { PACKAGE_ROOT } from '../version';
import { contentTypeOf } from './mime';
import { checkModelsDir, findModel, listModels } from './models';
import { resolveInside, safeSegments } from './paths';
import { findTrainingDataset, openTrainingRows, trainingRowWav, trainingSamplesOf } from './training';
import type { Dataset } from '../data';
import { DecodeTimedOut, DEFAULT_DECODE_TIMEOUT_MS, DEFAULT_MAX_PENDING_UPLOADS, UploadQueue, UploadQueueState } from './decode-queue';
import {
  checkDeclaredSize,
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_MAX_UPLOAD_SAMPLES,
  float32LE,
  PayloadTooLarge,
  PreprocessedUpload,
  readBody,
  TooMuchAudio,
  UnusableUpload,
  UploadAborted,
} from './upload';

/**
 * The audition server: Node's http, no framework, because it has five routes and every one of them must be
 * obviously safe.
 *
 *   GET  /                                    the page (index.html), and its assets (/app.js, /style.css)
 *   GET  /api/models                          the model folders under --models, summarised for the picker
 *   GET  /models/<folder>/sampgen.json        a model's metadata
 *   GET  /models/<folder>/<part>/<file>       its TF.js layers parts (model.json, weights.bin), part ∈ parts
 *   POST /api/models/<folder>/preprocess      an audio file's bytes → the dataset chain's float32 row (and, in
 *                                             headers, the source's peak and attack levels in dBFS)
 *   GET  /api/models/<folder>/training        the training samples behind the latent points (names, classes)
 *   GET  /api/models/<folder>/training/<i>.wav   training row i as a 16-bit WAV (from the model's dataset)
 *
 * Inference happens in the browser; the one computation here is the preprocessing chain, so that a dropped file
 * goes through the very code of `sampgen encode`. Nothing is ever written to disk and nothing is executed.
 * Every refusal of a path (traversal, encoded separators, symlinks leading out, unknown files) is a plain 404.
 *
 * Other web sites get nothing: on loopback only requests addressed to localhost are answered (DNS rebinding), a
 * request carrying another site's Origin is refused (403, preflights included, and no Access-Control-* header is
 * ever sent), and an upload must come with a Content-Type that a page cannot send to another site without a CORS
 * preflight (application/octet-stream or audio/*). Uploads are bounded three ways: bytes (maxUploadBytes), audio
 * (maxUploadSamples, read from the header before decoding and enforced while decoding, because FLAC packs minutes
 * of silence into kilobytes), and how many are in progress at once; they are decoded one at a time on a worker
 * thread (decode-queue.ts), so that a long decode holds up no other request.
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
  /**
   * Most audio an upload may hold, in samples (frames × channels); default DEFAULT_MAX_UPLOAD_SAMPLES, 2 minutes of
   * stereo at 48 kHz. Checked against the header before decoding and against the stream while decoding.
   */
  maxUploadSamples?: number;
  /** Uploads in progress at once (read, waiting, decoding); more are answered 503. Default 4. */
  maxPendingUploads?: number;
  /** Longest one decode may run before it is stopped and the upload answered 422; default 30 s. */
  decodeTimeoutMs?: number;
  /** Where unexpected errors (answered 500) are reported; default stderr. */
  log?: (line: string) => void;
}

export interface AuditionServer {
  server: http.Server;
  host: string;
  port: number;
  /** The URL to open in a browser. */
  url: string;
  /** Uploads in progress now (for tests and diagnostics). */
  uploads(): UploadQueueState;
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
  maxUploadSamples: number;
  uploads: UploadQueue;
  checkHost: boolean;
  log: (line: string) => void;
  /** Datasets opened for their rows' audio, by folder (opening checks samples.f32's sha256 once). */
  datasets: Map<string, Dataset>;
}

/** 'http://127.0.0.1:8080': the origin of a page this server served under the name the request was sent to. */
function ownOrigin(host: string | undefined): string | null {
  if (!host) return null;
  try {
    return new URL(`http://${host}`).origin;
  } catch {
    return null;
  }
}

/** Whether an Origin header names this server as the request reached it (scheme, host and port, normalised). */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  const own = ownOrigin(host);
  if (own === null) return false;
  try {
    return new URL(origin).origin === own; // 'null' (sandboxed frames, file:// pages) does not parse: refused
  } catch {
    return false;
  }
}

/** Content types a page on another site can send without a CORS preflight (the Fetch standard's safelist). */
const SIMPLE_CONTENT_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);

/**
 * Why an upload looks as if another web site made the browser send it, or null. Origin is checked for every request
 * in handle(); here, for browsers that send no Origin, Sec-Fetch-Site, and a Content-Type outside the simple ones, so
 * that a cross-site page would need a preflight, which this server never allows.
 */
function uploadRefusal(req: http.IncomingMessage): string | null {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `refused: the upload comes from another web site (Sec-Fetch-Site: ${site}); only the audition page of this server may upload`;
  }
  const raw = req.headers['content-type'];
  const type = (raw ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (!SIMPLE_CONTENT_TYPES.has(type) && (type === 'application/octet-stream' || type.startsWith('audio/'))) return null;
  return (
    `refused: send the file's bytes with Content-Type: application/octet-stream (got ${raw === undefined ? 'no Content-Type' : JSON.stringify(raw)}); ` +
    'the types that any web site can make a browser send are not accepted'
  );
}

/** Answers before reading the body, which nobody wants any more: the connection is closed after the answer. */
function refuseUpload(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: Record<string, unknown>, extra: Record<string, string> = {}): void {
  req.resume();
  sendJson(res, status, body, { Connection: 'close', ...extra });
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
  // A request that another web site's page made the browser send (a fetch, a form post, a CORS preflight) carries
  // that site's Origin: refused outright. Same-origin GETs and navigations carry none.
  const origin = req.headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, req.headers.host)) {
    req.resume();
    sendJson(
      res,
      403,
      { error: `refused: the request comes from a page at ${origin}; this server answers only its own page (${ownOrigin(req.headers.host) ?? 'no Host'})` },
      { Connection: 'close' },
    );
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
    const refusal = uploadRefusal(req);
    if (refusal !== null) return refuseUpload(req, res, 403, { error: refusal });
    const model = findModel(ctx.modelsDir, segments[2]!);
    if (model === null) {
      req.resume();
      return notFound(res);
    }
    // Room is taken before the body is read: a flood of uploads waits in no queue, it is turned away.
    const release = ctx.uploads.admit();
    if (release === null) {
      const busy = `the server is busy with ${ctx.uploads.state.pending} other uploads; try again in a moment`;
      return refuseUpload(req, res, 503, { error: busy }, { 'Retry-After': '1' });
    }
    try {
      let bytes: Uint8Array;
      try {
        bytes = await readBody(req, ctx.maxUploadBytes);
      } catch (err) {
        // The rest of an announced-too-large body is not wanted: answer now and close the connection.
        if (err instanceof PayloadTooLarge) return refuseUpload(req, res, 413, { error: err.message, limit: err.limit });
        if (err instanceof UploadAborted) return; // nobody left to answer
        throw err;
      }
      let done: PreprocessedUpload;
      try {
        checkDeclaredSize(bytes, ctx.maxUploadSamples);
        done = await ctx.uploads.run(bytes, model.meta);
      } catch (err) {
        if (err instanceof TooMuchAudio) return sendJson(res, 413, { error: err.message, max_samples: err.limit });
        if (err instanceof UnusableUpload || err instanceof DecodeTimedOut) return sendJson(res, 422, { error: err.message });
        if (err instanceof UploadAborted) return; // the server is closing: its connections go with it
        throw err;
      }
      // The source's levels ride along in headers (the body stays the bare row): a conditional model's page turns the
      // attack level into the file's velocity, as `sampgen encode` does.
      return send(res, 200, float32LE(done.row), 'application/octet-stream', {
        'X-Sampgen-Length': String(done.row.length),
        'X-Sampgen-Peak-Dbfs': String(done.levels.peakDbfs),
        'X-Sampgen-Attack-Rms-Dbfs': String(done.levels.attackRmsDbfs),
      });
    } finally {
      release();
    }
  }

  if (!isRead) return methodNotAllowed(res, 'GET, HEAD');

  // GET /api/models/<folder>/training and /api/models/<folder>/training/<i>.wav
  if (segments[0] === 'api' && segments[1] === 'models' && segments[3] === 'training' && (segments.length === 4 || segments.length === 5)) {
    const model = findModel(ctx.modelsDir, segments[2]!);
    if (model === null) return notFound(res);
    const found = findTrainingDataset(model.meta);
    if ('reason' in found) return sendJson(res, 404, { error: `no training samples for ${segments[2]}: ${found.reason}` });
    if (segments.length === 4) return sendJson(res, 200, trainingSamplesOf(found, true));
    const index = /^(0|[1-9]\d{0,8})\.wav$/.exec(segments[4]!);
    if (!index || Number(index[1]) >= found.info.count) return notFound(res);
    let rows = ctx.datasets.get(found.dir);
    if (!rows) {
      rows = openTrainingRows(found);
      ctx.datasets.set(found.dir, rows);
    }
    return send(res, 200, Buffer.from(trainingRowWav(rows, Number(index[1]))), 'audio/wav');
  }

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
  const maxUploadSamples = opts.maxUploadSamples ?? DEFAULT_MAX_UPLOAD_SAMPLES;
  for (const [name, value] of Object.entries({ maxUploadBytes, maxUploadSamples, maxPendingUploads: opts.maxPendingUploads ?? 1, decodeTimeoutMs: opts.decodeTimeoutMs ?? 1 })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`startAuditionServer: ${name} must be a positive integer, got ${value}`);
  }
  const log = opts.log ?? ((line: string) => void process.stderr.write(line + '\n'));
  const modelsDir = checkModelsDir(opts.modelsDir);
  const pageDir = checkPageDir(opts.pageDir ?? defaultPageDir());
  const uploads = new UploadQueue({
    maxSamples: maxUploadSamples,
    maxPending: opts.maxPendingUploads ?? DEFAULT_MAX_PENDING_UPLOADS,
    timeoutMs: opts.decodeTimeoutMs ?? DEFAULT_DECODE_TIMEOUT_MS,
    log,
  });
  const ctx: Context = { modelsDir, pageDir, maxUploadBytes, maxUploadSamples, uploads, checkHost: isLoopback(host), log, datasets: new Map() };
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
    const onError = (err: NodeJS.ErrnoException) => {
      void uploads.close();
      reject(listenError(err, host, port));
    };
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
    uploads: () => uploads.state,
    close: async () => {
      await Promise.all([
        new Promise<void>((resolve, reject) => {
          server.close((err) => (err ? reject(err) : resolve()));
          server.closeAllConnections();
        }),
        uploads.close(),
      ]);
      for (const rows of ctx.datasets.values()) rows.close();
      ctx.datasets.clear();
    },
  };
}
