import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { groupDigits } from '../../src/audio';
import {
  AuditionServer,
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_MAX_UPLOAD_SAMPLES,
  exposureWarning,
  PayloadTooLarge,
  startAuditionServer,
  urlFor,
} from '../../src/audition';
import { preprocessFileWithLevels } from '../../src/infer/encode';
import { UserError } from '../../src/errors';
import { readModelMetadata } from '../../src/export';
import { tempDir } from '../helpers/dataset';
import { commChunk, constantFlac, fmtChunk, iffFile, rf64Wav, riffFile, slowFlac, ssndChunk } from '../audio/fixtures';
import { L, RawResponse, rawRequest, toneWav, useCpuBackend, writeTestModel } from './helpers';

/**
 * The audition server over real HTTP on 127.0.0.1 with an ephemeral port: routes, content types, every kind of
 * path-traversal attempt, the upload limits (bytes, and audio declared or held), requests from other web sites,
 * decoding off the event loop, and the model listing. The page here is three stand-in files; the real bundle is
 * exercised by the browser test.
 *
 * The decode worker runs from dist/ (`npm test` builds first, as for `sampgen preprocess`'s workers).
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
  // The latest-export link that training makes (models/<name> → <name>-<hash>): not listed twice, but servable.
  fs.symlinkSync('snare', path.join(modelsDir, 'snare-latest'), 'dir');
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
/** An upload as the page sends it: the file's bytes as application/octet-stream. */
const upload = (body: Uint8Array, headers: Record<string, string> = {}, folder = 'snare', port = server.port) =>
  rawRequest(port, `/api/models/${folder}/preprocess`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', ...headers }, body });

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
        losses: { loss: 0.0123, val_loss: 0.0234 }, has_latent_points: true, parts: ['encoder', 'decoder'], condition: null,
      }),
    ]);
    expect(listing.broken).toEqual([{ folder: 'broken', error: expect.stringContaining('is not valid JSON') }]);
    expect(listing.max_upload_bytes).toBe(LIMIT);
  });

  test('a link to a sibling model folder (the models/<name> alias) is not listed, and still opens by its name', async () => {
    const listing = JSON.parse((await get('/api/models')).body.toString());
    expect(listing.models.map((m: { folder: string }) => m.folder)).toEqual(['snare']);
    const viaLink = await get('/models/snare-latest/sampgen.json');
    expect(viaLink.status).toBe(200);
    expect(viaLink.body).toEqual((await get('/models/snare/sampgen.json')).body);
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
  test('returns the row that sampgen encode computes for the same file, as little-endian float32, and its levels in headers', async () => {
    const wav = toneWav({ sampleRate: 11025, frames: 900 });
    const res = await upload(wav);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.body.length).toBe(L * 4);
    const row = Float32Array.from({ length: L }, (_, i) => res.body.readFloatLE(i * 4));
    // The reference: `sampgen encode`'s own preprocessing of the same bytes read from disk.
    const file = path.join(root, 'tone.wav');
    fs.writeFileSync(file, wav);
    const expected = await preprocessFileWithLevels(file, readModelMetadata(path.join(modelsDir, 'snare')));
    expect(Array.from(row)).toEqual(Array.from(expected.row));
    // The source's levels, from which a conditional model's page takes the file's velocity.
    expect(Number(res.headers['x-sampgen-attack-rms-dbfs'])).toBe(expected.levels.attackRmsDbfs);
    expect(Number(res.headers['x-sampgen-peak-dbfs'])).toBe(expected.levels.peakDbfs);
    expect(expected.levels.peakDbfs).toBeCloseTo(20 * Math.log10(0.8), 0); // toneWav's peak amplitude
    // The peak sits where the model's dataset put it (attack = 16 samples).
    let peak = 0;
    for (let i = 1; i < L; i++) if (Math.abs(row[i]!) > Math.abs(row[peak]!)) peak = i;
    expect(peak).toBe(16);
  });

  test('writes nothing into the models folder', async () => {
    const before = fs.readdirSync(modelsDir, { recursive: true }).sort();
    expect((await upload(toneWav())).status).toBe(200);
    expect(fs.readdirSync(modelsDir, { recursive: true }).sort()).toEqual(before);
  });

  test('a file over the limit is 413, announced or streamed', async () => {
    const announced = await upload(Buffer.alloc(16), { 'Content-Length': String(LIMIT + 1) }).catch((err: NodeJS.ErrnoException) => ({
      status: err.code ?? 'error',
      body: Buffer.alloc(0),
    }));
    expect(announced.status).toBe(413);
    expect(JSON.parse(announced.body.toString())).toEqual({ error: 'the file is 4,097 bytes, larger than the upload limit of 4 KiB (4,096 bytes)', limit: LIMIT });
    // Chunked, no Content-Length: refused once the bytes pass the limit.
    const chunk = new Uint8Array(1000);
    const streamed = await rawRequest(server.port, '/api/models/snare/preprocess', {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' },
      body: [chunk, chunk, chunk, chunk, chunk],
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body.toString())).toEqual({ error: 'the file is larger than the upload limit of 4 KiB', limit: LIMIT });
    // Exactly at the limit is fine as far as the limit goes (it is not audio, hence 422).
    const atLimit = await upload(new Uint8Array(LIMIT));
    expect(atLimit.status).toBe(422);
  });

  test('the size limit is stated in its own unit, MiB for the default, with the file in the same unit', () => {
    const MiB = 2 ** 20;
    expect(DEFAULT_MAX_UPLOAD_BYTES).toBe(20 * MiB);
    expect(new PayloadTooLarge(20 * MiB).message).toBe('the file is larger than the upload limit of 20 MiB');
    expect(new PayloadTooLarge(20 * MiB, 25.5 * MiB).message).toBe('the file is 25.5 MiB, larger than the upload limit of 20 MiB');
    expect(new PayloadTooLarge(20 * MiB, 20 * MiB + 1).message).toBe('the file is 20,971,521 bytes, larger than the upload limit of 20 MiB (20,971,520 bytes)');
    expect(new PayloadTooLarge(512 * 1024, 3 * MiB).message).toBe('the file is 3072 KiB, larger than the upload limit of 512 KiB');
  });

  test('bytes that are not audio, or silence, are 422 with the reason', async () => {
    const junk = await upload(Buffer.from('hello, not a wav'));
    expect(junk.status).toBe(422);
    expect(JSON.parse(junk.body.toString()).error).toMatch(/WAV|FLAC|AIFF|format|recogni/i);
    const silent = await upload(toneWav({ amp: 0 }));
    expect(silent.status).toBe(422);
    expect(JSON.parse(silent.body.toString()).error).toMatch(/cannot be encoded/);
  });

  test('an unknown model is 404', async () => {
    const res = await upload(toneWav(), {}, 'missing');
    expect(res.status).toBe(404);
  });
});

/** Waits (without a deadline: jest's test timeout is the one) until the server reaches a state. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** An upload whose client sends the headers and half the body, then waits to be told to finish or to hang up. */
function startUpload(port: number, body: Uint8Array): { finish(): Promise<RawResponse>; abort(): void } {
  const req = http.request({
    host: '127.0.0.1',
    port,
    path: '/api/models/snare/preprocess',
    method: 'POST',
    agent: false,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) },
  });
  const response = new Promise<RawResponse>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
  });
  req.write(body.subarray(0, body.length >> 1));
  return {
    finish: () => {
      req.end(body.subarray(body.length >> 1));
      return response;
    },
    abort: () => {
      response.catch(() => undefined);
      req.destroy();
    },
  };
}

const errorOf = (res: RawResponse) => JSON.parse(res.body.toString()).error as string;

describe('requests from other web sites are refused (CSRF)', () => {
  const evil = 'http://evil.example';
  const post = (headers: Record<string, string>) => rawRequest(server.port, '/api/models/snare/preprocess', { method: 'POST', headers, body: toneWav() });

  test('a text/plain upload from another site (the simple request any page can send) is 403, before decoding', async () => {
    const started = server.uploads().started;
    const res = await post({ 'Content-Type': 'text/plain', Origin: evil });
    expect(res.status).toBe(403);
    expect(errorOf(res)).toBe(`refused: the request comes from a page at ${evil}; this server answers only its own page (http://127.0.0.1:${server.port})`);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(server.uploads().started).toBe(started);
  });

  test('without an Origin, the content types a page may send cross-site without a preflight are 403 too', async () => {
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'TEXT/PLAIN', undefined]) {
      const res = await post(type === undefined ? {} : { 'Content-Type': type });
      expect([type, res.status]).toEqual([type, 403]);
      expect(errorOf(res)).toMatch(/^refused: send the file's bytes with Content-Type: application\/octet-stream \(got /);
    }
  });

  test('the right content type from another origin, a null origin, another port or scheme, or a cross-site fetch is 403', async () => {
    const port = server.port;
    for (const origin of [evil, 'null', `http://127.0.0.1:${port + 1}`, `https://127.0.0.1:${port}`, `http://localhost:${port}`, `http://127.0.0.1:${port}.evil.example`]) {
      const res = await post({ 'Content-Type': 'application/octet-stream', Origin: origin });
      expect([origin, res.status]).toEqual([origin, 403]);
    }
    for (const site of ['cross-site', 'same-site']) {
      const res = await post({ 'Content-Type': 'application/octet-stream', 'Sec-Fetch-Site': site });
      expect([site, res.status]).toEqual([site, 403]);
      expect(errorOf(res)).toMatch(/^refused: the upload comes from another web site/);
    }
  });

  test("the page's own uploads still work: its origin under either loopback name, audio/* types, Sec-Fetch-Site same-origin", async () => {
    const port = server.port;
    const expected = (await upload(toneWav())).body;
    const variants: Record<string, string>[] = [
      { Origin: `http://127.0.0.1:${port}` },
      { Origin: `http://localhost:${port}`, Host: `localhost:${port}` },
      { Origin: `http://127.0.0.1:${port}`, 'Sec-Fetch-Site': 'same-origin' },
      { 'Content-Type': 'audio/wav' },
      { 'Content-Type': 'Application/Octet-Stream; x=1' },
    ];
    for (const headers of variants) {
      const res = await upload(toneWav(), headers);
      expect([headers, res.status]).toEqual([headers, 200]);
      expect(res.body.equals(expected)).toBe(true);
    }
  });

  test('CORS preflights and reads from other origins are 403, and no Access-Control header is ever sent', async () => {
    const preflight = await rawRequest(server.port, '/api/models/snare/preprocess', {
      method: 'OPTIONS',
      headers: { Origin: evil, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(403);
    const read = await get('/models/snare/sampgen.json', { Origin: evil });
    expect(read.status).toBe(403);
    const own = await get('/models/snare/sampgen.json', { Origin: `http://127.0.0.1:${server.port}` });
    expect(own.status).toBe(200);
    for (const res of [preflight, read, own]) {
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });
});

describe('uploads holding more audio than the limit are refused before it is decoded', () => {
  // The server's defaults: 20 MiB per file, 2 minutes of stereo at 48 kHz.
  let big: AuditionServer;
  beforeAll(async () => {
    big = await startAuditionServer({ modelsDir, pageDir, port: 0, log: () => undefined });
  });
  afterAll(() => big?.close());
  const send = (body: Uint8Array) => upload(body, {}, 'snare', big.port);
  const limitWords = '11,520,000 samples (2 min of stereo audio at 48 kHz)';
  const MiB = 2 ** 20;

  test.each([
    ['FLAC: an hour of 8-channel silence at 48 kHz', () => constantFlac(3600 * 48000, 8, 48000), 3600 * 48000 * 8, '1 h of 8-channel audio at 48 kHz'],
    [
      'WAV: a 4 GB data chunk declared, 1 kB present',
      () => riffFile([fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 16 }), { id: 'data', body: new Array(1000).fill(0), declaredSize: 0xfffffff0 }]),
      Math.floor(0xfffffff0 / 4) * 2,
      '6.2 h of stereo audio at 48 kHz',
    ],
    [
      'RF64: 64 GiB declared in ds64',
      () => {
        const wav = rf64Wav([[1, 2, 3]], 16, 48000);
        wav.set([0, 0, 0, 0, 0x10, 0, 0, 0], 12 + 8 + 8); // ds64 data size = 2^36 bytes
        return wav;
      },
      2 ** 35,
      '198.8 h of mono audio at 48 kHz',
    ],
    [
      'AIFF: 2^32 - 1 frames of 8 channels declared',
      () => iffFile('AIFF', [commChunk({ channels: 8, frames: 0xffffffff, bits: 16, sampleRate: 44100 }), ssndChunk(new Uint8Array(64))]),
      0xffffffff * 8,
      '27.1 h of 8-channel audio at 44.1 kHz',
    ],
  ])('%s: 413 in words, from the header alone, memory untouched', async (_name, make, samples, words) => {
    const file = make();
    const started = big.uploads().started;
    const rss = process.memoryUsage().rss;
    const res = await send(file);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toEqual({
      error: `the file is too long: its header declares ${groupDigits(samples)} samples (frames × channels: ${words}); the limit is ${limitWords}`,
      max_samples: DEFAULT_MAX_UPLOAD_SAMPLES,
    });
    // Refused on the main thread from the header: no decode was started, and the server did not grow.
    expect(big.uploads().started).toBe(started);
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * MiB);
  });

  test('FLAC that does not say its length (or understates it): the decode stops once its frames pass the limit', async () => {
    // Ten minutes of stereo silence: 6 kB of file, 230 MB of float32 if decoded, twice that while rescaling.
    for (const totalSamples of [0, 48000]) {
      const file = constantFlac(600 * 48000, 2, 48000, { totalSamples });
      expect(file.length).toBeLessThan(16 * 1024);
      const rss = process.memoryUsage().rss;
      const res = await send(file);
      expect(res.status).toBe(413);
      expect(errorOf(res)).toBe(`the file is too long: it holds more than 11,520,000 samples (frames × channels: over 2 min of stereo audio at 48 kHz); the limit is ${limitWords}`);
      expect(process.memoryUsage().rss - rss).toBeLessThan(128 * MiB);
    }
  });

  test('a long file within the limit still goes through (2 minutes of mono at 48 kHz)', async () => {
    const res = await send(constantFlac(120 * 48000, 1, 48000, { value: 1000 }));
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(L * 4);
  });
});

describe('decoding runs on a worker thread, one upload at a time', () => {
  const slow = slowFlac(32768); // 512 kB whose frame search takes tens of seconds (see the fixture)

  test('a long decode holds up no other request, and is stopped at the time limit', async () => {
    const srv = await startAuditionServer({ modelsDir, pageDir, port: 0, decodeTimeoutMs: 2000, log: () => undefined });
    try {
      expect(srv.uploads().onWorker).toBe(true); // dist/audition/decode-worker.js is built
      let answered = false;
      const pending = upload(slow, {}, 'snare', srv.port).finally(() => {
        answered = true;
      });
      await until(() => srv.uploads().decoding);
      // Other requests are answered while the decode runs (on one thread they would wait for it to finish).
      expect((await rawRequest(srv.port, '/api/models')).status).toBe(200);
      expect((await rawRequest(srv.port, '/')).status).toBe(200);
      expect(answered).toBe(false);
      expect(srv.uploads().decoding).toBe(true);
      const res = await pending;
      expect(res.status).toBe(422);
      expect(errorOf(res)).toBe("decoding the file took longer than 2 s, the server's limit: the file is damaged, or far longer than a one-shot");
      // The stopped worker is replaced: the next upload is decoded.
      expect((await upload(toneWav(), {}, 'snare', srv.port)).status).toBe(200);
    } finally {
      await srv.close();
    }
  });

  test('closing the server (what SIGTERM does) ends a decode in progress at once', async () => {
    const srv = await startAuditionServer({ modelsDir, pageDir, port: 0, log: () => undefined }); // 30 s time limit
    const pending = upload(slow, {}, 'snare', srv.port).then(
      (res) => res.status,
      (err: NodeJS.ErrnoException) => err.code,
    );
    await until(() => srv.uploads().decoding);
    await srv.close();
    expect(await pending).toBe('ECONNRESET');
    // The decode itself was stopped (it would run for tens of seconds, past this test's timeout), so nothing keeps
    // the process alive after SIGTERM.
    await until(() => !srv.uploads().decoding);
  }, 15_000);

  test('uploads beyond the number in progress are 503 at once; a client that hangs up gives its room back', async () => {
    const srv = await startAuditionServer({ modelsDir, pageDir, port: 0, maxPendingUploads: 2, log: () => undefined });
    try {
      const first = startUpload(srv.port, toneWav());
      const second = startUpload(srv.port, toneWav());
      await until(() => srv.uploads().pending === 2);
      const third = await upload(toneWav(), {}, 'snare', srv.port);
      expect(third.status).toBe(503);
      expect(third.headers['retry-after']).toBe('1');
      expect(errorOf(third)).toBe('the server is busy with 2 other uploads; try again in a moment');
      expect((await rawRequest(srv.port, '/api/models')).status).toBe(200); // reads are not held up
      first.abort();
      await until(() => srv.uploads().pending === 1);
      expect((await upload(toneWav(), {}, 'snare', srv.port)).status).toBe(200);
      expect((await second.finish()).status).toBe(200);
      expect(srv.uploads()).toMatchObject({ pending: 0, decoding: false });
    } finally {
      await srv.close();
    }
  });

  test('200 parallel requests are all answered, and a client stalled inside its headers holds up nobody', async () => {
    const stalled = net.connect(server.port, '127.0.0.1');
    await new Promise((resolve) => stalled.once('connect', resolve));
    stalled.write('GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    try {
      const paths = ['/', '/app.js', '/api/models', '/models/snare/sampgen.json', '/models/snare/encoder/weights.bin', '/../secret.txt', '/nope'];
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => get(paths[i % paths.length]!)));
      results.forEach((res, i) => expect([paths[i % paths.length], res.status]).toEqual([paths[i % paths.length], i % paths.length >= 5 ? 404 : 200]));
    } finally {
      stalled.destroy();
    }
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
