#!/bin/bash
# The steps of the container images (Dockerfile, Dockerfile.gpu), one script so that CI runs the same commands on
# its own machine without a docker daemon (test/image/image-steps.test.ts). Run from the folder the repository was
# copied to (/opt/sampgen in the images).
#
#   scripts/image-steps.sh [--tf cpu|gpu|none] STAGE...
#
# Stages, in image order:
#   audit   the dependencies with install scripts are the ones `deps` knows what to do with (see below)
#   deps    audit; npm ci --ignore-scripts; the TF.js native binding of --tf; sampgen's native kernels (required)
#   build   dist/ and the audition page (npm run build)
#   prune   dev dependencies removed, and the TF.js binding package the image does not use
#   fonts   a font for the charts' text where the system has none (the -slim and CUDA bases ship none, and resvg then
#           draws charts without any words): fonts-dejavu-core from apt
#   check   the result runs: --version, doctor (the native kernels and the --tf backend are there), and a smoke run
#           of the study grid's entry 6 the way examples/kubernetes/study-indexed-job.yaml runs it
#
# --tf: cpu installs @tensorflow/tfjs-node (libtensorflow 2.9.1 for CPUs, downloaded from storage.googleapis.com by
# its own install script), gpu installs @tensorflow/tfjs-node-gpu (libtensorflow 2.9.1 built for CUDA 11.2 and
# cuDNN 8.1), none neither (sampgen then trains on its wasm backend with the native kernels).
set -euo pipefail

tf=cpu
stages=()
while [ $# -gt 0 ]; do
  case "$1" in
    --tf) tf=${2:?--tf needs cpu, gpu or none}; shift 2 ;;
    --tf=*) tf=${1#--tf=}; shift ;;
    audit | deps | build | prune | fonts | check) stages+=("$1"); shift ;;
    *) echo "image-steps: unknown argument $1 (stages: audit deps build prune fonts check; --tf cpu|gpu|none)" >&2; exit 2 ;;
  esac
done
case "$tf" in cpu | gpu | none) ;; *) echo "image-steps: --tf must be cpu, gpu or none, got $tf" >&2; exit 2 ;; esac
[ ${#stages[@]} -gt 0 ] || { echo "image-steps: name at least one stage (audit deps build prune fonts check)" >&2; exit 2; }
[ -f package.json ] && [ -f package-lock.json ] || { echo "image-steps: run me in the repository's root (no package.json here: $PWD)" >&2; exit 2; }

say() { echo "image-steps: $*"; }
tf_package() {
  case "$1" in cpu) echo @tensorflow/tfjs-node ;; gpu) echo @tensorflow/tfjs-node-gpu ;; esac
}

# `deps` installs with --ignore-scripts: a plain `npm ci` would download the GPU libtensorflow into a CPU image (npm 10
# runs every install script), or no libtensorflow at all (npm 11 runs none it was not told to). So the scripts the image
# needs are run by name, and a dependency that gains an install script has to be looked at here first.
# Handled: sampgen's own (native kernels) and the two TF.js bindings. Not needed: esbuild (its JS API finds the binary
# package without it), @parcel/watcher (a dev tool's file watcher), core-js (prints a message).
KNOWN_INSTALL_SCRIPTS=' @tensorflow/tfjs-node @tensorflow/tfjs-node-gpu esbuild @parcel/watcher core-js '

audit() {
  local unknown
  unknown=$(node -e '
    const lock = require(require("path").resolve("package-lock.json"));
    for (const [where, p] of Object.entries(lock.packages)) {
      if (where === "" || !p.hasInstallScript) continue;
      const name = where.slice(where.lastIndexOf("node_modules/") + "node_modules/".length);
      if (!process.argv[1].includes(" " + name + " ")) console.log(name + "@" + p.version);
    }' "$KNOWN_INSTALL_SCRIPTS")
  if [ -n "$unknown" ]; then
    echo "image-steps: dependencies with install scripts the image steps do not run: $(echo $unknown)." >&2
    echo "  Decide whether the image needs them (run them in deps) and list them in KNOWN_INSTALL_SCRIPTS." >&2
    exit 1
  fi
  say "audit: every dependency's install script is accounted for"
}

deps() {
  audit
  npm ci --ignore-scripts --no-audit --no-fund
  local pkg
  pkg=$(tf_package "$tf")
  if [ -n "$pkg" ]; then
    # The package's own install script, as npm would run it (node_modules/.bin on PATH: it calls node-pre-gyp):
    # libtensorflow and the prebuilt binding, both downloaded.
    say "deps: $pkg's install script (downloads libtensorflow 2.9.1 and the binding)"
    local args=()
    [ "$tf" = gpu ] && args=(gpu download)
    (cd "node_modules/$pkg" && PATH="$(cd ../../.bin && pwd):$PATH" node scripts/install.js "${args[@]}")
  fi
  # sampgen's own install script; it never fails an install, so check that it built what the image promises.
  node scripts/build-native.js
  [ -f native/build/Release/sampgen_native.node ] || { echo "image-steps: the native kernels were not built (native/build.log)" >&2; exit 1; }
}

build() {
  npm run build
}

prune() {
  npm prune --omit=dev --no-audit --no-fund
  # Both bindings are optional dependencies; keep the one this image set up (none: neither).
  local p
  for p in cpu gpu; do
    [ "$p" = "$tf" ] || rm -rf "node_modules/$(tf_package "$p")"
  done
  say "prune: $(du -sh node_modules | cut -f1) of node_modules left"
}

has_fonts() {
  node -e 'process.exit(require("@napi-rs/canvas").GlobalFonts.families.length > 0 ? 0 : 1)'
}

fonts() {
  if has_fonts; then
    say "fonts: the system has fonts for the charts"
    return
  fi
  apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
  has_fonts || { echo "image-steps: fonts: still no font after installing fonts-dejavu-core" >&2; exit 1; }
  say "fonts: installed fonts-dejavu-core"
}

check() {
  local here doctor volume
  here=$(pwd)
  node bin/sampgen --version
  doctor=$(node bin/sampgen --json doctor)
  # What doctor must report here: the native kernels on wasm, and the backend of --tf (the GPU one cannot load
  # without a driver, which a build has not got: its files are checked instead).
  SAMPGEN_TF=$tf node -e '
    const d = JSON.parse(process.argv[1]);
    const tf = process.env.SAMPGEN_TF;
    const b = Object.fromEntries(d.backends.map((x) => [x.backend, x]));
    const fail = (m) => { console.error("image-steps: check: " + m); process.exit(1); };
    if (!b.wasm?.ok || !/(^|, )native kernels: /.test(b.wasm.reason)) fail("no native kernels on wasm: " + (b.wasm?.reason ?? "no wasm backend"));
    if (tf === "cpu" && !b["tfjs-node"]?.ok) fail("tfjs-node does not load: " + (b["tfjs-node"]?.reason ?? "missing"));
    for (const [name, want] of [["tfjs-node", "cpu"], ["tfjs-node-gpu", "gpu"]]) {
      if (tf !== want && d.packages["@tensorflow/" + name]) fail("@tensorflow/" + name + " is installed in a --tf " + tf + " image");
    }
    console.log("image-steps: check: " + d.backends.map((x) => x.backend + " " + (x.ok ? "ok" : "no")).join(", ") + "; " + b.wasm.reason);
  ' "$doctor"
  # Charts are SVG rasterised by resvg with the system's fonts: an image without any (the -slim and CUDA bases ship
  # none) draws every chart with no text at all, silently. The Dockerfiles install fonts-dejavu-core for this.
  has_fonts || { echo "image-steps: check: no fonts: charts would have no text (the fonts stage installs fonts-dejavu-core)" >&2; exit 1; }
  if [ "$tf" = gpu ]; then
    for f in node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v*/tfjs_binding.node node_modules/@tensorflow/tfjs-node-gpu/deps/lib/libtensorflow.so.2.9.1; do
      [ -e "$f" ] || { echo "image-steps: check: $f is missing" >&2; exit 1; }
    done
  fi
  # The Kubernetes example's command: the grid inside the image, the data and runs in the working directory (the
  # pod's volume), the index from JOB_COMPLETION_INDEX. Entry 6 is the small relu autoencoder, seconds as a smoke run.
  volume=$(mktemp -d)
  (cd "$volume" && JOB_COMPLETION_INDEX=6 node "$here/bin/sampgen" sweep run "$here/examples/grids/study.yaml" --index auto --smoke)
  [ -f "$volume"/runs/.smoke/runs/ae-small-relu-*/done.json ] || { echo "image-steps: check: the smoke run left no done.json" >&2; exit 1; }
  rm -rf "$volume"
  say "check: ok"
}

for stage in "${stages[@]}"; do
  say "$stage (--tf $tf)"
  "$stage"
done
