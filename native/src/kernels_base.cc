// The base build of the kernels (see kernels_isa.inc); compiled with this instruction set's flags (binding.gyp).
#include "kernels.h"


#define SG_NS base
#define SG_ISA_NAME "base"
#define SG_VL 4
#define SG_MR 4
#define SG_NV 2
#define SG_FMA(a, b, c) ((a) * (b) + (c))
#define SG_SPLAT(x) (V{x, x, x, x})
#include "kernels_isa.inc"

namespace sg {
const Kernels& kernels_base() { return base::kKernels; }
}  // namespace sg

