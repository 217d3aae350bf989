import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { MODEL_JSON, ModelMetadata, SAMPGEN_JSON, verifyModelPart } from '../export';
import { UserError } from '../errors';
import { replaceDirAtomic } from '../util/atomic';
import { VERSION } from '../version';
import { checkModelsDir, findModel, listModels, ModelSummary, summarize } from './models';
import { isSafeName } from './paths';
import { defaultPageDir, PAGE_FILES } from './server';
import { findTrainingDataset, openTrainingRows, trainingRowWav, trainingSamplesOf } from './training';
import { DEFAULT_MAX_UPLOAD_BYTES } from './upload-chain';

/**
 * `sampgen site`: the audition page and the chosen models as one folder of static files that any static host serves
 * (GitHub Pages, S3, `python3 -m http.server`): no server of sampgen's, no request to another origin, no path of
 * the machine that built it. What the server does becomes files or runs in the browser:
 *
 *   index.html, app.js, style.css      the page (its <meta name="sampgen-site"> tells it to read files, not routes)
 *   decode-worker.js                   dropped files decoded and preprocessed in the browser (src/audition/browser)
 *   models/index.json                  the listing GET /api/models answers (plus aliases)
 *   models/<folder>/sampgen.json       the metadata, absolute paths cut to their last name
 *   models/<folder>/<part>/…           model.json and the weight files it names, checked against sampgen.json's sha256
 *   models/<folder>/training.json      the training samples behind the latent points (when their dataset is found)
 *   models/<folder>/training/<i>.wav   and their audio, with --training-audio (16-bit; this can be large)
 *
 * The folder is built beside `out` and swapped in whole, so a host serving `out` never sees half a site.
 */

export interface SiteOptions {
  /** Folder of exported model folders (as `sampgen audition --models`). */
  modelsDir: string;
  out: string;
  /** Model folders (or their alias links) to include; default: every model in modelsDir. */
  models?: string[];
  /** Include each training row's audio, so that the page plays the nearest training sample. */
  trainingAudio?: boolean;
  /** Replace `out` even when it is not a site this command built. */
  force?: boolean;
  /** The built page; default dist/audition-page. */
  pageDir?: string;
  /** Where relative dataset paths in the exports are resolved; default the working folder. */
  cwd?: string;
}

export interface SiteModel {
  folder: string;
  name: string;
  bytes: number;
  /** What the page can do with the nearest training sample: name it, play it too, or neither (and why). */
  training: 'names' | 'names and audio' | null;
  training_note?: string;
}

export interface SiteSummary {
  out: string;
  models: SiteModel[];
  /** The page's files, their sizes and gzipped sizes (what a host that compresses sends). */
  page: { file: string; bytes: number; gzip_bytes: number }[];
  page_gzip_bytes: number;
  total_bytes: number;
  files: number;
}

/** The page's files in a site: those the server serves, and the browser decoder that stands in for its uploads. */
export const SITE_PAGE_FILES = [...PAGE_FILES, 'decode-worker.js'];
/** Written into the site's index.html; the page reads its files instead of the server's routes when it is there. */
export const SITE_MARKER = '<meta name="sampgen-site"';
/**
 * The site's own Content-Security-Policy (a static host sends none): the page may load and fetch only from its own
 * origin, so that nothing it does leaves the host it is served from.
 */
export const SITE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; " +
  "media-src 'self' blob:; worker-src 'self'; base-uri 'none'; form-action 'none'";

/** A string that names a place on some machine's disk: POSIX or Windows absolute, or a UNC share. */
export function isAbsolutePath(s: string): boolean {
  return s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s) || s.startsWith('\\\\') || s.startsWith('~/');
}

/** 'drums' of '/home/me/data/drums/' or 'C:\\data\\drums'. */
function lastName(p: string): string {
  const parts = p.split(/[\\/]+/).filter((x) => x !== '');
  return parts[parts.length - 1] ?? '';
}

/**
 * sampgen.json as a site publishes it: every string that is an absolute path (the dataset, the run folder, the
 * config's output folders, …) cut to its last name, which still says which dataset or run it was, and nothing of
 * where it lay on the machine that trained or built it.
 */
export function publishedMetadata(meta: ModelMetadata): ModelMetadata {
  const strip = (v: unknown): unknown => {
    if (typeof v === 'string') return isAbsolutePath(v) ? lastName(v) : v;
    if (Array.isArray(v)) return v.map(strip);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strip(x)]));
    return v;
  };
  return strip(meta) as ModelMetadata;
}

/** The page's index.html marked as a site's, with the site's CSP. */
export function siteIndexHtml(html: string): string {
  const anchor = '<meta charset="utf-8">';
  if (!html.includes(anchor)) throw new Error(`the built page's index.html has no ${anchor} to put the site's marker after`);
  const marker = `${anchor}\n  ${SITE_MARKER} content="sampgen ${VERSION}">\n  <meta http-equiv="Content-Security-Policy" content="${SITE_CSP}">`;
  return html.replace(anchor, marker);
}

/** A part's files the browser loads: model.json and the weight files its manifest names. */
function partFiles(partDir: string): string[] {
  const json = JSON.parse(fs.readFileSync(path.join(partDir, MODEL_JSON), 'utf8')) as { weightsManifest?: { paths?: unknown[] }[] };
  const names = new Set<string>([MODEL_JSON]);
  for (const group of json.weightsManifest ?? []) {
    for (const p of group.paths ?? []) {
      // writeModelFolder writes plain names; anything else (a sub-path, an escape) is not a file of this part.
      if (typeof p !== 'string' || !isSafeName(p)) throw new UserError(`${path.join(partDir, MODEL_JSON)}: weights path ${JSON.stringify(p)} is not a file name in its folder`);
      names.add(p);
    }
  }
  return [...names];
}

function checkOut(out: string, modelsDir: string, pageDir: string, force: boolean): string {
  const dir = path.resolve(out);
  const inside = (a: string, b: string) => a === b || a.startsWith(b + path.sep);
  if (dir === path.parse(dir).root) throw new UserError(`--out ${out} is the root folder; name a folder for the site`);
  if (inside(modelsDir, dir) || inside(dir, modelsDir)) throw new UserError(`--out ${out} overlaps --models ${modelsDir}: the site is a folder of its own`);
  if (inside(pageDir, dir) || inside(dir, pageDir)) throw new UserError(`--out ${out} overlaps the built page (${pageDir})`);
  if (!fs.existsSync(dir)) return dir;
  if (!fs.statSync(dir).isDirectory()) throw new UserError(`--out ${out} is a file; name a folder for the site`);
  const entries = fs.readdirSync(dir);
  const isSite = fs.existsSync(path.join(dir, 'index.html')) && fs.readFileSync(path.join(dir, 'index.html'), 'utf8').includes(SITE_MARKER);
  if (entries.length > 0 && !isSite && !force) {
    throw new UserError(`--out ${out} already holds other files (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); it would be replaced whole: choose an empty folder, or pass --force`);
  }
  return dir;
}

function gzipSize(bytes: Uint8Array): number {
  return zlib.gzipSync(bytes, { level: 9 }).length;
}

/** Builds the site (see the top of this file); resolves to what it holds. */
export async function buildSite(opts: SiteOptions): Promise<SiteSummary> {
  const modelsDir = checkModelsDir(opts.modelsDir);
  const pageDir = path.resolve(opts.pageDir ?? defaultPageDir());
  const missing = SITE_PAGE_FILES.filter((f) => !fs.existsSync(path.join(pageDir, f)));
  if (missing.length > 0) {
    throw new UserError(`the page is not built (${missing.map((f) => path.join(pageDir, f)).join(', ')} missing): run \`npm run build\` in the sampgen folder`);
  }
  const out = checkOut(opts.out, modelsDir, pageDir, opts.force ?? false);
  const cwd = opts.cwd ?? process.cwd();

  const listing = listModels(modelsDir);
  let chosen: ModelSummary[];
  if (opts.models && opts.models.length > 0) {
    chosen = [];
    for (const wanted of opts.models) {
      const folder = listing.aliases[wanted] ?? wanted;
      const model = listing.models.find((m) => m.folder === folder);
      if (!model) {
        const broken = listing.broken.find((b) => b.folder === folder);
        if (broken) throw new UserError(`--model ${wanted}: ${broken.error}`);
        const known = [...listing.models.map((m) => m.folder), ...Object.keys(listing.aliases)].sort();
        throw new UserError(`--model ${wanted}: no such model in ${opts.modelsDir} (it has ${known.length ? known.join(', ') : 'none'})`);
      }
      if (!chosen.includes(model)) chosen.push(model);
    }
  } else {
    chosen = listing.models;
    if (chosen.length === 0) {
      const broken = listing.broken.length ? `; ${listing.broken.map((b) => `${b.folder}: ${b.error}`).join('; ')}` : '';
      throw new UserError(`no exported models in ${opts.modelsDir}${broken}`);
    }
  }

  const tmp = path.join(path.dirname(out), `.sampgen-tmp-${process.pid}-${Math.random().toString(36).slice(2)}-${path.basename(out)}`);
  let files = 0;
  let total = 0;
  const write = (rel: string, data: Uint8Array | string) => {
    const file = path.join(tmp, ...rel.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    fs.writeFileSync(file, bytes);
    files++;
    total += bytes.byteLength;
    return bytes;
  };
  try {
    fs.mkdirSync(tmp, { recursive: true });
    const page: SiteSummary['page'] = [];
    for (const name of SITE_PAGE_FILES) {
      const source = fs.readFileSync(path.join(pageDir, name));
      const bytes = write(name, name === 'index.html' ? siteIndexHtml(source.toString('utf8')) : source);
      page.push({ file: name, bytes: bytes.byteLength, gzip_bytes: gzipSize(bytes) });
    }
    // GitHub Pages runs Jekyll over a published folder unless told not to; nothing here needs it.
    write('.nojekyll', '');

    const models: SiteModel[] = [];
    const summaries: ModelSummary[] = [];
    for (const summary of chosen) {
      const { dir, meta } = findModel(modelsDir, summary.folder)!;
      const base = `models/${summary.folder}`;
      let bytes = 0;
      for (const part of meta.parts) {
        verifyModelPart(dir, meta, part);
        for (const file of partFiles(path.join(dir, part))) bytes += write(`${base}/${part}/${file}`, fs.readFileSync(path.join(dir, part, file))).byteLength;
      }
      bytes += write(`${base}/${SAMPGEN_JSON}`, JSON.stringify(publishedMetadata(meta), null, 2) + '\n').byteLength;

      const found = findTrainingDataset(meta, cwd);
      let training: SiteModel['training'] = null;
      if (!('reason' in found)) {
        bytes += write(`${base}/training.json`, JSON.stringify(trainingSamplesOf(found, opts.trainingAudio ?? false))).byteLength;
        training = 'names';
        if (opts.trainingAudio) {
          const rows = openTrainingRows(found);
          try {
            for (let i = 0; i < found.info.count; i++) bytes += write(`${base}/training/${i}.wav`, trainingRowWav(rows, i)).byteLength;
          } finally {
            rows.close();
          }
          training = 'names and audio';
        }
      }
      // The site's own answer (found from `cwd`), whatever the server's listing found from its working folder.
      summaries.push({ ...summarize(summary.folder, meta), training_samples: 'reason' in found ? null : { count: found.info.count, audio: opts.trainingAudio ?? false } });
      models.push({ folder: summary.folder, name: meta.name, bytes, training, ...('reason' in found ? { training_note: found.reason } : {}) });
    }
    const aliases = Object.fromEntries(Object.entries(listing.aliases).filter(([, target]) => summaries.some((m) => m.folder === target)));
    // The server's GET /api/models answer, with a format name and version for other readers of a published site.
    const index = { format: 'sampgen-site', version: 1, made_by: `sampgen ${VERSION}`, models: summaries, broken: [], aliases, max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES };
    write('models/index.json', JSON.stringify(index, null, 2) + '\n');
    replaceDirAtomic(tmp, out);
    return { out: opts.out, models, page, page_gzip_bytes: page.reduce((s, p) => s + p.gzip_bytes, 0), total_bytes: total, files };
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
