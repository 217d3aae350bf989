/**
 * Vega-Lite specifications (./specs.ts) rendered in Node: compiled by vega-lite, laid out by vega into SVG, and
 * rasterised by resvg into a PNG. The report page renders the very same specifications in the browser.
 *
 * vega and vega-lite come from one CommonJS bundle (scripts/build-report-assets.js says why), built by
 * `npm run build` and, where it is missing, on first use.
 */
import { hasFonts } from '../plot/canvas';
import * as fs from 'fs';
import * as path from 'path';
import { Resvg } from '@resvg/resvg-js';
import { PACKAGE_ROOT } from '../../version';
import { FONT_FAMILY, type ChartSpec } from './specs';

/** The few parts of vega's API used here (the bundle is loaded with require, so its types are not imported). */
interface VegaView {
  run(): VegaView;
  padding(): { left: number; right: number; top: number; bottom: number };
  background(): string | null;
  loader(): unknown;
  scenegraph(): { root: unknown };
  finalize(): void;
  _viewWidth: number;
  _viewHeight: number;
  _origin: [number, number];
}

interface VegaModule {
  View: new (runtime: unknown, options: { renderer: 'none'; logLevel?: number }) => VegaView;
  parse(spec: unknown): unknown;
  SVGStringRenderer: new (loader: unknown) => {
    initialize(el: null, width: number, height: number, origin: [number, number]): {
      background(color: string | null): { render(root: unknown): { svg(): string } };
    };
  };
  resetSVGDefIds(): void;
  Warn: number;
}

interface Bundle {
  vega: VegaModule;
  compile(spec: ChartSpec, options?: { logger?: unknown }): { spec: unknown };
}

let bundle: Bundle | null = null;

function loadBundle(): Bundle {
  if (bundle) return bundle;
  const build = require(path.join(PACKAGE_ROOT, 'scripts', 'build-report-assets.js')) as {
    vegaNodeBundlePath(): string;
    buildVegaNode(file?: string): string;
  };
  const file = build.vegaNodeBundlePath();
  if (!fs.existsSync(file)) build.buildVegaNode(file);
  bundle = require(file) as Bundle;
  return bundle;
}

/** The Vega (not Vega-Lite) specification a Vega-Lite one compiles to; warnings (e.g. a dropped encoding) throw. */
export function compileSpec(spec: ChartSpec): unknown {
  const { compile } = loadBundle();
  const warnings: string[] = [];
  const logger = {
    level: () => logger,
    error: (...m: unknown[]) => (warnings.push(m.join(' ')), logger),
    warn: (...m: unknown[]) => (warnings.push(m.join(' ')), logger),
    info: () => logger,
    debug: () => logger,
  };
  const compiled = compile(spec, { logger }).spec;
  if (warnings.length > 0) throw new Error(`vega-lite: ${warnings.join('; ')}`);
  return compiled;
}

/**
 * The chart as an SVG document. Synchronous, so that chart functions stay synchronous like the raster plots:
 * the dataflow of a chart with inline data and no images runs to the end in `run()`, and the SVG renderer
 * draws the scenegraph directly (what vega's own `toSVG()` does after awaiting the same two steps; the view's
 * laid-out size lives in fields vega keeps private, read here with the exact version pinned in package.json,
 * and a test compares the result with `toSVG()`).
 */
export function chartSvg(spec: ChartSpec): string {
  const { vega } = loadBundle();
  const view = new vega.View(vega.parse(compileSpec(spec)), { renderer: 'none', logLevel: vega.Warn });
  try {
    view.run();
    const pad = view.padding();
    const width = Math.max(0, view._viewWidth + pad.left + pad.right);
    const height = Math.max(0, view._viewHeight + pad.top + pad.bottom);
    if (!Number.isFinite(width) || !Number.isFinite(height)) throw new Error('vega: the view has no laid-out size (has its API changed?)');
    // Gradient ids restart in every document, so that the same chart gives the same SVG.
    vega.resetSVGDefIds();
    const origin: [number, number] = [pad.left + view._origin[0], pad.top + view._origin[1]];
    return new vega.SVGStringRenderer(view.loader()).initialize(null, width, height, origin).background(view.background()).render(view.scenegraph().root).svg();
  } finally {
    view.finalize();
  }
}

/** Vega's own asynchronous SVG export, for the test that `chartSvg` draws the same document. */
export async function chartSvgAsync(spec: ChartSpec): Promise<string> {
  const { vega } = loadBundle();
  const view = new vega.View(vega.parse(compileSpec(spec)), { renderer: 'none', logLevel: vega.Warn }) as VegaView & { toSVG(): Promise<string> };
  try {
    vega.resetSVGDefIds();
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

let warnedNoFonts = false;

/** An SVG rasterised at its own size, on white (a transparent PNG looks broken in dark viewers). */
export function svgToPng(svg: string): Uint8Array {
  // Without any system font resvg drops every text element silently: say it once rather than ship charts with no words.
  if (!warnedNoFonts && !hasFonts()) {
    warnedNoFonts = true;
    process.stderr.write('warning: no fonts are installed, so charts are drawn without any text (on Debian: apt-get install fonts-dejavu-core)\n');
  }
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: FONT_FAMILY[0] },
    shapeRendering: 2,
    textRendering: 1,
  });
  return resvg.render().asPng();
}

export function chartPng(spec: ChartSpec): Uint8Array {
  return svgToPng(chartSvg(spec));
}
