# sampgen's optional native kernels (see native/src/addon.cc). Built by scripts/build-native.js at `npm install`;
# the wasm backend runs without them when the build is impossible.
#
# Each instruction set's kernels are a static library of their own because gyp has no per-file compiler flags;
# the addon picks one at load time from what the CPU reports, so a binary built here also runs on an older x86-64.
# -ffp-contract=off everywhere: the elementwise kernels must round like the tfjs ops they replace (the GEMM asks
# for fused multiply-adds explicitly).
{
  'target_defaults': {
    'cflags_cc!': ['-fno-exceptions'],
    'cflags_cc': ['-fexceptions', '-ffp-contract=off', '-fno-math-errno'],
    'cflags': ['-O3', '-fPIC'],
  },
  'targets': [
    {
      'target_name': 'sampgen_kernels_avx512',
      'type': 'static_library',
      'sources': ['src/kernels_avx512.cc'],
      'conditions': [['target_arch=="x64"', {'cflags_cc': ['-mavx512f', '-mavx512vl', '-mavx512dq', '-mavx512bw', '-mavx2', '-mfma']}]],
    },
    {
      'target_name': 'sampgen_kernels_avx2',
      'type': 'static_library',
      'sources': ['src/kernels_avx2.cc'],
      'conditions': [['target_arch=="x64"', {'cflags_cc': ['-mavx2', '-mfma']}]],
    },
    {
      'target_name': 'sampgen_native',
      'sources': ['src/addon.cc', 'src/pool.cc', 'src/kernels_base.cc'],
      'dependencies': ['sampgen_kernels_avx512', 'sampgen_kernels_avx2'],
      'ldflags': ['-pthread'],
    },
  ],
}
