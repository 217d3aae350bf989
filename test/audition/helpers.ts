import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { encodeWav } from '../../src/audio';
import { datasetFingerprint, readDatasetInfo } from '../../src/data';
import { ModelMetadata, writeModelFolder } from '../../src/export';
import { buildDenseAutoencoder } from '../../src/models/dense';
import { Rng } from '../../src/util/rng';

export const SR = 8000;
export const L = 256;

/**
 * A small exported dense autoencoder (random weights: these tests check plumbing, not quality) with the
 * training set's latent points, written by the exporter's own writeModelFolder.
 */
export async function writeTestModel(
  modelsDir: string,
  folder: string,
  opts: { latent?: number; length?: number; seed?: number; points?: number; dataset?: string } = {},
): Promise<ModelMetadata> {
  const latent = opts.latent ?? 2;
  const length = opts.length ?? L;
  const seed = opts.seed ?? 5;
  const { encoder, decoder } = buildDenseAutoencoder({ size: 'small', activation: 'tanh', latent, length, seed, encoderUnits: [16] });
  const rng = new Rng(seed);
  const points = Array.from({ length: opts.points ?? 40 }, () => Array.from({ length: latent }, () => rng.uniform(-0.8, 0.8)));
  // With a dataset: what an export of a run records about it (train/export-run.ts), so that its rows name the points.
  const trained = opts.dataset
    ? {
        run: { folder: `${folder}-run`, dataset_fingerprint: datasetFingerprint(readDatasetInfo(opts.dataset)), weights: 'last' as const, epoch: 0 },
        training: { run: path.resolve(opts.dataset, '..', 'runs', `${folder}-run`), dataset: { path: path.resolve(opts.dataset), count: points.length } },
      }
    : {};
  const meta = await writeModelFolder(path.join(modelsDir, folder), { encoder, decoder }, {
    ...trained,
    name: folder,
    model_type: 'dense-ae',
    sample_rate: SR,
    length,
    latent,
    latent_bounds: { min: Array(latent).fill(-1), max: Array(latent).fill(1) },
    latent_prior: null,
    config_hash: 'test',
    config: { model: { type: 'dense-ae', size: 'small', activation: 'tanh' }, train: { epochs: 0 }, ...(opts.dataset ? { data: { path: path.resolve(opts.dataset) } } : {}) },
    losses: { loss: 0.0123, val_loss: 0.0234 },
    epochs: 0,
    preprocess: { channel: 'first', attack: 16, length, sample_rate: SR },
    latent_points: points,
  });
  encoder.dispose();
  decoder.dispose();
  return meta;
}

/** A decaying 440 Hz tone as a 16-bit WAV at `sampleRate`, peak `amp` at sample `peakAt`. */
export function toneWav(opts: { sampleRate?: number; frames?: number; amp?: number; freq?: number } = {}): Uint8Array {
  const sr = opts.sampleRate ?? SR;
  const n = opts.frames ?? 600;
  const amp = opts.amp ?? 0.8;
  const f = opts.freq ?? 440;
  const x = Float32Array.from({ length: n }, (_, i) => amp * Math.exp(-i / (0.02 * sr)) * Math.sin((2 * Math.PI * f * i) / sr + 0.3));
  return encodeWav(x, sr, 'pcm16');
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One HTTP request with the path sent exactly as given (no URL normalisation, unlike fetch), so that `..`,
 * backslashes and encoded slashes reach the server as an attacker would send them.
 */
export function rawRequest(
  port: number,
  rawPath: string,
  opts: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Uint8Array | Uint8Array[] } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const body = opts.body === undefined ? [] : Array.isArray(opts.body) ? opts.body : [opts.body];
    for (const chunk of body) req.write(chunk);
    req.end();
  });
}

/** tfjs on its pure-JS backend, as the page's `?backend=cpu` runs it. */
export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** A static file server: GET of a file under `dir` (/ is index.html), 404 otherwise; records every path asked for. */
export async function staticServer(dir: string): Promise<{ origin: string; paths: string[]; notFound: string[]; close: () => Promise<void> }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wav': 'audio/wav' };
  const paths: string[] = [];
  const notFound: string[] = [];
  const root = fs.realpathSync(dir);
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    paths.push(p);
    const file = path.join(root, p === '/' ? 'index.html' : p);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      notFound.push(p);
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, paths, notFound, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
