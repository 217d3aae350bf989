// The native kernels' interface: plain structs of pointers and sizes, one implementation per instruction set
// (kernels_isa.inc compiled three times: AVX-512, AVX2+FMA, and the portable baseline), chosen at load time.
#pragma once
#include <cstddef>
#include <cstdint>

#include "pool.h"

namespace sg {

enum Activation : int { kLinear = 0, kRelu = 1, kRelu6 = 2, kLeakyRelu = 3, kElu = 4, kSigmoid = 5 };

// C[b] = op(A[b]) · op(B[b]) (+ bias, activation), row-major C. Element (r, c) of operand X is
// X[r * rs + c * cs]; a batch stride of 0 broadcasts the operand over the batch.
// Adam's state for an update fused into a product. k: beta1, 1−beta1, beta2, 1−beta2, 1−beta1^t, 1−beta2^t, epsilon,
// −learningRate (each a float32, as tfjs makes them).
struct AdamFuse {
  float* p = nullptr;
  float* m = nullptr;
  float* v = nullptr;
  float k[8] = {};
};

struct MatMulArgs {
  int batch, M, N, K;
  const float* a; ptrdiff_t a_rs, a_cs, a_bs;
  const float* b; ptrdiff_t b_rs, b_cs, b_bs;
  float* c; ptrdiff_t c_bs;  // rows of N floats, contiguous
  const float* bias; ptrdiff_t bias_cs;  // bias[j * bias_cs] added to column j (bias_cs 0: a scalar); may be null
  int activation; float alpha;
  // Optional (adam.p null: none): the product is the gradient of the variable adam.p, whose Adam update runs inside
  // the call, block by block as the product's blocks are complete (runs of p, m, v while the block is in cache), with
  // the same float32 operations as the adam kernel. C's contents are then unspecified (the register-tile path keeps
  // its blocks in a buffer of its own and never writes C).
  AdamFuse adam;
  // Optional (mse_target null: none): the mean squared error against mse_target fused into the last pass: C receives
  // (C − target)·mse_scale (the loss's gradient) instead of C, and matmul returns Σ (C − target)², summed in an order
  // that depends only on the shapes.
  const float* mse_target;
  float mse_scale;
};

// 1-D convolution on NHWC tensors viewed as [rows = N·H, W, C] with a [FW, Cin, Cout] filter (height 1),
// stride `stride`, `left` zeros before each row and as many after as the output needs.
struct Conv1DArgs {
  int rows, W, Cin, Cout, FW, stride, left, OW;
};

// The multi-resolution STFT loss of src/eval/reconstruction.ts (mrStftTerms) for target rows x and output rows y
// [batch, length]: per example sc = mean over sizes of ‖S − T‖/‖S‖ and lm = mean over sizes of mean |ln S − ln T|,
// and g = scale · ∂/∂y Σ_b (sc_weight·sc[b] + mag_weight·lm[b]).
struct MrStftArgs {
  int batch, length;
  const float* x;
  const float* y;
  float* g;
  int sizes;
  const int* fft;  // FFT sizes, powers of two ≥ 4
  const int* hop;  // their hops, ≥ 1
  double sc_weight, mag_weight, scale;
  float power_floor;
  double* sc;  // [batch]
  double* lm;  // [batch]
};

struct Kernels {
  const char* isa;
  int mr, nr;
  double (*matmul)(Pool&, const MatMulArgs&);  // Σ (C − target)² with a fused MSE, else 0
  // y[rows, OW, Cout] = activation(conv(x[rows, W, Cin], f) + bias); bias[Cout] may be null
  void (*conv1d)(Pool&, const Conv1DArgs&, const float* x, const float* f, float* y, const float* bias, int activation,
                 float alpha);
  // dx[rows, W, Cin] from dy[rows, OW, Cout] (the transposed convolution)
  void (*conv1d_dx)(Pool&, const Conv1DArgs&, const float* dy, const float* f, float* dx);
  // df[FW, Cin, Cout] from x and dy
  void (*conv1d_df)(Pool&, const Conv1DArgs&, const float* x, const float* dy, float* df);
  // out[j] = Σ_i x[i * cols + j]
  void (*sum_rows)(Pool&, const float* x, int64_t rows, int64_t cols, float* out);
  // In-place Adam step, the same float32 operations in the same order as tfjs' AdamOptimizer.
  void (*adam)(Pool&, int64_t n, float* p, const float* g, float* m, float* v, const float* coeffs);
  // Mean squared error in one pass: g[i] = (y[i] − x[i])·scale, returns Σ (y[i] − x[i])² (float32 sums of fixed
  // blocks, added in block order in double, so the result does not depend on the thread count).
  double (*mse)(Pool&, int64_t n, const float* y, const float* x, float* g, float scale);
  // The multi-resolution STFT loss, its per-example parts and its gradient in y, in one call (mrstft_isa.inc).
  void (*mr_stft)(Pool&, const MrStftArgs&);
  // The WaveGAN critic's elementwise ops (critic_isa.inc): LeakyReLU as c1·x + c2·|x| and its input gradient
  // dy·c1 + (dy·c2)·step(x), bit for bit the tfjs op chains; phase shuffle of [batch, W, C] rows by shifts[b] with
  // reflect padding, or its adjoint.
  void (*abs_leaky)(Pool&, int64_t n, const float* x, float* y, float c1, float c2);
  void (*abs_leaky_grad)(Pool&, int64_t n, const float* dy, const float* x, float* dx, float c1, float c2);
  void (*phase_shuffle)(Pool&, int batch, int W, int C, const int* shifts, const float* x, float* y, bool adjoint);
  // The stock LeakyReLU and its gradient as tfjs computes them: x < 0 ? α·x : x, and x > 0 ? dy : dy·α.
  void (*leaky_relu)(Pool&, int64_t n, const float* x, float* y, float alpha);
  void (*leaky_relu_grad)(Pool&, int64_t n, const float* dy, const float* x, float* dx, float alpha);
};

const Kernels& kernels_avx512();
const Kernels& kernels_avx2();
const Kernels& kernels_base();

// Scratch memory that lives as long as the process, grown on demand (never shrunk: a training run reuses it).
float* scratch(int slot, size_t floats);

}  // namespace sg
