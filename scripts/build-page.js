#!/usr/bin/env node
'use strict';
/**
 * Builds the audition page (src/audition/page) into dist/audition-page/: app.js (the page's TypeScript with
 * @tensorflow/tfjs bundled in by esbuild, so the page works offline and uses the CLI's very tfjs version),
 * decode-worker.js (the static site's in-browser decoding: src/audition/browser), index.html and style.css.
 * `sampgen audition` serves the page; `sampgen site` copies all of it into a static site. (Not dist/audition/,
 * where tsc puts the server's own compiled modules: the page's folder holds nothing but the page.)
 *
 *   node scripts/build-page.js [outDir]
 *
 * esbuild only transpiles; the page is type-checked by `tsc -p src/audition/page/tsconfig.json`, the worker (which
 * imports src/audio, whose Node loader it swaps, see below) by the main tsconfig.json.
 */
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const PAGE_SRC = path.join(ROOT, 'src', 'audition', 'page');
const WORKER_SRC = path.join(ROOT, 'src', 'audition', 'browser');
const AUDIO_SRC = path.join(ROOT, 'src', 'audio');
const DEFAULT_OUT = path.join(ROOT, 'dist', 'audition-page');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
/** Copied as they are; with app.js and decode-worker.js they are everything the page loads. */
const STATIC_FILES = ['index.html', 'style.css'];

/**
 * src/audio loads its wasm decoders from the packages' UMD files on disk (wasm-bundle.ts: fs, require); in the
 * browser src/audition/browser/wasm-modules.ts takes its place, the swap a package.json "browser" field would make.
 * Anything else that reaches for a Node module fails the build (esbuild cannot resolve 'fs' for the browser), so a
 * Node import slipping into the decode chain is caught here rather than in a user's browser.
 */
const browserAudio = {
  name: 'sampgen-browser-audio',
  setup(build) {
    build.onResolve({ filter: /^\.\/wasm-bundle$/ }, (args) =>
      path.resolve(args.resolveDir) === AUDIO_SRC ? { path: path.join(WORKER_SRC, 'wasm-modules.ts') } : undefined,
    );
  },
};

const COMMON = {
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: ['es2020'],
  legalComments: 'none',
  logLevel: 'warning',
};

/** Bundles the page into `outDir` (created if needed); resolves to the paths written. */
async function buildPage(outDir = DEFAULT_OUT, { minify = true } = {}) {
  const esbuild = require('esbuild');
  fs.mkdirSync(outDir, { recursive: true });
  const appJs = path.join(outDir, 'app.js');
  const workerJs = path.join(outDir, 'decode-worker.js');
  await Promise.all([
    esbuild.build({
      ...COMMON,
      entryPoints: [path.join(PAGE_SRC, 'main.ts')],
      outfile: appJs,
      minify,
      // tfjs checks process.env.NODE_ENV-style flags at run time; a browser has no `process`. The page names its
      // version in the kits it writes.
      define: { 'process.env.NODE_ENV': '"production"', __SAMPGEN_VERSION__: JSON.stringify(VERSION) },
    }),
    esbuild.build({
      ...COMMON,
      entryPoints: [path.join(WORKER_SRC, 'decode-worker.ts')],
      outfile: workerJs,
      minify,
      plugins: [browserAudio],
    }),
  ]);
  const written = [appJs, workerJs];
  for (const name of STATIC_FILES) {
    const dest = path.join(outDir, name);
    fs.copyFileSync(path.join(PAGE_SRC, name), dest);
    written.push(dest);
  }
  return written;
}

module.exports = { buildPage, DEFAULT_OUT };

if (require.main === module) {
  const out = process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_OUT;
  buildPage(out).then(
    (files) => console.log(`audition page built: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`),
    (err) => {
      console.error(`build-page: ${err && err.message ? err.message : err}`);
      process.exit(1);
    },
  );
}
