'use strict';
/**
 * vega-canvas for sampgen's Node bundle of vega (scripts/build-report-assets.js). The original imports node-canvas
 * with a top-level await, which a CommonJS bundle cannot hold; this one hands vega a @napi-rs/canvas canvas, which
 * vega uses to measure text (legend and axis layout) with the system's fonts, the ones resvg draws the SVG with.
 * No images are loaded in Node: an image mark keeps its URL in the SVG, where resvg reads a data: URL itself.
 */
const { createCanvas } = require('@napi-rs/canvas');

function canvas(width, height) {
  return createCanvas(Math.max(1, Math.ceil(width || 1)), Math.max(1, Math.ceil(height || 1)));
}

module.exports = {
  canvas,
  domCanvas: () => null,
  nodeCanvas: canvas,
  image: () => null,
};
