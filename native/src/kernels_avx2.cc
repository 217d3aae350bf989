// The avx2 build of the kernels (see kernels_isa.inc); compiled with this instruction set's flags (binding.gyp).
#include "kernels.h"
#if defined(__x86_64__)
#include <immintrin.h>
#define SG_NS avx2
#define SG_ISA_NAME "avx2"
#define SG_VL 8
#define SG_MR 6
#define SG_NV 2
#define SG_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SG_SPLAT(x) _mm256_set1_ps(x)
#include "kernels_isa.inc"

namespace sg {
const Kernels& kernels_avx2() { return avx2::kKernels; }
}  // namespace sg
#else
// Not an x86-64 build: this instruction set does not exist here; the loader falls back to the baseline.
namespace sg {
const Kernels& kernels_avx2() { return kernels_base(); }
}  // namespace sg
#endif
