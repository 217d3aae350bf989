#!/usr/bin/env node
'use strict';
/**
 * Builds what `sampgen report --html` and the chart functions need from the vega packages (issue 17):
 *
 *  - dist/vendor/vega-node-<vega>-<vega-lite>.js: vega and vega-lite as one CommonJS file for Node. Both ship as ES
 *    modules only, and vega-canvas (inside vega) uses a top-level await to look for node-canvas, which neither
 *    `require` nor a CommonJS bundle can take; the bundle swaps vega-canvas for ./vega-canvas-node.js, which hands
 *    vega a @napi-rs/canvas canvas (already a dependency) so that text is measured with the fonts resvg draws with.
 *  - dist/report-page/report.js and report.css: the report page's script (src/report/page, with vega, vega-lite and
 *    vega-embed bundled in, so that the page needs no network) and its style sheet. `report --html` copies both
 *    into the report's assets/ folder.
 *
 * Both are built by `npm run build`; src/eval/chart/render.ts and src/report/html.ts build them on first use where
 * they are missing (a test run on the sources without a build). Writes are atomic (temp file + rename), so that
 * two processes building at once leave one whole file.
 *
 *   node scripts/build-report-assets.js
 */
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const PAGE_SRC = path.join(ROOT, 'src', 'report', 'page');
const DEFAULT_PAGE_OUT = path.join(ROOT, 'dist', 'report-page');

function versionOf(name) {
  // Read directly: the packages' "exports" do not list package.json, so require.resolve cannot name it.
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** Where the Node bundle of this vega and vega-lite lives (a new version gets a new file, so no stale bundle is used). */
function vegaNodeBundlePath() {
  return path.join(ROOT, 'dist', 'vendor', `vega-node-${versionOf('vega')}-${versionOf('vega-lite')}.js`);
}

function writeAtomic(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}-${path.basename(file)}`);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Builds the Node bundle (synchronously: chart functions are synchronous); returns its path. */
function buildVegaNode(outFile = vegaNodeBundlePath()) {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    stdin: { contents: "export * as vega from 'vega';\nexport { compile } from 'vega-lite';\n", resolveDir: ROOT, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: ['node20'],
    write: false,
    outfile: outFile,
    legalComments: 'none',
    logLevel: 'warning',
    alias: { 'vega-canvas': path.join(__dirname, 'vega-canvas-node.js') },
    external: ['@napi-rs/canvas'],
  });
  writeAtomic(outFile, result.outputFiles[0].contents);
  return outFile;
}

/** Builds the report page's script and style sheet into `outDir`; returns the paths written. */
function buildReportPage(outDir = DEFAULT_PAGE_OUT, { minify = true } = {}) {
  const esbuild = require('esbuild');
  const js = path.join(outDir, 'report.js');
  const result = esbuild.buildSync({
    entryPoints: [path.join(PAGE_SRC, 'main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['es2020'],
    minify,
    write: false,
    outfile: js,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  writeAtomic(js, result.outputFiles[0].contents);
  const css = path.join(outDir, 'report.css');
  writeAtomic(css, fs.readFileSync(path.join(PAGE_SRC, 'style.css')));
  return [js, css];
}

module.exports = { buildVegaNode, vegaNodeBundlePath, buildReportPage, DEFAULT_PAGE_OUT };

if (require.main === module) {
  try {
    const files = [buildVegaNode(), ...buildReportPage()];
    const kb = (f) => `${(fs.statSync(f).size / 1024).toFixed(0)} KB`;
    console.log(`report assets built: ${files.map((f) => `${path.relative(process.cwd(), f)} (${kb(f)})`).join(', ')}`);
  } catch (err) {
    console.error(`build-report-assets: ${err && err.message ? err.message : err}`);
    process.exit(1);
  }
}
