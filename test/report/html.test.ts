import * as fs from 'fs';
import * as path from 'path';
import { planSweep, runSweep } from '../../src/sweep';
import { buildReport, writeHtmlReport, type ReportResult } from '../../src/report';
import { trainModel } from '../../src/train/run';
import { loadConfig } from '../../src/config';
import { isUserError } from '../../src/errors';
import { tinyProject, LENGTH } from '../sweep/helpers';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';
import { runCli } from '../helpers/cli';

const CHROMIUM = process.env.SAMPGEN_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.warn(`report page browser test skipped: no Chromium at ${CHROMIUM} (install it with: apt-get install -y chromium)`);

const { buildReportPage } = require('../../scripts/build-report-assets.js') as { buildReportPage: (dir: string) => string[] };

/** Every src and href of a page, without in-page anchors. */
function references(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&')).filter((r) => !r.startsWith('#'));
}

/** The header cells of the runs table, in order. */
function headings(html: string): string[] {
  const head = /<table id="runs-table">\s*<thead>([\s\S]*?)<\/thead>/.exec(html)![1]!;
  return [...head.matchAll(/<th[^>]*>(?:<button[^>]*>)?([^<]*)/g)].map((m) => m[1]!);
}

/** The text of the name cell of each row. */
function names(html: string): string[] {
  const body = /<table id="runs-table">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
  return [...body.matchAll(/<tr[^>]*><td[^>]*>(?:<a[^>]*>)?([^<]*)/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

/** Checks a 16-bit PCM mono WAV written at `rate` with `frames` frames, by its RIFF header (independent of src/audio). */
function expectWav(file: string, rate: number, frames: number): void {
  const b = fs.readFileSync(file);
  expect(b.toString('ascii', 0, 4)).toBe('RIFF');
  expect(b.readUInt32LE(4)).toBe(b.length - 8);
  expect(b.toString('ascii', 8, 12)).toBe('WAVE');
  let at = 12;
  let fmt: Buffer | null = null;
  let dataBytes = -1;
  while (at + 8 <= b.length) {
    const id = b.toString('ascii', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    if (id === 'fmt ') fmt = b.subarray(at + 8, at + 8 + size);
    if (id === 'data') dataBytes = size;
    at += 8 + size + (size % 2);
  }
  expect(fmt).not.toBeNull();
  expect(fmt!.readUInt16LE(0)).toBe(1); // PCM
  expect(fmt!.readUInt16LE(2)).toBe(1); // mono
  expect(fmt!.readUInt32LE(4)).toBe(rate);
  expect(fmt!.readUInt16LE(14)).toBe(16);
  expect(dataBytes).toBe(frames * 2);
}

describe('report --html over a tiny sweep and a conditional model', () => {
  let p: ReturnType<typeof tinyProject>;
  let pageAssets: string;
  let result: ReportResult;
  let out: string;
  let html: string;
  let cvaeFolder: string;

  beforeAll(async () => {
    p = tinyProject('configs: [configs/*.yaml]\naxes:\n  train.lr: [0.01, 0.001]\n');
    const plan = planSweep(p.gridFile);
    await runSweep({ plan, indices: plan.entries.map((e) => e.index), export: true });
    // A VAE conditioned on class and velocity, on a dataset of two labelled classes.
    const data = writeTestDataset(path.join(p.root, 'kit'), decayingSines(16, LENGTH, 4), 8000, {
      classes: Array.from({ length: 16 }, (_, i) => (i % 2 ? 'snare' : 'kick')),
      levels: Array.from({ length: 16 }, (_, i) => -30 + i),
    });
    const config = path.join(p.root, 'configs', 'cvae.yaml');
    fs.writeFileSync(
      config,
      fs.readFileSync(path.join(p.root, 'configs', 'ae-small-tanh.yaml'), 'utf8')
        .replace(/data: \{ path: [^,]+,/, `data: { path: ${JSON.stringify(data)},`)
        .replace(/model: .*/, `model: { type: vae, size: small, activation: tanh, length: ${LENGTH}, condition: { class: true, velocity: true } }\nvae: { kl_factor: 0.01, kl_ramp_steps: 0 }`),
    );
    const trained = await trainModel({ loaded: loadConfig(config) });
    cvaeFolder = path.basename(trained.runDir);
    pageAssets = tempDir('sampgen-report-page-');
    buildReportPage(pageAssets);
    out = path.join(p.root, 'report');
    result = buildReport({ roots: [p.runs], out });
    await writeHtmlReport(result, { pageAssets, audio: 2 });
    html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
  });

  test('index.html references only relative paths inside the report folder (or the runs\' TensorBoard folders) that exist', () => {
    const refs = references(html);
    expect(refs).toEqual(expect.arrayContaining(['assets/report.css', 'assets/report.js']));
    for (const ref of refs) {
      expect(ref).not.toMatch(/^[a-z][a-z0-9+.-]*:/i); // no http:, file:, data: …
      expect(ref.startsWith('/')).toBe(false);
      const target = path.resolve(out, decodeURIComponent(ref));
      expect(fs.existsSync(target)).toBe(true);
      if (!path.relative(out, target).startsWith('..')) continue;
      // Outside the folder: only a run's TensorBoard folder.
      expect(result.runs.some((r) => target === path.resolve(r.dir, 'tb'))).toBe(true);
    }
    // the resolved configs are copies inside the folder
    for (const r of result.runs) expect(fs.readFileSync(path.join(out, 'runs', r.folder, 'config.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(r.dir, 'config.yaml'), 'utf8'));
  });

  test('the table has the default columns and names runs by what sets them apart', () => {
    expect(headings(html)).toEqual(['name', 'model', 'model.activation', 'train.lr', 'epochs', 'best_val_loss', 'val_loss', 'links']);
    expect(names(html).sort()).toEqual(['ae-small-relu lr=0.01', 'ae-small-relu lr=1e-3', 'ae-small-tanh lr=0.01', 'ae-small-tanh lr=1e-3', 'cvae']);
    // A numeric sweep axis sorts as numbers on the page (as text, 0.1 came before 0.001); a text axis as text.
    const typeOf = (column: string) => new RegExp(`<th[^>]*data-type="(\\w+)"[^>]*><button[^>]*>${column.replace('.', '\\.')}<`).exec(html)?.[1];
    expect(typeOf('train.lr')).toBe('number');
    expect(typeOf('model.activation')).toBe('text');
    // report.csv carries the name too, and the folder beside it
    const csv = fs.readFileSync(path.join(out, 'report.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^run,name,model,/);
    expect(csv).toContain('ae-small-tanh lr=1e-3');
  });

  test('the curves and the matrix are in the page as data for the same chart specifications as the PNGs', () => {
    const data = JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!);
    const dense = data.curves.find((c: { group: string }) => c.group === 'dense-ae');
    expect(dense.charts.map((c: { key: string }) => c.key)).toEqual(['loss', 'val_loss']);
    expect(dense.charts[0].series.map((s: { name: string }) => s.name)).toEqual(['ae-small-relu lr=0.01', 'ae-small-relu lr=1e-3', 'ae-small-tanh lr=0.01', 'ae-small-tanh lr=1e-3']);
    for (const c of dense.charts) expect(fs.existsSync(path.join(out, c.png))).toBe(true);
    expect(data.matrix.selected).toBe('val_loss');
    expect(data.matrix.metrics.map((m: { metric: string }) => m.metric)).toEqual(expect.arrayContaining(['val_loss', 'best_val_loss', 'wall_s']));
    expect(data.matrix.metrics.find((m: { metric: string }) => m.metric === 'val_loss').notes[0]).toEqual(['best of 2 runs', 'best of 2 runs']);
  });

  test('each model gets its pictures and valid WAV players: reconstructions beside originals, corners and random draws', () => {
    for (const r of result.runs) {
      const dir = path.join(out, 'models', r.folder);
      expect(html).toContain(`id="run-${r.folder}"`);
      expect(fs.readFileSync(path.join(dir, 'grid.png')).subarray(1, 4).toString()).toBe('PNG');
      expect(fs.readFileSync(path.join(dir, 'latent-map.png')).subarray(1, 4).toString()).toBe('PNG');
    }
    const ae = result.runs.find((r) => r.name === 'ae-small-tanh')!;
    const wavs = fs.readdirSync(path.join(out, 'models', ae.folder)).filter((f) => f.endsWith('.wav')).sort();
    expect(wavs).toEqual(['corner-0.wav', 'corner-1.wav', 'corner-2.wav', 'corner-3.wav', 'random-0.wav', 'random-1.wav', 'recon-0-decoded.wav', 'recon-0-original.wav', 'recon-1-decoded.wav', 'recon-1-original.wav']);
    for (const f of wavs) expectWav(path.join(out, 'models', ae.folder, f), 8000, LENGTH);
    const article = html.slice(html.indexOf(`id="run-${ae.folder}"`), html.indexOf('</article>', html.indexOf(`id="run-${ae.folder}"`)));
    expect(article.match(/<audio /g)).toHaveLength(10);
    expect(article).toMatch(/<tr><td><figure class="sound"><audio controls preload="none" src="models\/[^"]+\/recon-0-original\.wav">/);
  });

  test('a model conditioned on class gets players per class', () => {
    const start = html.indexOf(`id="run-${cvaeFolder}"`);
    const article = html.slice(start, html.indexOf('</article>', start));
    for (const c of ['kick', 'snare']) {
      const group = new RegExp(`<div class="generated" data-class="${c}"><h4>Generated: class ${c}</h4><div class="players">((?:<figure class="sound">[\\s\\S]*?</figure>)+)</div>`).exec(article);
      expect(group).not.toBeNull();
      expect(group![1]!.match(/<audio /g)).toHaveLength(6); // 4 corners + 2 random draws
      for (const f of ['corner-0', 'random-1']) expectWav(path.join(out, 'models', cvaeFolder, `${c}-${f}.wav`), 8000, LENGTH);
    }
  });

  test('--columns chooses the columns; an unknown one is a user error listing the known ones', async () => {
    const chosen = path.join(p.root, 'report-cols');
    const r = buildReport({ roots: [p.runs], out: chosen, columns: ['name', 'val_loss'] });
    await writeHtmlReport(r, { pageAssets, audio: 0, columns: ['name', 'val_loss'] });
    const page = fs.readFileSync(path.join(chosen, 'index.html'), 'utf8');
    expect(headings(page)).toEqual(['name', 'val_loss', 'links']);
    expect(page).not.toContain('<section id="models">');
    expect(fs.readFileSync(path.join(chosen, 'report.md'), 'utf8')).toMatch(/^\| name \| val_loss \|$/m);
    let err: unknown;
    try {
      await writeHtmlReport(r, { pageAssets, audio: 0, columns: ['name', 'accuracy'] });
    } catch (e) {
      err = e;
    }
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(/--columns: no column "accuracy" in this report; the columns are run, name, model, .*val_loss/);
    const ok = await runCli(['report', p.runs, '--out', path.join(p.root, 'report-cli'), '--html', '--audio', '1', '--backend', 'cpu', '--columns', 'name, val_loss']);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`open ${path.join(p.root, 'report-cli', 'index.html')} in a browser`);
    expect(headings(fs.readFileSync(path.join(p.root, 'report-cli', 'index.html'), 'utf8'))).toEqual(['name', 'val_loss', 'links']);
    expect(fs.existsSync(path.join(p.root, 'report-cli', 'models', cvaeFolder, 'snare-random-0.wav'))).toBe(true);
    const cli = await runCli(['report', p.runs, '--out', path.join(p.root, 'report-bad'), '--html', '--columns', 'name,nope']);
    expect(cli.code).toBe(2);
    expect(cli.err).toMatch(/--columns: no column "nope".*the columns are run, name/);
  });

  test('key evaluate metrics are default columns, each value with the real / generated samples it rests on', async () => {
    const target = result.runs.find((r) => r.name === 'ae-small-relu')!;
    const metricsDir = path.join(p.root, 'eval-metrics');
    fs.mkdirSync(metricsDir, { recursive: true });
    fs.writeFileSync(
      path.join(metricsDir, 'metrics.json'),
      JSON.stringify({
        version: 2,
        models: [{ name: target.name, config_hash: target.hash, run: path.resolve(target.dir), dataset: p.data, split: 'validation', metrics: { recon_mse: 0.0125, gen_frechet: 3.5, gen_click_jump: 0.1 }, counts: { recon_mse: { n_real: 4, n_generated: 4 }, gen_frechet: { n_real: 4, n_generated: 200 } } }],
      }),
    );
    const withMetrics = path.join(p.root, 'report-metrics');
    const r = buildReport({ roots: [p.runs], out: withMetrics, metrics: [metricsDir] });
    await writeHtmlReport(r, { pageAssets, audio: 0 });
    const page = fs.readFileSync(path.join(withMetrics, 'index.html'), 'utf8');
    // key metrics only (gen_click_jump is in report.csv and --columns)
    expect(headings(page)).toEqual(['name', 'model', 'model.activation', 'train.lr', 'epochs', 'best_val_loss', 'val_loss', 'recon_mse', 'gen_frechet', 'links']);
    const row = new RegExp(`<tr data-run="${target.folder}">([\\s\\S]*?)</tr>`).exec(page)![1]!;
    expect(row).toContain('<td data-value="0.0125" class="num">0.0125<small class="n" title="real / generated samples this number rests on">n 4 / 4</small></td>');
    expect(row).toContain('<td data-value="3.5" class="num">3.5<small class="n" title="real / generated samples this number rests on">n 4 / 200</small></td>');
    expect(fs.readFileSync(path.join(withMetrics, 'report.csv'), 'utf8').split('\r\n')[0]).toContain('gen_click_jump');
  });

  (haveChromium ? test : test.skip)('the page opened from disk in Chromium: the table sorts and filters, charts draw, a WAV plays, nothing is fetched from outside the folder', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--autoplay-policy=no-user-gesture-required'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
      });
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`file://${path.join(out, 'index.html')}`);
      // Every chart: the interactive one replaces its PNG, as an SVG with the same marks.
      await page.waitForFunction(() => document.querySelectorAll('figure.chart').length > 0 && Array.from(document.querySelectorAll('figure.chart')).every((f) => (f as HTMLElement).dataset.rendered === 'true'));
      expect(await page.locator('[data-curve="0-0"] svg .mark-line.role-mark path').count()).toBe(4);
      expect(await page.locator('[data-matrix] svg .mark-rect.role-mark path').count()).toBe(2); // small × relu, tanh
      expect(await page.locator('figure.chart img').count()).toBe(0);
      // Sort by val_loss, descending on the second click; rows follow their values.
      const column = await page.locator('#runs-table thead th').evaluateAll((ths) => ths.findIndex((th) => th.textContent === 'val_loss'));
      const heading = page.locator('#runs-table thead th').nth(column);
      const values = () => page.locator('#runs-table tbody tr').evaluateAll((rows, c) => rows.map((r) => Number((r as HTMLTableRowElement).cells[c as number]!.dataset.value)), column);
      await heading.locator('button').click();
      await heading.locator('button').click();
      expect(await heading.getAttribute('aria-sort')).toBe('descending');
      const sorted = await values();
      expect(sorted).toEqual([...sorted].sort((a, b) => b - a));
      await page.fill('#filter', 'tanh lr=1e-3');
      expect(await page.locator('#runs-table tbody tr:not([hidden])').count()).toBe(1);
      expect(await page.textContent('#shown')).toBe('1 of 5 runs');
      // A player plays its WAV.
      const played = await page.evaluate(async () => {
        const audio = document.querySelector('#models audio') as HTMLAudioElement;
        await audio.play();
        return { duration: audio.duration, error: audio.error?.code ?? null, src: audio.currentSrc };
      });
      expect(played.error).toBeNull();
      expect(played.duration).toBeCloseTo(LENGTH / 8000, 3);
      expect(played.src.startsWith(`file://${out}/models/`)).toBe(true);
      expect(problems).toEqual([]);
      const outside = requests.filter((u) => !decodeURIComponent(u).startsWith(`file://${out}/`));
      expect(outside).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
