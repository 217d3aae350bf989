import * as fs from 'fs';
import * as path from 'path';
import type { BrowserContext, Page } from 'playwright-core';
import type {} from '../../src/audition/page/state';
import { AuditionServer, startAuditionServer } from '../../src/audition';
import { preprocessFileWithLevels } from '../../src/infer/encode';
import { conditionOfFile } from '../../src/infer/condition';
import { decodePoints, disposeModel, encodeRows, openModel, OpenedModel } from '../../src/infer/model';
import { ConditionRequest, conditionVector } from '../../src/models/condition';
import { runCli } from '../helpers/cli';
import { tempDir, writeTestDataset, CLASS_PITCH, pitchedClassRows } from '../helpers/dataset';
import { buildSite } from '../../src/audition/site';
import { staticServer, toneWav, useCpuBackend, writeTestModel } from './helpers';

/**
 * A conditional VAE (issue 13) on the audition page in headless Chromium: the class selector, the two-class mixer
 * and the velocity slider re-decode the current point, exactly as `sampgen generate --class/--mix/--velocity`
 * decodes it in Node; a dropped file is encoded with the class its name says and the velocity its level gives, as
 * `sampgen encode` encodes it; an unconditional model shows none of the controls. The model is trained here through
 * the CLI (a few seconds: the test checks plumbing, not quality). Skipped where Chromium is not installed, as
 * browser.test.ts is.
 */

const CHROMIUM = process.env.SAMPGEN_CHROMIUM ?? '/usr/bin/chromium';
const describeBrowser = fs.existsSync(CHROMIUM) ? describe : describe.skip;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildPage } = require('../../scripts/build-page.js') as { buildPage: (outDir: string) => Promise<string[]> };

const LENGTH = 64;
const SR = 8000;
const TOL = 1e-5;
const PITCH = CLASS_PITCH;


function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

interface Snapshot {
  model: string | null;
  point: number[];
  condition: number[] | null;
  sample: number[] | null;
  marks: { label: string; point: number[]; condition: number[] | null }[];
  error: string | null;
}

/** Waits until the sample on the page is the decode of the point and the condition the controls are at. */
async function settled(page: Page): Promise<Snapshot> {
  await page.waitForFunction(() => {
    const s = window.__sampgen;
    return s.ready && s.decodedPoint !== null && s.decodedPoint.join() === s.point.join() && String(s.decodedCondition) === String(s.condition);
  });
  return page.evaluate(() => {
    const s = window.__sampgen;
    return { model: s.model, point: s.point, condition: s.condition, sample: s.sample ? Array.from(s.sample) : null, marks: s.marks, error: s.error };
  });
}

/** Moves a range input as a drag does (input events, then change on release). */
async function slide(page: Page, selector: string, value: number): Promise<void> {
  await page.evaluate(([sel, v]) => {
    const input = document.querySelector<HTMLInputElement>(sel as string)!;
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, [selector, value] as const);
}

describeBrowser('a conditional model on the audition page', () => {
  let root: string;
  let server: AuditionServer;
  let context: BrowserContext;
  let page: Page;
  let model: OpenedModel;
  const problems: string[] = [];

  /** What `sampgen generate --z … --mix … --velocity …` decodes in Node. */
  const expected = (point: number[], request: ConditionRequest) => decodePoints(model, [point], 1, [conditionVector(model.meta.condition!, request)])[0]!;

  beforeAll(async () => {
    await useCpuBackend();
    root = tempDir('sampgen-audition-cvae-');
    const modelsDir = path.join(root, 'models');
    const { rows, labels } = pitchedClassRows(30, LENGTH);
    writeTestDataset(path.join(root, 'ds'), rows, SR, labels);
    fs.writeFileSync(
      path.join(root, 'cvae.yaml'),
      [
        'model: {type: vae, latent: 2, length: 64, encoder_units: [16], decoder_units: [16], condition: {class: true, velocity: true}}',
        `data: {path: ${JSON.stringify(path.join(root, 'ds'))}, validation: 0.1}`,
        'train: {epochs: 20, batch_size: 16, lr: 0.01, backend: cpu, checkpoint_every: 1000}',
        'vae: {kl_factor: 0.02, kl_ramp_steps: 20}',
        `output: {runs: ${JSON.stringify(path.join(root, 'runs'))}, models: ${JSON.stringify(modelsDir)}, tensorboard: false}`,
      ].join('\n'),
    );
    const trained = await runCli(['--quiet', 'train', '--config', path.join(root, 'cvae.yaml')]);
    expect(trained.err).toBe('');
    expect(trained.code).toBe(0);
    await writeTestModel(modelsDir, 'plain');
    const pageDir = path.join(root, 'page');
    await buildPage(pageDir);
    server = await startAuditionServer({ modelsDir, pageDir, port: 0, log: (l) => problems.push(l) });
    model = await openModel(path.join(modelsDir, 'cvae'), { encoder: true });

    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(path.join(root, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--autoplay-policy=no-user-gesture-required'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    await page.goto(`${server.url}?backend=cpu`);
    await page.waitForFunction(() => window.__sampgen?.ready === true);
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (model) disposeModel(model);
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('the class selector, the mixer and the velocity slider each re-decode the point as sampgen generate does', async () => {
    const start = await settled(page);
    expect(start.model).toMatch(/^cvae-[0-9a-f]+$/); // the run's own folder; models/cvae links to it
    expect(await page.locator('#model option').allTextContents()).toEqual(['cvae — vae (conditional), 2-D, 8.0 kHz', 'plain — dense-ae, 2-D, 8.0 kHz']);
    expect(await page.isVisible('#condition-card')).toBe(true);
    expect(await page.locator('#class option').allTextContents()).toEqual(['kick (10)', 'snare (10)', 'hat-closed (10)']);
    // The start: the first of equally common classes, the middle of the level range.
    expect(start.condition).toEqual([1, 0, 0, 0.5]);
    expect(maxAbsDiff(start.sample!, expected(start.point, { mix: { kick: 1 }, velocity: 0.5 }))).toBeLessThan(TOL);
    const { min_dbfs: lo, max_dbfs: hi } = model.meta.condition!.velocity!;
    expect(await page.locator('#velocity + output').innerText()).toBe(`${(lo + 0.5 * (hi - lo)).toFixed(1).replace('-', '−')} dBFS`);

    await page.selectOption('#class', 'hat-closed');
    const hat = await settled(page);
    expect(hat.point).toEqual(start.point);
    expect(maxAbsDiff(hat.sample!, start.sample!)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(hat.sample!, expected(hat.point, { mix: { 'hat-closed': 1 }, velocity: 0.5 }))).toBeLessThan(TOL);

    await slide(page, '#velocity', 1);
    const loud = await settled(page);
    expect(maxAbsDiff(loud.sample!, hat.sample!)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(loud.sample!, expected(loud.point, { mix: { 'hat-closed': 1 }, velocity: 1 }))).toBeLessThan(TOL);
    expect(await page.locator('#velocity + output').innerText()).toBe(`${hi.toFixed(1).replace('-', '−')} dBFS`);

    await page.selectOption('#class-b', 'snare');
    await slide(page, '#blend', 0.25);
    const mixed = await settled(page);
    expect(mixed.condition).toEqual([0, 0.25, 0.75, 1]);
    expect(maxAbsDiff(mixed.sample!, expected(mixed.point, { mix: { 'hat-closed': 0.75, snare: 0.25 }, velocity: 1 }))).toBeLessThan(TOL);
    expect(await page.locator('#condition-readout').innerText()).toContain('hat-closed 0.75 + snare 0.25 · velocity 1.00');
  });

  test('a dropped file is encoded with the class of its name and the velocity of its level, as sampgen encode does', async () => {
    const wav = toneWav({ sampleRate: SR, frames: 300, amp: 0.3, freq: 880 });
    await page.evaluate((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'Snare-01.wav', { type: 'audio/wav' }));
      const target = document.getElementById('drop')!;
      for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, Array.from(wav));
    await page.waitForFunction(() => window.__sampgen.marks.length === 1);
    const s = await settled(page);
    // The reference: `sampgen encode Snare-01.wav` (class from the name, velocity from the measured level).
    const file = path.join(root, 'Snare-01.wav');
    fs.writeFileSync(file, wav);
    const { row, levels } = await preprocessFileWithLevels(file, model.meta);
    const request = conditionOfFile(model.meta, file, levels)!;
    expect(request.mix).toEqual({ snare: 1 });
    const vector = conditionVector(model.meta.condition!, request);
    const [z] = encodeRows(model, [row], true, [vector]);
    expect(maxAbsDiff(s.marks[0]!.point, z!)).toBeLessThan(TOL);
    expect(maxAbsDiff(s.marks[0]!.condition!, vector)).toBeLessThan(1e-7);
    // The page now plays the file's point under the file's condition, and its controls show it.
    expect(s.point).toEqual(s.marks[0]!.point);
    expect(maxAbsDiff(s.condition!, vector)).toBeLessThan(1e-7);
    expect(await page.locator('#class').inputValue()).toBe('snare');
    expect(maxAbsDiff(s.sample!, decodePoints(model, [s.point], 1, [vector])[0]!)).toBeLessThan(TOL);
  });

  test('an unconditional model shows no condition controls and decodes its point alone', async () => {
    await page.selectOption('#model', 'plain');
    await page.waitForFunction(() => window.__sampgen.model === 'plain' && window.__sampgen.ready);
    const s = await settled(page);
    expect(s.condition).toBeNull();
    expect(await page.isVisible('#condition-card')).toBe(false);
    expect(await page.locator('#condition-card select, #condition-card input').count()).toBe(0);
    const plain = await openModel(path.join(root, 'models', 'plain'));
    try {
      expect(maxAbsDiff(s.sample!, decodePoints(plain, [s.point])[0]!)).toBeLessThan(TOL);
    } finally {
      disposeModel(plain);
    }
  });

  test('on a static site the same: a link lands on its class and velocity, a drop is decoded in the browser with its class and level', async () => {
    const site = path.join(root, 'site');
    await buildSite({ modelsDir: path.join(root, 'models'), out: site, pageDir: path.join(root, 'page'), models: ['cvae'] });
    const host = await staticServer(site);
    const other = await context.newPage();
    other.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    other.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    try {
      // The alias `cvae` (a link to the run's folder) names the model in a link too.
      await other.goto(`${host.origin}/?backend=cpu&model=cvae&z=0.25,-0.5&class=hat-closed&v=0.75`);
      const linked = await settled(other);
      expect(linked.model).toMatch(/^cvae-[0-9a-f]+$/);
      expect(linked.error).toBeNull();
      expect(linked.point).toEqual([0.25, -0.5]);
      expect(linked.condition).toEqual(Array.from(conditionVector(model.meta.condition!, { mix: { 'hat-closed': 1 }, velocity: 0.75 })));
      expect(maxAbsDiff(linked.sample!, expected([0.25, -0.5], { mix: { 'hat-closed': 1 }, velocity: 0.75 }))).toBeLessThan(TOL);

      const wav = toneWav({ sampleRate: 11025, frames: 500, amp: 0.5, freq: 300 });
      await other.evaluate((bytes) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], 'Kick-07.wav'));
        const target = document.getElementById('drop')!;
        for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, Array.from(wav));
      await other.waitForFunction(() => window.__sampgen.marks.length === 1);
      const s = await settled(other);
      const file = path.join(root, 'Kick-07.wav');
      fs.writeFileSync(file, wav);
      const { row, levels } = await preprocessFileWithLevels(file, model.meta);
      const request = conditionOfFile(model.meta, file, levels)!;
      expect(request.mix).toEqual({ kick: 1 });
      const vector = conditionVector(model.meta.condition!, request);
      const [z] = encodeRows(model, [row], true, [vector]);
      expect(maxAbsDiff(s.marks[0]!.point, z!)).toBeLessThan(TOL);
      expect(maxAbsDiff(s.marks[0]!.condition!, vector)).toBeLessThan(1e-7);
      expect(await other.evaluate(() => window.__sampgen.mode)).toBe('site');
    } finally {
      await other.close();
      await host.close();
    }
  });

  test('the page logged no errors and the server none', () => {
    expect(problems).toEqual([]);
  });
});
