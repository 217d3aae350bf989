/**
 * `npm run bench:page [-- --configs ae-medium-tanh,vae-c] [--repeats 60] [--drops 6] [--backend cpu|webgl|auto] [--json]`
 *
 * The audition page's latencies in headless Chromium (Debian's `chromium`, or SAMPGEN_CHROMIUM), on a static site
 * built by `sampgen site` and served by a plain file server, as a producer meets them:
 *   - decode: a move of the point to the sound (predict + read back), per arrow key, after warm-up;
 *   - drop: a dropped file to its point: reading it, decoding and preprocessing it in the page's worker, encoding.
 *     The first drop also starts the worker (its wasm decoders); it is reported apart ("first").
 * Each shipped config's untrained networks are exported (times do not depend on the weights' values). Prints the
 * median, 90th percentile and worst per model and file, and the command that reproduces them. Not a test: speed
 * depends on the machine and its load.
 */
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { encodeWav } from '../audio';
import { buildSite } from '../audition/site';
import { initBackend } from '../backend';
import { loadConfig } from '../config';
import { writeModelFolder } from '../export';
import { buildTrainer } from '../train/trainers';
import { PACKAGE_ROOT } from '../version';
import { round, runAsScript } from './common';

const DEFAULT_CONFIGS = ['ae-medium-tanh', 'vae-c'];

/** The part of the page's window.__sampgen (src/audition/page/state.ts) read here (a cast: that module is the page's). */
type PageWindow = {
  __sampgen?: { ready: boolean; backend: string; decodes: number; point: number[]; decodedPoint: number[] | null; lastDecodeMs: number | null; marks: unknown[]; error: string | null };
};
const SAMPLE_RATE = 44100;

export interface PageRow {
  config: string;
  what: string;
  n: number;
  median_ms: number;
  p90_ms: number;
  max_ms: number;
}

function stats(config: string, what: string, times: number[]): PageRow {
  const t = [...times].sort((a, b) => a - b);
  const q = (p: number) => t[Math.min(t.length - 1, Math.floor(p * t.length))]!;
  return { config, what, n: t.length, median_ms: round(q(0.5), 2), p90_ms: round(q(0.9), 2), max_ms: round(t[t.length - 1]!, 2) };
}

async function exportConfig(name: string, modelsDir: string): Promise<void> {
  const loaded = loadConfig(path.join(PACKAGE_ROOT, 'configs', `${name}.yaml`));
  const { config } = loaded;
  const trainer = buildTrainer(config, 1, { sampleRate: SAMPLE_RATE });
  const latent = config.model.latent;
  try {
    await writeModelFolder(path.join(modelsDir, name), trainer.exportParts(), {
      name,
      model_type: config.model.type,
      sample_rate: SAMPLE_RATE,
      length: config.model.length,
      latent,
      latent_bounds: { min: Array(latent).fill(-1), max: Array(latent).fill(1) },
      latent_prior: trainer.prior,
      config_hash: loaded.hash,
      config: config as unknown as Record<string, unknown>,
      losses: {},
      epochs: 0,
      preprocess: { channel: 'first', attack: 441, length: config.model.length, sample_rate: SAMPLE_RATE },
    });
  } finally {
    trainer.dispose();
  }
}

/** A plain static file server for the site (what any host does), on a free port of 127.0.0.1. */
async function serve(dir: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(dir, p === '/' ? 'index.html' : p);
    if (!file.startsWith(dir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Files to drop: a 1 s 16-bit WAV at 44.1 kHz made here, and the test fixtures' FLAC and MP3 where the checkout has them. */
function dropFiles(): { name: string; bytes: Uint8Array }[] {
  const n = SAMPLE_RATE;
  const hit = Float32Array.from({ length: n }, (_, i) => 0.8 * Math.exp(-i / 4000) * Math.sin((2 * Math.PI * 180 * i) / SAMPLE_RATE));
  const files = [{ name: 'hit-1s-44k.wav', bytes: encodeWav(hit, SAMPLE_RATE, 'pcm16') }];
  for (const rel of ['real/808_Clave.flac', 'lossy/stereo-48k.mp3']) {
    const file = path.join(PACKAGE_ROOT, 'test', 'fixtures', rel);
    if (fs.existsSync(file)) files.push({ name: path.basename(file), bytes: new Uint8Array(fs.readFileSync(file)) });
  }
  return files;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .option('--configs <list>', 'comma-separated names of shipped configs (configs/<name>.yaml) with an encoder', DEFAULT_CONFIGS.join(','))
    .option('--repeats <n>', 'timed moves per model', '60')
    .option('--drops <n>', 'timed drops per file (after the first)', '6')
    .option('--backend <name>', "the page's TF.js backend: cpu, webgl, or auto (the page's own choice)", 'cpu')
    .option('--json', 'print only a JSON array of rows')
    .parse(argv);
  const o = program.opts<{ configs: string; repeats: string; drops: string; backend: string; json?: boolean }>();
  const log = o.json ? () => undefined : (m: string) => process.stderr.write(m + '\n');
  const chromium = process.env.SAMPGEN_CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) throw new Error(`no Chromium at ${chromium} (apt-get install -y chromium, or set SAMPGEN_CHROMIUM)`);
  await initBackend('cpu', () => undefined);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-bench-page-'));
  const rows: PageRow[] = [];
  const configs = o.configs.split(',');
  try {
    for (const name of configs) await exportConfig(name, path.join(root, 'models'));
    const site = path.join(root, 'site');
    await buildSite({ modelsDir: path.join(root, 'models'), out: site });
    const host = await serve(fs.realpathSync(site));
    const { chromium: pw } = await import('playwright-core');
    const browser = await pw.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--autoplay-policy=no-user-gesture-required'] });
    try {
      for (const name of configs) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const backend = o.backend === 'auto' ? '' : `&backend=${o.backend}`;
        await page.goto(`${host.origin}/?model=${name}${backend}`);
        await page.waitForFunction(() => (window as unknown as PageWindow).__sampgen?.ready === true, null, { timeout: 120_000 });
        const pageBackend = await page.evaluate(() => (window as unknown as PageWindow).__sampgen!.backend);
        await page.locator('#pad').focus();
        const moves: number[] = [];
        const repeats = Number(o.repeats);
        for (let i = 0; i < repeats + 10; i++) {
          const before = await page.evaluate(() => (window as unknown as PageWindow).__sampgen!.decodes);
          await page.keyboard.press(i % 2 ? 'ArrowLeft' : 'ArrowUp');
          await page.waitForFunction((n) => {
            const s = (window as unknown as PageWindow).__sampgen!;
            return s.decodes > n && s.decodedPoint!.join() === s.point.join();
          }, before);
          if (i >= 10) moves.push((await page.evaluate(() => (window as unknown as PageWindow).__sampgen!.lastDecodeMs))!);
        }
        rows.push(stats(name, `decode (${pageBackend})`, moves));
        log(`${name}: decode median ${rows.at(-1)!.median_ms} ms on ${pageBackend}`);
        for (const [k, file] of dropFiles().entries()) {
          const times: number[] = [];
          for (let i = 0; i <= Number(o.drops); i++) {
            const ms = await page.evaluate(
              ([fileName, bytes]) =>
                new Promise<number>((resolve, reject) => {
                  const s = (window as unknown as PageWindow).__sampgen!;
                  const marks = s.marks.length;
                  const dt = new DataTransfer();
                  dt.items.add(new File([new Uint8Array(bytes as number[])], fileName as string));
                  const t0 = performance.now();
                  document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
                  const wait = () => {
                    if (s.marks.length > marks) resolve(performance.now() - t0);
                    else if (s.error) reject(new Error(s.error));
                    else requestAnimationFrame(wait);
                  };
                  wait();
                }),
              [file.name, Array.from(file.bytes)] as const,
            );
            if (i === 0 && k === 0) rows.push(stats(name, `drop ${file.name}, first (starts the decode worker)`, [ms]));
            else if (i > 0) times.push(ms);
          }
          rows.push(stats(name, `drop ${file.name}`, times));
          log(`${name}: ${file.name} median ${rows.at(-1)!.median_ms} ms`);
        }
        await page.close();
      }
    } finally {
      await browser.close();
      await host.close();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  const lines = [
    `headless Chromium (${chromium}), static site on 127.0.0.1; ${os.cpus().length} CPU(s); ms (the first drop of a session starts the worker):`,
    '',
    '| config | what | n | median | p90 | max |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.config} | ${r.what} | ${r.n} | ${r.median_ms} | ${r.p90_ms} | ${r.max_ms} |`),
    '',
    `reproduce: npm run bench:page -- ${argv.slice(2).join(' ')}`.trimEnd(),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

runAsScript(module, 'bench:page', main);
