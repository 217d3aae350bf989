#!/usr/bin/env node
'use strict';
/**
 * Builds the audition page (src/audition/page) into dist/audition-page/: app.js (the page's TypeScript with
 * @tensorflow/tfjs bundled in by esbuild, so the page works offline and uses the CLI's very tfjs version),
 * index.html and style.css. `sampgen audition` serves those three files. (Not dist/audition/, where tsc puts the
 * server's own compiled modules: the page's folder holds nothing but the page.)
 *
 *   node scripts/build-page.js [outDir]
 *
 * esbuild only transpiles; the page is type-checked by `tsc -p src/audition/page/tsconfig.json`.
 */
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const PAGE_SRC = path.join(ROOT, 'src', 'audition', 'page');
const DEFAULT_OUT = path.join(ROOT, 'dist', 'audition-page');
/** Copied as they are; together with app.js they are everything the page loads. */
const STATIC_FILES = ['index.html', 'style.css'];

/** Bundles the page into `outDir` (created if needed); resolves to the paths written. */
async function buildPage(outDir = DEFAULT_OUT, { minify = true } = {}) {
  const esbuild = require('esbuild');
  fs.mkdirSync(outDir, { recursive: true });
  const appJs = path.join(outDir, 'app.js');
  await esbuild.build({
    entryPoints: [path.join(PAGE_SRC, 'main.ts')],
    outfile: appJs,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['es2020'],
    minify,
    legalComments: 'none',
    logLevel: 'warning',
    // tfjs checks process.env.NODE_ENV-style flags at run time; a browser has no `process`.
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const written = [appJs];
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
