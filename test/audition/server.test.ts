import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { AuditionServer, startAuditionServer, urlFor, exposureWarning } from '../../src/audition';
import { preprocessForModel } from '../../src/infer/encode';
import { UserError } from '../../src/errors';
import { readModelMetadata } from '../../src/export';
import { tempDir } from '../helpers/dataset';
import { L, rawRequest, toneWav, useCpuBackend, writeTestModel } from './helpers';

/**
 * The audition server over real HTTP on 127.0.0.1 with an ephemeral port: routes, content types, every kind of
 * path-traversal attempt, the upload limit, and the model listing. The page here is three stand-in files;
 * the real bundle is exercised by the browser test.
 */

let root: string;
let modelsDir: string;
let pageDir: string;
let outside: string;
let server: AuditionServer;
const LIMIT = 4096;

beforeAll(async () => {
  await useCpuBackend();
  root = tempDir('sampgen-audition-');
  modelsDir = path.join(root, 'models');
  pageDir = path.join(root, 'page');
  outside = path.join(root, 'outside');
  fs.mkdirSync(modelsDir);
  fs.mkdirSync(pageDir);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(pageDir, 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(pageDir, 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(pageDir, 'style.css'), 'body{}');
  fs.writeFileSync(path.join(pageDir, 'server.js'), 'not a page asset'); // e.g. a stray build output
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'secret');
  await writeTestModel(modelsDir, 'snare');
  // Not models: a folder without sampgen.json (left out), one with a broken sampgen.json (listed as broken).
  fs.mkdirSync(path.join(modelsDir, 'notes'));
  fs.writeFileSync(path.join(modelsDir, 'notes', 'readme.txt'), 'hi');
  fs.mkdirSync(path.join(modelsDir, 'broken'));
  fs.writeFileSync(path.join(modelsDir, 'broken', 'sampgen.json'), '{"version": 1');
  // Symlinks that lead out of --models: a whole folder, and a file inside a real model's part folder.
  fs.symlinkSync(outside, path.join(modelsDir, 'escape'), 'dir');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(modelsDir, 'snare', 'decoder', 'leak.bin'));
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(pageDir, 'leak.js'));
  server = await startAuditionServer({ modelsDir, pageDir, port: 0, maxUploadBytes: LIMIT, log: () => undefined });
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const get = (p: string, headers?: Record<string, string>) => rawRequest(server.port, p, { headers });

describe('routes and content types', () => {
  test('the page and its assets', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body.toString()).toContain('<title>t</title>');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    const js = await get('/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get('/index.html')).status).toBe(200);
    expect((await get('/app.js?v=2')).status).toBe(200); // a query string does not change the file
  });

  test('GET /api/models lists the models with their summaries, and broken folders with the reason', async () => {
    const res = await get('/api/models');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const listing = JSON.parse(res.body.toString());
    expect(listing.models).toEqual([
      expect.objectContaining({
        folder: 'snare', name: 'snare', model_type: 'dense-ae', latent: 2, sample_rate: 8000, length: L, epochs: 0,
        losses: { loss: 0.0123, val_loss: 0.0234 }, has_latent_points: true, parts: ['encoder', 'decoder'],
      }),
    ]);
    expect(listing.broken).toEqual([{ folder: 'broken', error: expect.stringContaining('is not valid JSON') }]);
    expect(listing.max_upload_bytes).toBe(LIMIT);
  });

  test('model files: sampgen.json and model.json as JSON, weights as octet-stream, byte for byte', async () => {
    const meta = await get('/models/snare/sampgen.json');
    expect(meta.status).toBe(200);
    expect(meta.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(meta.body.toString())).toEqual(readModelMetadata(path.join(modelsDir, 'snare')));
    const modelJson = await get('/models/snare/decoder/model.json');
    expect(modelJson.status).toBe(200);
    expect(modelJson.headers['content-type']).toMatch(/^application\/json/);
    const weights = await get('/models/snare/encoder/weights.bin');
    expect(weights.status).toBe(200);
    expect(weights.headers['content-type']).toBe('application/octet-stream');
    expect(weights.body.equals(fs.readFileSync(path.join(modelsDir, 'snare', 'encoder', 'weights.bin')))).toBe(true);
    const head = await rawRequest(server.port, '/models/snare/encoder/weights.bin', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(weights.body.length);
    expect(head.body.length).toBe(0);
  });

  test('unknown routes, files and models are 404; other methods 405', async () => {
    for (const p of ['/nope.js', '/server.js', '/api/nope', '/models/snare/other/model.json', '/models/snare/encoder', '/models/missing/sampgen.json', '/models/notes/readme.txt', '/models']) {
      expect([p, (await get(p)).status]).toEqual([p, 404]);
    }
    const post = await rawRequest(server.port, '/api/models', { method: 'POST', body: Buffer.from('x') });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const del = await rawRequest(server.port, '/models/snare/sampgen.json', { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect((await get('/api/models/snare/preprocess')).status).toBe(405);
    expect(fs.existsSync(path.join(modelsDir, 'snare', 'sampgen.json'))).toBe(true);
  });

  test('a broken model folder says why', async () => {
    const res = await get('/models/broken/sampgen.json');
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body.toString()).error).toContain('is not valid JSON');
  });
});

describe('path traversal is refused with 404', () => {
  const attempts = [
    '/../secret.txt',
    '/models/../../secret.txt',
    '/models/snare/../../secret.txt',
    '/models/snare/decoder/../../../secret.txt',
    '/%2e%2e/secret.txt',
    '/models/%2e%2e/%2e%2e/secret.txt',
    '/models/snare/..%2f..%2f..%2fsecret.txt',
    '/models/snare/..%2F..%2Fsecret.txt',
    '/models/snare/..%5c..%5csecret.txt',
    '/models/snare\\..\\..\\secret.txt',
    '/..\\secret.txt',
    '/models/escape/secret.txt', // a symlinked folder leading out of --models
    '/models/snare/decoder/leak.bin', // a symlinked file leading out of a model folder
    '/leak.js', // a symlinked file leading out of the page folder
    '//etc/passwd',
    '/models//snare/sampgen.json',
    '/%00',
    '/models/snare/sampgen.json%00.js',
    '/models/.hidden/sampgen.json',
    '/models/snare/%E0%A4%A', // malformed percent-encoding
    '/api/models/..%2fsnare/preprocess',
  ];
  test.each(attempts)('%s', async (p) => {
    const res = await get(p);
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toContain('secret');
  });

  test('the outside files exist, so the 404s above are refusals and not misses', () => {
    expect(fs.readFileSync(path.join(modelsDir, 'escape', 'secret.txt'), 'utf8')).toBe('secret');
    expect(fs.readFileSync(path.join(modelsDir, 'snare', 'decoder', 'leak.bin'), 'utf8')).toBe('secret');
  });

  test('a page file that is a symlink leading out of the page folder is refused too', async () => {
    const linkedPage = path.join(root, 'linked-page');
    fs.mkdirSync(linkedPage);
    fs.writeFileSync(path.join(linkedPage, 'index.html'), '<!doctype html>');
    fs.writeFileSync(path.join(linkedPage, 'app.js'), '');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(linkedPage, 'style.css'));
    const other = await startAuditionServer({ modelsDir, pageDir: linkedPage, port: 0 });
    try {
      expect((await rawRequest(other.port, '/app.js')).status).toBe(200);
      const res = await rawRequest(other.port, '/style.css');
      expect(res.status).toBe(404);
      expect(res.body.toString()).not.toContain('secret');
    } finally {
      await other.close();
    }
  });

  test('requests addressed to another host name (DNS rebinding) are refused on loopback', async () => {
    expect((await get('/api/models', { Host: 'evil.example:8080' })).status).toBe(403);
    expect((await get('/api/models', { Host: `localhost:${server.port}` })).status).toBe(200);
    expect((await get('/api/models', { Host: `[::1]:${server.port}` })).status).toBe(200);
  });
});

describe('POST /api/models/<folder>/preprocess', () => {
  test('returns the row that sampgen encode computes for the same file, as little-endian float32', async () => {
    const wav = toneWav({ sampleRate: 11025, frames: 900 });
    const res = await rawRequest(server.port, '/api/models/snare/preprocess', {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: wav,
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.body.length).toBe(L * 4);
    const row = Float32Array.from({ length: L }, (_, i) => res.body.readFloatLE(i * 4));
    // The reference: `sampgen encode`'s own preprocessing of the same bytes read from disk.
    const file = path.join(root, 'tone.wav');
    fs.writeFileSync(file, wav);
    const expected = await preprocessForModel(file, readModelMetadata(path.join(modelsDir, 'snare')));
    expect(Array.from(row)).toEqual(Array.from(expected));
    // The peak sits where the model's dataset put it (attack = 16 samples).
    let peak = 0;
    for (let i = 1; i < L; i++) if (Math.abs(row[i]!) > Math.abs(row[peak]!)) peak = i;
    expect(peak).toBe(16);
  });

  test('writes nothing into the models folder', async () => {
    const before = fs.readdirSync(modelsDir, { recursive: true }).sort();
    await rawRequest(server.port, '/api/models/snare/preprocess', { method: 'POST', body: toneWav() });
    expect(fs.readdirSync(modelsDir, { recursive: true }).sort()).toEqual(before);
  });

  test('a file over the limit is 413, announced or streamed', async () => {
    const announced = await rawRequest(server.port, '/api/models/snare/preprocess', {
      method: 'POST',
      headers: { 'Content-Length': String(LIMIT + 1) },
      body: Buffer.alloc(16),
    }).catch((err: NodeJS.ErrnoException) => ({ status: err.code ?? 'error' }));
    expect(announced.status).toBe(413);
    // Chunked, no Content-Length: refused once the bytes pass the limit.
    const chunk = new Uint8Array(1000);
    const streamed = await rawRequest(server.port, '/api/models/snare/preprocess', {
      method: 'POST',
      headers: { 'Transfer-Encoding': 'chunked' },
      body: [chunk, chunk, chunk, chunk, chunk],
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body.toString())).toEqual({ error: expect.stringContaining(`${LIMIT} bytes`), limit: LIMIT });
    // Exactly at the limit is fine as far as the limit goes (it is not audio, hence 422).
    const atLimit = await rawRequest(server.port, '/api/models/snare/preprocess', { method: 'POST', body: new Uint8Array(LIMIT) });
    expect(atLimit.status).toBe(422);
  });

  test('bytes that are not audio, or silence, are 422 with the reason', async () => {
    const junk = await rawRequest(server.port, '/api/models/snare/preprocess', { method: 'POST', body: Buffer.from('hello, not a wav') });
    expect(junk.status).toBe(422);
    expect(JSON.parse(junk.body.toString()).error).toMatch(/WAV|FLAC|AIFF|format|recogni/i);
    const silent = await rawRequest(server.port, '/api/models/snare/preprocess', { method: 'POST', body: toneWav({ amp: 0 }) });
    expect(silent.status).toBe(422);
    expect(JSON.parse(silent.body.toString()).error).toMatch(/cannot be encoded/);
  });

  test('an unknown model is 404', async () => {
    const res = await rawRequest(server.port, '/api/models/missing/preprocess', { method: 'POST', body: toneWav() });
    expect(res.status).toBe(404);
  });
});

describe('starting', () => {
  test('a missing --models folder, a file, or a model folder itself is a UserError', async () => {
    await expect(startAuditionServer({ modelsDir: path.join(root, 'nope'), pageDir, port: 0 })).rejects.toThrow(UserError);
    await expect(startAuditionServer({ modelsDir: path.join(root, 'secret.txt'), pageDir, port: 0 })).rejects.toThrow(/is a file/);
    await expect(startAuditionServer({ modelsDir: path.join(modelsDir, 'snare'), pageDir, port: 0 })).rejects.toThrow(/itself a model folder/);
  });

  test('an unbuilt page is a UserError that says how to build it', async () => {
    await expect(startAuditionServer({ modelsDir, pageDir: path.join(root, 'nopage'), port: 0 })).rejects.toThrow(/npm run build/);
  });

  test('a port in use is a clear UserError', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const err = await startAuditionServer({ modelsDir, pageDir, port }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toBe(`port ${port} on 127.0.0.1 is already in use (another sampgen audition?): stop it or choose another --port`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test('binds 127.0.0.1 by default and warns only for other hosts', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.server.address()).toEqual(expect.objectContaining({ address: '127.0.0.1' }));
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(exposureWarning('127.0.0.1')).toBeNull();
    expect(exposureWarning('localhost')).toBeNull();
    expect(exposureWarning('0.0.0.0')).toMatch(/no authentication/);
    expect(urlFor('0.0.0.0', 8080)).toBe('http://127.0.0.1:8080/');
    expect(urlFor('::1', 8080)).toBe('http://[::1]:8080/');
  });
});
