// The avx512 build of the kernels (see kernels_isa.inc); compiled with this instruction set's flags (binding.gyp).
#include "kernels.h"
#if defined(__x86_64__)
#include <immintrin.h>
#define SG_NS avx512
#define SG_ISA_NAME "avx512"
#define SG_VL 16
#define SG_MR 8
#define SG_NV 2
#define SG_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SG_SPLAT(x) _mm512_set1_ps(x)
#include "kernels_isa.inc"

namespace sg {
const Kernels& kernels_avx512() { return avx512::kKernels; }
}  // namespace sg
#else
// Not an x86-64 build: this instruction set does not exist here; the loader falls back to the baseline.
namespace sg {
const Kernels& kernels_avx512() { return kernels_base(); }
}  // namespace sg
#endif
