import * as fs from 'fs';
import * as path from 'path';
import type { BrowserContext, Page } from 'playwright-core';
import type {} from '../../src/audition/page/state';
import { AuditionServer, startAuditionServer } from '../../src/audition';
import { sampleFileName } from '../../src/audition/page/filename';
import { buildSpace, coordinates } from '../../src/audition/page/space';
import { decodeAudio } from '../../src/audio';
import { preprocessForModel } from '../../src/infer/encode';
import { decodePoints, disposeModel, encodeRows, openModel, OpenedModel } from '../../src/infer/model';
import { tempDir } from '../helpers/dataset';
import { L, SR, toneWav, useCpuBackend, writeTestModel } from './helpers';

/**
 * The audition page end to end in headless Chromium (Debian's `chromium` package, driven by playwright-core):
 * the real bundle built by scripts/build-page.js, served by the real server, with tfjs on the page's cpu backend
 * so that its decodes can be compared with what `sampgen generate` computes in Node for the same point.
 * Skipped, with a note, where Chromium is not installed (CI installs it: apt-get install -y chromium).
 */

const CHROMIUM = process.env.SAMPGEN_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`audition browser test skipped: no Chromium at ${CHROMIUM} (install it with: apt-get install -y chromium)`);
}
const describeBrowser = haveChromium ? describe : describe.skip;

// scripts/build-page.js is plain JavaScript (it runs before any TypeScript is compiled).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildPage } = require('../../scripts/build-page.js') as { buildPage: (outDir: string) => Promise<string[]> };

/** Float32 tolerance: the page and Node run the same tfjs cpu kernels, so differences are rounding at most. */
const TOL = 1e-5;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

interface Snapshot {
  ready: boolean;
  backend: string;
  model: string | null;
  point: number[];
  decodedPoint: number[] | null;
  sample: number[] | null;
  decodes: number;
  loop: boolean;
  loopRepetitions: number;
  plays: number;
  marks: { label: string; point: number[] }[];
  lastSaved: string | null;
  error: string | null;
}

function snapshot(page: Page): Promise<Snapshot> {
  return page.evaluate(() => {
    const s = window.__sampgen;
    return {
      ready: s.ready, backend: s.backend, model: s.model, point: s.point, decodedPoint: s.decodedPoint,
      sample: s.sample ? Array.from(s.sample) : null, decodes: s.decodes, loop: s.loop,
      loopRepetitions: s.loopRepetitions, plays: s.plays, marks: s.marks, lastSaved: s.lastSaved, error: s.error,
    };
  });
}

/** Waits until the sample on the page is the decode of the point the controls are at. */
async function settled(page: Page): Promise<Snapshot> {
  await page.waitForFunction(() => {
    const s = window.__sampgen;
    return s.decodedPoint !== null && s.decodedPoint.join() === s.point.join();
  });
  return snapshot(page);
}

describeBrowser('audition page in headless Chromium', () => {
  let root: string;
  let server: AuditionServer;
  let context: BrowserContext;
  let page: Page;
  let model: OpenedModel;
  let model3: OpenedModel;
  const problems: string[] = [];

  beforeAll(async () => {
    await useCpuBackend();
    root = tempDir('sampgen-audition-e2e-');
    const modelsDir = path.join(root, 'models');
    const pageDir = path.join(root, 'page');
    fs.mkdirSync(modelsDir);
    await writeTestModel(modelsDir, 'snare');
    await writeTestModel(modelsDir, 'tom', { latent: 3, seed: 9 });
    await buildPage(pageDir);
    server = await startAuditionServer({ modelsDir, pageDir, port: 0, log: (l) => problems.push(l) });
    model = await openModel(path.join(modelsDir, 'snare'), { encoder: true });
    model3 = await openModel(path.join(modelsDir, 'tom'));

    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(path.join(root, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      viewport: { width: 1280, height: 860 },
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    await page.goto(`${server.url}?backend=cpu`);
    await page.waitForFunction(() => window.__sampgen?.ready === true);
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (model) disposeModel(model);
    if (model3) disposeModel(model3);
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('loads the model, shows its summary and decodes the start point without playing', async () => {
    const s = await settled(page);
    expect(s).toEqual(expect.objectContaining({ backend: 'cpu', model: 'snare', plays: 0, error: null }));
    expect(s.point).toEqual([0, 0]); // the middle of the latent bounds [-1, 1]²
    expect(await page.locator('#model option').allTextContents()).toEqual(['snare — dense-ae, 2-D, 8.0 kHz', 'tom — dense-ae, 3-D, 8.0 kHz']);
    // The model card in words, not log keys.
    const info = await page.locator('#info').innerText();
    expect(info).toContain("The study's dense autoencoder (size × activation) (dense-ae)");
    expect(info).toContain('0 epochs; validation loss 0.0234 at the end');
    expect(info).toContain(`32 ms at 8 kHz (${L} samples)`);
    expect(info).toContain('40 training samples shown as dots');
    expect(info).not.toContain('val_loss');
  });

  test('clicking the pad decodes that point, exactly as sampgen generate does, and plays it', async () => {
    const box = (await page.locator('#pad').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height * 0.3);
    const s = await settled(page);
    // Right of and above the centre of the pad: both coordinates positive, inside the bounds.
    expect(s.point[0]).toBeGreaterThan(0.2);
    expect(s.point[0]).toBeLessThan(1);
    expect(s.point[1]).toBeGreaterThan(0.2);
    expect(s.point[1]).toBeLessThan(1);
    const [expected] = decodePoints(model, [s.point]);
    expect(s.sample).toHaveLength(L);
    expect(maxAbsDiff(s.sample!, expected!)).toBeLessThan(TOL);
    expect(s.plays).toBe(1);
  });

  test('a slow click (the press decoded and played before the button comes up) plays once, and a drag still plays on release', async () => {
    const box = (await page.locator('#pad').boundingBox())!;
    const before = (await settled(page)).plays;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6);
    await page.mouse.down();
    await page.waitForFunction((n) => window.__sampgen.plays > n, before);
    const afterPress = await settled(page);
    await page.mouse.up();
    // The release where the press was ends the gesture; nothing new to decode or play.
    await page.waitForTimeout(300);
    expect((await settled(page)).plays).toBe(before + 1);
    expect((await snapshot(page)).point).toEqual(afterPress.point);
    // Press, then drag somewhere else and let go: the release is a new point, decoded and played.
    await page.mouse.down();
    await page.waitForFunction((n) => window.__sampgen.plays > n, before + 1);
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4, { steps: 4 });
    await page.mouse.up();
    const dragged = await settled(page);
    expect(dragged.point).not.toEqual(afterPress.point);
    await page.waitForFunction((n) => window.__sampgen.plays > n, before + 1);
  });

  test('Loop Play toggles on and off', async () => {
    await page.click('#loop');
    await page.waitForFunction(() => window.__sampgen.loop && window.__sampgen.loopRepetitions > 0);
    expect(await page.getAttribute('#loop', 'aria-pressed')).toBe('true');
    await page.click('#loop');
    await page.waitForFunction(() => !window.__sampgen.loop);
    expect(await page.getAttribute('#loop', 'aria-pressed')).toBe('false');
  });

  test('arrow keys nudge the point by 1% of the range (Shift: 10%), space plays', async () => {
    await page.locator('#pad').focus();
    const before = await settled(page);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Shift+ArrowDown');
    const after = await settled(page);
    expect(after.point[0]).toBeCloseTo(before.point[0]! - 0.02, 10);
    expect(after.point[1]).toBeCloseTo(before.point[1]! - 0.2, 10);
    const [expected] = decodePoints(model, [after.point]);
    expect(maxAbsDiff(after.sample!, expected!)).toBeLessThan(TOL);
    const plays = after.plays;
    await page.keyboard.press(' ');
    await page.waitForFunction((n) => window.__sampgen.plays > n, plays);
    // Space on a focused button plays too, instead of pressing that button.
    await page.locator('#loop').focus();
    await page.keyboard.press(' ');
    await page.waitForFunction((n) => window.__sampgen.plays > n + 1, plays);
    expect((await snapshot(page)).loop).toBe(false);
  });

  test('dropping a WAV on the pad encodes it (server preprocessing, browser encoder), marks and decodes its point', async () => {
    const wav = toneWav({ sampleRate: 11025, frames: 900 });
    await page.evaluate((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'tone.wav', { type: 'audio/wav' }));
      const target = document.getElementById('drop')!;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    }, Array.from(wav));
    await page.waitForFunction(() => window.__sampgen.marks.length === 1);
    const s = await settled(page);
    // The reference: `sampgen encode` on the same file.
    const file = path.join(root, 'tone.wav');
    fs.writeFileSync(file, wav);
    const [z] = encodeRows(model, [await preprocessForModel(file, model.meta)]);
    expect(s.marks[0]!.label).toBe('tone.wav');
    expect(maxAbsDiff(s.marks[0]!.point, z!)).toBeLessThan(TOL);
    expect(s.point).toEqual(s.marks[0]!.point);
    const [expected] = decodePoints(model, [s.point]);
    expect(maxAbsDiff(s.sample!, expected!)).toBeLessThan(TOL);
    expect(await page.locator('#marks li').count()).toBe(1);
    expect(await page.locator('#marks').innerText()).toContain('tone.wav');
  });

  test('Save WAV downloads the current sample as 24-bit PCM normalised to −1 dBFS, named after the model and the point', async () => {
    const s = await settled(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    const name = download.suggestedFilename();
    expect(name).toBe(sampleFileName('snare', s.decodedPoint!));
    expect(name).toMatch(/^snare_z-?\d+\.\d{3}_-?\d+\.\d{3}\.wav$/);
    const bytes = fs.readFileSync((await download.path())!);
    expect(bytes.readUInt16LE(20)).toBe(1); // WAVE_FORMAT_PCM
    expect(bytes.readUInt16LE(34)).toBe(24);
    const saved = await decodeAudio(bytes);
    expect(saved.sampleRate).toBe(SR);
    expect(saved.channels).toHaveLength(1);
    // The decode scaled so that its peak is −1 dBFS (in float32, as the page scales), then rounded to 24 bits: half
    // an LSB of rounding plus the float32 rounding of the scaled value (under half an LSB below full scale).
    const peak = Math.max(...s.sample!.map(Math.abs));
    const scale = 10 ** (-1 / 20) / peak;
    expect(Math.max(...saved.channels[0]!.map(Math.abs))).toBeCloseTo(10 ** (-1 / 20), 6);
    expect(maxAbsDiff(saved.channels[0]!, s.sample!.map((x) => x * scale))).toBeLessThanOrEqual(1 / 2 ** 23);
  });

  test('a 3-D model: principal-direction sliders move the point along one direction; random stays in the bounds', async () => {
    await page.selectOption('#model', 'tom');
    await page.waitForFunction(() => window.__sampgen.model === 'tom' && window.__sampgen.ready);
    expect(await page.locator('#sliders .slider-name').allTextContents()).toEqual(['PC1', 'PC2', 'PC3']);
    const start = await settled(page);
    expect(start.marks).toEqual([]); // marks belong to the model they were made with
    // Drag PC2's slider to the top of its range.
    await page.evaluate(() => {
      const input = document.querySelectorAll<HTMLInputElement>('#sliders .slider input')[1]!;
      input.value = input.max;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.waitForFunction((p) => window.__sampgen.point.join() !== p, start.point.join());
    const moved = await settled(page);
    expect(moved.point).toHaveLength(3);
    const space = buildSpace(model3.meta);
    const [c0, c1] = [coordinates(space, start.point), coordinates(space, moved.point)];
    expect(c1[0]).toBeCloseTo(c0[0]!, 6);
    expect(c1[1]).toBeCloseTo(space.directions[1]!.max, 6);
    expect(c1[2]).toBeCloseTo(c0[2]!, 6);
    const [expected] = decodePoints(model3, [moved.point]);
    expect(maxAbsDiff(moved.sample!, expected!)).toBeLessThan(TOL);

    await page.click('#random');
    await page.waitForFunction((p) => window.__sampgen.point.join() !== p, moved.point.join());
    const random = await settled(page);
    random.point.forEach((v) => expect(Math.abs(v)).toBeLessThanOrEqual(1));
    const [expectedRandom] = decodePoints(model3, [random.point]);
    expect(maxAbsDiff(random.sample!, expectedRandom!)).toBeLessThan(TOL);
  });

  test('the page logged no errors and the server none', async () => {
    if (process.env.SAMPGEN_AUDITION_SCREENSHOT) await page.screenshot({ path: process.env.SAMPGEN_AUDITION_SCREENSHOT });
    expect(problems).toEqual([]);
  });
});
