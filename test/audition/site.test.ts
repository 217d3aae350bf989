import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeAudio } from '../../src/audio';
import { AuditionServer, startAuditionServer } from '../../src/audition';
import { buildSite, isAbsolutePath, publishedMetadata, SITE_MARKER } from '../../src/audition/site';
import { openDataset } from '../../src/data';
import { readModelMetadata } from '../../src/export';
import { isUserError } from '../../src/errors';
import { runCli } from '../helpers/cli';
import { tempDir, writeTestDataset } from '../helpers/dataset';
import { L, SR, writeTestModel } from './helpers';

/**
 * `sampgen site` (issue 14): the page and the chosen models as static files, with nothing of the machine that built
 * them; the training samples behind the latent points named from the run's own dataset (and, with
 * --training-audio, their audio), as the audition server names and plays them. The page itself is tested in
 * Chromium by site-browser.test.ts.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildPage } = require('../../scripts/build-page.js') as { buildPage: (outDir: string) => Promise<string[]> };

let root: string;
let modelsDir: string;
let pageDir: string;
let datasetDir: string;
const ROWS = 12;

function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))])).sort();
}

beforeAll(async () => {
  root = tempDir('sampgen-site-');
  modelsDir = path.join(root, 'models');
  pageDir = path.join(root, 'page');
  datasetDir = path.join(root, 'data', 'drums');
  const rows = Array.from({ length: ROWS }, (_, i) => Float32Array.from({ length: L }, (_, t) => (0.2 + 0.05 * i) * Math.exp(-t / 40) * Math.sin(0.3 * t + i)));
  writeTestDataset(datasetDir, rows, SR, { classes: rows.map((_, i) => (i % 2 ? 'snare' : 'kick')), levels: rows.map(() => -20) });
  await writeTestModel(modelsDir, 'snare-1a2b', { points: ROWS, dataset: datasetDir });
  await writeTestModel(modelsDir, 'tom', { latent: 8, seed: 9 });
  fs.symlinkSync('snare-1a2b', path.join(modelsDir, 'snare')); // the export's alias link
  await buildPage(pageDir);
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('the site folder', () => {
  let site: string;
  let summary: Awaited<ReturnType<typeof buildSite>>;

  beforeAll(async () => {
    site = path.join(root, 'site');
    summary = await buildSite({ modelsDir, out: site, pageDir, trainingAudio: true });
  });

  test('holds the page, its browser decoder and each model lazily loadable, nothing else', () => {
    const rows = [...Array(ROWS).keys()].map((i) => `models/snare-1a2b/training/${i}.wav`).sort();
    const expected = [
      '.nojekyll', 'app.js', 'decode-worker.js', 'index.html', 'style.css', 'models/index.json',
      'models/snare-1a2b/sampgen.json', 'models/snare-1a2b/training.json', ...rows,
      ...['decoder', 'encoder'].flatMap((p) => [`models/snare-1a2b/${p}/model.json`, `models/snare-1a2b/${p}/weights.bin`, `models/tom/${p}/model.json`, `models/tom/${p}/weights.bin`]),
      'models/tom/sampgen.json',
    ];
    expect(listFiles(site)).toEqual(expected.map((f) => f.split('/').join(path.sep)).sort());
    for (const part of ['decoder/weights.bin', 'encoder/model.json']) {
      expect(fs.readFileSync(path.join(site, 'models', 'tom', part))).toEqual(fs.readFileSync(path.join(modelsDir, 'tom', part)));
    }
    expect(summary.models.map((m) => [m.folder, m.training])).toEqual([['snare-1a2b', 'names and audio'], ['tom', null]]);
    expect(summary.models[1]!.training_note).toMatch(/does not record which dataset/);
    expect(summary.page.map((p) => p.file)).toEqual(['index.html', 'app.js', 'style.css', 'decode-worker.js']);
  });

  test('the page without models is under the 1.5 MB budget gzipped', () => {
    expect(summary.page_gzip_bytes).toBeLessThan(1.5e6);
    expect(summary.page_gzip_bytes).toBe(summary.page.reduce((s, p) => s + p.gzip_bytes, 0));
  });

  test('index.html says it is a site and allows nothing but its own origin', () => {
    const html = fs.readFileSync(path.join(site, 'index.html'), 'utf8');
    expect(html).toContain(SITE_MARKER);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'self';[^"]*connect-src 'self'/);
    expect(fs.readFileSync(path.join(pageDir, 'index.html'), 'utf8')).not.toContain(SITE_MARKER);
  });

  test('no file holds a path of the machine that built it', () => {
    const machine = [root, fs.realpathSync(root), process.cwd(), os.homedir(), path.resolve(__dirname, '..', '..')].filter((p) => p.length > 1);
    for (const file of listFiles(site).filter((f) => /\.(json|html|js|css)$/.test(f))) {
      const text = fs.readFileSync(path.join(site, file), 'utf8');
      for (const p of machine) expect({ file, has: text.includes(p) }).toEqual({ file, has: false });
    }
    const published = JSON.parse(fs.readFileSync(path.join(site, 'models', 'snare-1a2b', 'sampgen.json'), 'utf8'));
    expect(published.training.dataset.path).toBe('drums');
    expect(published.training.run).toBe('snare-1a2b-run');
    expect(published.config.data.path).toBe('drums');
    // Everything else as exported.
    const original = readModelMetadata(path.join(modelsDir, 'snare-1a2b'));
    expect({ ...published, training: undefined, config: undefined }).toEqual({ ...JSON.parse(JSON.stringify(original)), training: undefined, config: undefined });
  });

  test("the listing is the server's (descriptions, aliases), with what the site holds of the training samples", () => {
    const index = JSON.parse(fs.readFileSync(path.join(site, 'models', 'index.json'), 'utf8'));
    expect(index.models.map((m: { folder: string }) => m.folder)).toEqual(['snare-1a2b', 'tom']);
    expect(index.aliases).toEqual({ snare: 'snare-1a2b' });
    expect(index.broken).toEqual([]);
    expect([index.format, index.version]).toEqual(['sampgen-site', 1]);
    expect(index.max_upload_bytes).toBe(20 * 2 ** 20);
    expect(index.models[0]).toEqual(expect.objectContaining({ description: "the study's dense autoencoder (size × activation)", training_samples: { count: ROWS, audio: true } }));
    expect(index.models[1].training_samples).toBeNull();
  });

  test("training.json names each point's row of the run's dataset; each row's WAV is that row in 16 bits", async () => {
    const training = JSON.parse(fs.readFileSync(path.join(site, 'models', 'snare-1a2b', 'training.json'), 'utf8'));
    expect(training).toEqual({
      dataset: 'drums',
      count: ROWS,
      files: [...Array(ROWS).keys()].map((i) => ({ path: `hit-${i}.wav`, class: i % 2 ? 'snare' : 'kick' })),
      audio: true,
    });
    const dataset = openDataset(datasetDir);
    try {
      const wav = await decodeAudio(fs.readFileSync(path.join(site, 'models', 'snare-1a2b', 'training', '7.wav')));
      expect(wav.sampleRate).toBe(SR);
      const row = dataset.readRows([7]);
      wav.channels[0]!.forEach((v, i) => expect(Math.abs(v - row[i]!)).toBeLessThanOrEqual(0.5 / 32768 + 1e-9));
    } finally {
      dataset.close();
    }
  });

  test('building again replaces the site whole; --model picks models (by alias too)', async () => {
    fs.writeFileSync(path.join(site, 'stale.txt'), 'from before');
    const again = await buildSite({ modelsDir, out: site, pageDir, models: ['snare'] });
    expect(again.models.map((m) => [m.folder, m.training])).toEqual([['snare-1a2b', 'names']]);
    expect(fs.existsSync(path.join(site, 'stale.txt'))).toBe(false);
    expect(fs.existsSync(path.join(site, 'models', 'tom'))).toBe(false);
    expect(fs.existsSync(path.join(site, 'models', 'snare-1a2b', 'training'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(site, 'models', 'snare-1a2b', 'training.json'), 'utf8')).audio).toBe(false);
  });
});

describe('refusals', () => {
  async function refusal(opts: Partial<Parameters<typeof buildSite>[0]>): Promise<string> {
    try {
      await buildSite({ modelsDir, out: path.join(root, 'other-site'), pageDir, ...opts });
    } catch (err) {
      expect(isUserError(err)).toBe(true);
      return (err as Error).message;
    }
    throw new Error('built');
  }

  test('an unknown model, a folder of other files, a folder that overlaps the models, an unbuilt page', async () => {
    expect(await refusal({ models: ['kick'] })).toBe(`--model kick: no such model in ${modelsDir} (it has snare, snare-1a2b, tom)`);
    const busy = path.join(root, 'busy');
    fs.mkdirSync(busy);
    fs.writeFileSync(path.join(busy, 'thesis.tex'), '');
    expect(await refusal({ out: busy })).toMatch(/already holds other files \(thesis.tex\); it would be replaced whole: choose an empty folder, or pass --force$/);
    expect(fs.existsSync(path.join(busy, 'thesis.tex'))).toBe(true);
    expect(await refusal({ out: root })).toMatch(/overlaps --models/);
    expect(await refusal({ out: path.join(modelsDir, 'site') })).toMatch(/overlaps --models/);
    expect(await refusal({ pageDir: path.join(root, 'nowhere') })).toMatch(/the page is not built .*decode-worker.js missing/);
  });

  test('sampgen site on the command line: a summary, and exit 2 with the reason', async () => {
    const ok = await runCli(['site', '--models', modelsDir, '--out', path.join(root, 'cli-site'), '--model', 'tom']);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^sampgen site: 1 model\(s\) in .*cli-site \(\d+ files, [\d.]+ (KiB|MiB)\)\n  page: [\d.]+ KiB gzipped/);
    expect(ok.out).toContain('python3 -m http.server');
    // `audition --export` builds the same site instead of serving.
    const exported = await runCli(['audition', '--models', modelsDir, '--export', path.join(root, 'exported'), '--port', '1']);
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(/^sampgen site: 2 model\(s\) in /);
    expect(fs.readFileSync(path.join(root, 'exported', 'index.html'), 'utf8')).toContain(SITE_MARKER);
    const bad = await runCli(['site', '--models', modelsDir, '--out', path.join(root, 'cli-site'), '--model', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--model nope: no such model');
  });
});

describe('absolute paths', () => {
  test('POSIX, Windows, UNC and home paths are cut to their last name; relative ones and plain words stay', () => {
    expect(['/home/a/data/drums/', 'C:\\data\\drums', '\\\\server\\share\\x', '~/data', 'data/drums', 'drums', 'http://x/y'].map(isAbsolutePath)).toEqual([true, true, true, true, false, false, false]);
    const meta = { ...readModelMetadata(path.join(modelsDir, 'tom')), config: { data: { path: 'C:\\Users\\me\\drums' }, output: { runs: '/srv/runs', models: 'models' } } };
    expect(publishedMetadata(meta).config).toEqual({ data: { path: 'drums' }, output: { runs: 'runs', models: 'models' } });
  });
});

describe('the audition server names and plays the training samples too', () => {
  let server: AuditionServer;
  beforeAll(async () => {
    server = await startAuditionServer({ modelsDir, pageDir, port: 0, log: () => undefined });
  });
  afterAll(() => server?.close());

  test('GET /api/models/<folder>/training and /training/<i>.wav; the listing says which models have them', async () => {
    const listing = await (await fetch(`${server.url}api/models`)).json();
    expect(listing.aliases).toEqual({ snare: 'snare-1a2b' });
    expect(listing.models.map((m: { folder: string; training_samples: unknown }) => [m.folder, m.training_samples])).toEqual([['snare-1a2b', { count: ROWS, audio: true }], ['tom', null]]);
    const training = await (await fetch(`${server.url}api/models/snare/training`)).json();
    expect(training.files[3]).toEqual({ path: 'hit-3.wav', class: 'snare' });
    expect(training.audio).toBe(true);
    const wav = await fetch(`${server.url}api/models/snare-1a2b/training/${ROWS - 1}.wav`);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    const site = fs.readFileSync(path.join(root, 'site', 'models', 'snare-1a2b', 'training.json'), 'utf8');
    expect(JSON.parse(site).count).toBe(ROWS);
    expect((await decodeAudio(new Uint8Array(await wav.arrayBuffer()))).channels[0]).toHaveLength(L);
    for (const bad of [`${ROWS}.wav`, '01.wav', '-1.wav', '1.flac']) expect((await fetch(`${server.url}api/models/snare/training/${bad}`)).status).toBe(404);
    const none = await fetch(`${server.url}api/models/tom/training`);
    expect(none.status).toBe(404);
    expect((await none.json()).error).toMatch(/^no training samples for tom: /);
  });

  test('a dataset preprocessed again since the run names nothing (its fingerprint differs)', async () => {
    const info = JSON.parse(fs.readFileSync(path.join(datasetDir, 'dataset.json'), 'utf8'));
    const saved = JSON.stringify(info);
    info.files[0].path = 'another.wav';
    fs.writeFileSync(path.join(datasetDir, 'dataset.json'), JSON.stringify(info));
    try {
      const res = await fetch(`${server.url}api/models/snare/training`);
      expect(res.status).toBe(404);
      expect((await res.json()).error).toMatch(/another dataset than the model's/);
    } finally {
      fs.writeFileSync(path.join(datasetDir, 'dataset.json'), saved);
    }
  });
});
