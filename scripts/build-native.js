#!/usr/bin/env node
/**
 * Builds sampgen's optional native kernels (native/, a Node-API addon) with node-gyp. Run by npm at `npm install` /
 * `npm ci` (the package's "install" script) and by `npm run build:native`.
 *
 * It NEVER fails the install: without a C++ compiler, Node headers or node-gyp, it prints one line saying so and
 * exits 0, and sampgen runs its wasm kernels alone. A build that succeeds is loaded once in a child process before
 * it is kept, so a broken binary can never take the main process down.
 *
 * Environment: SAMPGEN_SKIP_NATIVE=1 skips the build; SAMPGEN_NATIVE_BUILD_TIMEOUT (seconds, default 600).
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const nativeDir = path.join(root, 'native');
const addon = path.join(nativeDir, 'build', 'Release', 'sampgen_native.node');
const logFile = path.join(nativeDir, 'build.log');

function note(msg) {
  process.stdout.write(`sampgen: ${msg}\n`);
}

function skip(reason) {
  note(`native kernels not built (${reason}); the wasm backend runs without them.`);
  process.exit(0);
}

/** node-gyp's CLI: the one npm runs scripts with, a local install, or the copy bundled with npm. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] }));
  } catch {
    // not installed locally
  }
  if (process.env.npm_execpath) {
    candidates.push(path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  const prefix = path.dirname(path.dirname(process.execPath));
  candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => c && fs.existsSync(c)) ?? null;
}

function main() {
  if (['1', 'true', 'yes'].includes((process.env.SAMPGEN_SKIP_NATIVE ?? '').toLowerCase())) skip('SAMPGEN_SKIP_NATIVE is set');
  if (!fs.existsSync(path.join(nativeDir, 'binding.gyp'))) skip('native/ sources are missing');
  const gyp = findNodeGyp();
  if (!gyp) skip('node-gyp not found');
  const timeout = Number(process.env.SAMPGEN_NATIVE_BUILD_TIMEOUT ?? 600) * 1000;
  const started = Date.now();
  const args = [gyp, 'rebuild'];
  // Without a configured nodedir, node-gyp downloads Node's headers; where this Node ships them (a distribution's
  // nodejs-dev, or the official tarball's include/node), use those, so that an offline machine builds too.
  const prefix = path.dirname(path.dirname(process.execPath));
  if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'common.gypi'))) {
    args.push(`--nodedir=${prefix}`);
  }
  const r = spawnSync(process.execPath, args, { cwd: nativeDir, encoding: 'utf8', timeout, env: process.env });
  fs.writeFileSync(logFile, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : lastError(`${r.stdout}\n${r.stderr}`);
    fs.rmSync(addon, { force: true });
    skip(`${why}; details in native/build.log`);
  }
  // Load it once where a crash cannot hurt: an addon that does not load (or reports nothing sensible) is removed.
  const check = spawnSync(process.execPath, ['-e', `const a = require(${JSON.stringify(addon)}); process.stdout.write(JSON.stringify(a.info()));`], {
    encoding: 'utf8',
    timeout: 60000,
  });
  let info = null;
  try {
    info = check.status === 0 ? JSON.parse(check.stdout) : null;
  } catch {
    info = null;
  }
  if (!info || typeof info.isa !== 'string') {
    fs.rmSync(addon, { force: true });
    skip(`the built addon does not load (${lastError(check.stderr ?? '') || `exit ${check.status}`})`);
  }
  note(`native kernels built in ${((Date.now() - started) / 1000).toFixed(0)} s (${info.isa}, ${info.threads} threads).`);
}

/** The most telling line of a failed build's output. */
function lastError(out) {
  const lines = out.split('\n').map((l) => l.trim()).filter(Boolean);
  const err =
    lines.find((l) => /(^|: )(fatal )?error:/i.test(l) && !/^gyp /.test(l)) ?? // the compiler's first error
    lines.find((l) => /^gyp ERR! stack Error:/.test(l))?.replace(/^gyp ERR! stack /, '') ?? // what node-gyp could not do
    lines.find((l) => /\berror\b/i.test(l) && !/^gyp (info|WARN)/.test(l));
  const line = err ?? lines[lines.length - 1] ?? 'unknown error';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

main();
