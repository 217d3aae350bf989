// sampgen's optional native kernels for the wasm backend, as a Node-API addon.
//
// Every entry point works IN PLACE on the wasm backend's heap: JS passes the WebAssembly.Memory's ArrayBuffer and
// byte offsets of tensors in it (from the backend's dataIdMap), so no tensor is copied in or out. Numeric parameters
// come as one Float64Array (one N-API call instead of twenty). Offsets and sizes are bounds-checked against the
// buffer before any kernel runs: a wrong offset is an exception, never a write outside the heap.
#define NAPI_VERSION 8
#include <node_api.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kernels.h"
#include "pool.h"

namespace sg {

// ---- scratch ----------------------------------------------------------------------------------------------------

float* scratch(int slot, size_t floats) {
  static float* bufs[8] = {};
  static size_t caps[8] = {};
  if (floats == 0) floats = 1;
  if (caps[slot] < floats) {
    std::free(bufs[slot]);
    size_t cap = std::max(floats, caps[slot] + caps[slot] / 2);
    size_t bytes = (cap * sizeof(float) + 63) / 64 * 64;
    bufs[slot] = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!bufs[slot]) {
      caps[slot] = 0;
      throw std::bad_alloc();
    }
    caps[slot] = cap;
  }
  return bufs[slot];
}

namespace {

// ---- state ------------------------------------------------------------------------------------------------------

bool cpu_has(const char* feature) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (!std::strcmp(feature, "avx512")) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512bw");
  }
  if (!std::strcmp(feature, "avx2")) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  (void)feature;
#endif
  return false;
}

const Kernels* best_kernels() {
  if (cpu_has("avx512")) return &kernels_avx512();
  if (cpu_has("avx2")) return &kernels_avx2();
  return &kernels_base();
}

const Kernels* kernels_named(const std::string& name) {
  if (name == "avx512") return cpu_has("avx512") ? &kernels_avx512() : nullptr;
  if (name == "avx2") return cpu_has("avx2") ? &kernels_avx2() : nullptr;
  if (name == "base") return &kernels_base();
  return nullptr;
}

struct State {
  std::mutex mutex;  // guards creation; kernels run on the JS thread of one environment at a time
  const Kernels* k = nullptr;
  Pool* pool = nullptr;
  int envs = 0;
};
State& state() {
  static State s;
  return s;
}

int default_threads() {
  if (const char* e = std::getenv("SAMPGEN_NATIVE_THREADS")) {
    int n = std::atoi(e);
    if (n >= 1 && n <= 256) return n;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(std::min(hc, 16u));
}

// ---- N-API helpers ----------------------------------------------------------------------------------------------

#define NAPI_OK(call)                                                      \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, nullptr, "sampgen native: N-API call failed"); \
      return nullptr;                                                      \
    }                                                                      \
  } while (0)

struct Call {
  uint8_t* heap = nullptr;
  size_t heap_bytes = 0;
  const double* p = nullptr;
  size_t np = 0;
};

// Reads (heap: ArrayBuffer, params: Float64Array) into `c`; throws and returns false on a wrong call.
bool read_call(napi_env env, napi_callback_info info, size_t want, Call* c) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 2) {
    napi_throw_type_error(env, nullptr, "sampgen native: expected (heap: ArrayBuffer, params: Float64Array)");
    return false;
  }
  bool is_ab = false;
  napi_is_arraybuffer(env, argv[0], &is_ab);
  void* data = nullptr;
  if (!is_ab || napi_get_arraybuffer_info(env, argv[0], &data, &c->heap_bytes) != napi_ok) {
    napi_throw_type_error(env, nullptr, "sampgen native: argument 1 must be the wasm heap's ArrayBuffer");
    return false;
  }
  c->heap = static_cast<uint8_t*>(data);
  bool is_ta = false;
  napi_is_typedarray(env, argv[1], &is_ta);
  napi_typedarray_type type;
  void* pdata = nullptr;
  if (!is_ta || napi_get_typedarray_info(env, argv[1], &type, &c->np, &pdata, nullptr, nullptr) != napi_ok ||
      type != napi_float64_array) {
    napi_throw_type_error(env, nullptr, "sampgen native: argument 2 must be a Float64Array of parameters");
    return false;
  }
  c->p = static_cast<const double*>(pdata);
  if (c->np < want) {
    napi_throw_range_error(env, nullptr, "sampgen native: too few parameters");
    return false;
  }
  return true;
}

// A float32 region of the heap: byte offset `off`, elements reachable up to index `span` (exclusive).
bool region(napi_env env, const Call& c, double off, double span, const char* what, float** out) {
  if (!(off >= 0) || off != static_cast<double>(static_cast<int64_t>(off)) || static_cast<int64_t>(off) % 4 != 0 ||
      !(span >= 0) || off + span * 4 > static_cast<double>(c.heap_bytes)) {
    std::string msg = std::string("sampgen native: ") + what + " lies outside the wasm heap (or is misaligned)";
    napi_throw_range_error(env, nullptr, msg.c_str());
    return false;
  }
  *out = reinterpret_cast<float*>(c.heap + static_cast<int64_t>(off));
  return true;
}

bool dims_ok(napi_env env, std::initializer_list<double> dims) {
  for (double d : dims) {
    if (!(d >= 0) || d > 2147483647.0 || d != static_cast<double>(static_cast<int64_t>(d))) {
      napi_throw_range_error(env, nullptr, "sampgen native: a size is negative, fractional or too large");
      return false;
    }
  }
  return true;
}

// Largest index + 1 of a strided operand (strides ≥ 0), 0 when empty.
double span_of(double batch, double bs, double rows, double rs, double cols, double cs) {
  if (batch == 0 || rows == 0 || cols == 0) return 0;
  return (batch - 1) * bs + (rows - 1) * rs + (cols - 1) * cs + 1;
}

template <class F>
napi_value guarded(napi_env env, F&& f) {
  try {
    f();
  } catch (const std::bad_alloc&) {
    napi_throw_error(env, nullptr, "sampgen native: out of memory for scratch buffers");
  }
  return nullptr;
}

// The elementwise kernels' operands: n = params[0] elements (a valid size), then one byte offset per operand in
// params[1 …], each a region of n floats named by `names` (for the error message); false once one is wrong (thrown).
template <size_t N>
bool elementwise_operands(napi_env env, const Call& c, const char* const (&names)[N], float* (&out)[N]) {
  if (!dims_ok(env, {c.p[0]})) return false;
  for (size_t i = 0; i < N; i++)
    if (!region(env, c, c.p[1 + i], c.p[0], names[i], &out[i])) return false;
  return true;
}

// A kernel's number result, or nothing where the kernel threw (guarded left a JavaScript exception pending).
napi_value number_unless_thrown(napi_env env, double value) {
  bool failed = false;
  NAPI_OK(napi_is_exception_pending(env, &failed));
  if (failed) return nullptr;
  napi_value out;
  NAPI_OK(napi_create_double(env, value, &out));
  return out;
}

// ---- entry points -----------------------------------------------------------------------------------------------

// params: batch, M, N, K, aOff, a_rs, a_cs, a_bs, bOff, b_rs, b_cs, b_bs, cOff, c_bs, biasOff (−1: none), bias_cs,
// activation, alpha
napi_value MatMul(napi_env env, napi_callback_info info) {
  Call c;
  if (!read_call(env, info, 18, &c)) return nullptr;
  const double* p = c.p;
  if (!dims_ok(env, {p[0], p[1], p[2], p[3], p[5], p[6], p[7], p[9], p[10], p[11], p[13], p[15]})) return nullptr;
  MatMulArgs a{};
  a.batch = (int)p[0], a.M = (int)p[1], a.N = (int)p[2], a.K = (int)p[3];
  float *pa, *pb, *pc, *pbias = nullptr;
  if (!region(env, c, p[4], span_of(p[0], p[7], p[1], p[5], p[3], p[6]), "A", &pa)) return nullptr;
  if (!region(env, c, p[8], span_of(p[0], p[11], p[3], p[9], p[2], p[10]), "B", &pb)) return nullptr;
  if (!region(env, c, p[12], span_of(p[0], p[13], p[1], p[2], p[2], 1), "C", &pc)) return nullptr;
  if (p[14] >= 0 && !region(env, c, p[14], p[2] == 0 ? 0 : (p[2] - 1) * p[15] + 1, "bias", &pbias)) return nullptr;
  a.a = pa, a.a_rs = (ptrdiff_t)p[5], a.a_cs = (ptrdiff_t)p[6], a.a_bs = (ptrdiff_t)p[7];
  a.b = pb, a.b_rs = (ptrdiff_t)p[9], a.b_cs = (ptrdiff_t)p[10], a.b_bs = (ptrdiff_t)p[11];
  a.c = pc, a.c_bs = (ptrdiff_t)p[13];
  a.bias = pbias, a.bias_cs = (ptrdiff_t)p[15];
  a.activation = (int)p[16], a.alpha = (float)p[17];
  if (a.activation < kLinear || a.activation > kSigmoid) {
    napi_throw_range_error(env, nullptr, "sampgen native: unknown activation");
    return nullptr;
  }
  // Optional params 18..28: pOff, mOff, vOff, then Adam's 8 coefficients: C is the gradient of p, updated in the call
  // (MatMulArgs::adam). Only for one plain product: a bias or an activation would not give a gradient.
  if (c.np >= 29 && p[18] >= 0) {
    if (p[0] != 1 || p[14] >= 0 || a.activation != kLinear) {
      napi_throw_range_error(env, nullptr, "sampgen native: a fused Adam update needs one plain product (no batch, bias or activation)");
      return nullptr;
    }
    const double n = p[1] * p[2];
    if (!region(env, c, p[18], n, "variable", &a.adam.p) || !region(env, c, p[19], n, "first moment", &a.adam.m) ||
        !region(env, c, p[20], n, "second moment", &a.adam.v))
      return nullptr;
    for (int i = 0; i < 8; i++) a.adam.k[i] = (float)p[21 + i];
  }
  // Optional params 29..30: targetOff, scale: the MSE against the target fused into the product (MatMulArgs::mse_target):
  // C receives (C − target)·scale, and the call returns Σ (C − target)².
  const bool fused_mse = c.np >= 31 && p[29] >= 0;
  if (fused_mse) {
    float* target;
    if (p[0] != 1 || a.adam.p) {
      napi_throw_range_error(env, nullptr, "sampgen native: a fused MSE needs one product without a fused Adam update");
      return nullptr;
    }
    if (!region(env, c, p[29], p[1] * p[2], "target", &target)) return nullptr;
    a.mse_target = target;
    a.mse_scale = (float)p[30];
  }
  State& s = state();
  double total = 0;
  guarded(env, [&] { total = s.k->matmul(*s.pool, a); });
  return fused_mse ? number_unless_thrown(env, total) : nullptr;
}

// params: rows, W, Cin, Cout, FW, stride, left, OW, in1Off, in2Off, outOff (and for the convolution itself:
// biasOff (−1: none), activation, alpha); which: 0 conv (x, f → y), 1 input gradient (dy, f → dx),
// 2 filter gradient (x, dy → df)
napi_value ConvCommon(napi_env env, napi_callback_info info, int which) {
  Call c;
  if (!read_call(env, info, which == 0 ? 14 : 11, &c)) return nullptr;
  const double* p = c.p;
  if (!dims_ok(env, {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]})) return nullptr;
  Conv1DArgs a{(int)p[0], (int)p[1], (int)p[2], (int)p[3], (int)p[4], (int)p[5], (int)p[6], (int)p[7]};
  if (a.stride < 1 || a.FW < 1 || a.rows < 1 || a.W < 1 || a.OW < 1 || a.Cin < 1 || a.Cout < 1 ||
      (double)(a.OW - 1) * a.stride - a.left >= a.W + 0.0 + a.FW) {
    napi_throw_range_error(env, nullptr, "sampgen native: inconsistent convolution geometry");
    return nullptr;
  }
  const double xs = (double)a.rows * a.W * a.Cin, ys = (double)a.rows * a.OW * a.Cout, fs = (double)a.FW * a.Cin * a.Cout;
  const double sizes[3][3] = {{xs, fs, ys}, {ys, fs, xs}, {xs, ys, fs}};
  float *i1, *i2, *o;
  if (!region(env, c, p[8], sizes[which][0], "input 1", &i1) || !region(env, c, p[9], sizes[which][1], "input 2", &i2) ||
      !region(env, c, p[10], sizes[which][2], "output", &o))
    return nullptr;
  float* bias = nullptr;
  int act = 0;
  float alpha = 0;
  if (which == 0) {
    if (p[11] >= 0 && !region(env, c, p[11], a.Cout, "bias", &bias)) return nullptr;
    act = (int)p[12];
    alpha = (float)p[13];
    if (act < kLinear || act > kSigmoid) {
      napi_throw_range_error(env, nullptr, "sampgen native: unknown activation");
      return nullptr;
    }
  }
  State& s = state();
  return guarded(env, [&] {
    if (which == 0) s.k->conv1d(*s.pool, a, i1, i2, o, bias, act, alpha);
    if (which == 1) s.k->conv1d_dx(*s.pool, a, i1, i2, o);
    if (which == 2) s.k->conv1d_df(*s.pool, a, i1, i2, o);
  });
}
napi_value Conv1D(napi_env env, napi_callback_info info) { return ConvCommon(env, info, 0); }
napi_value Conv1DDx(napi_env env, napi_callback_info info) { return ConvCommon(env, info, 1); }
napi_value Conv1DDf(napi_env env, napi_callback_info info) { return ConvCommon(env, info, 2); }

// params: rows, cols, xOff, outOff
napi_value SumRows(napi_env env, napi_callback_info info) {
  Call c;
  if (!read_call(env, info, 4, &c)) return nullptr;
  const double* p = c.p;
  if (!dims_ok(env, {p[0], p[1]})) return nullptr;
  float *x, *out;
  if (!region(env, c, p[2], p[0] * p[1], "x", &x) || !region(env, c, p[3], p[1], "out", &out)) return nullptr;
  State& s = state();
  return guarded(env, [&] { s.k->sum_rows(*s.pool, x, (int64_t)p[0], (int64_t)p[1], out); });
}

// params: n, pOff, gOff, mOff, vOff, then 8 float32 coefficients (see kernels.h)
// mse(heap, [n, yOff, xOff, gOff, scale]) → Σ (y − x)², writing g = (y − x)·scale
napi_value Mse(napi_env env, napi_callback_info info) {
  Call c;
  if (!read_call(env, info, 5, &c)) return nullptr;
  const double* p = c.p;
  float* r[3];
  if (!elementwise_operands(env, c, {"output", "target", "gradient"}, r)) return nullptr;
  State& s = state();
  double sum = 0;
  guarded(env, [&] { sum = s.k->mse(*s.pool, (int64_t)p[0], r[0], r[1], r[2], (float)p[4]); });
  return number_unless_thrown(env, sum);
}

// mrStft(heap, [batch, length, xOff, yOff, gOff, scWeight, magWeight, powerFloor, scale, sizes, N₁, hop₁, …]) →
// Float64Array [sc₀ … sc_{batch−1}, lm₀ … lm_{batch−1}], writing g = scale·∂/∂y Σ_b (scWeight·sc_b + magWeight·lm_b)
napi_value MrStft(napi_env env, napi_callback_info info) {
  Call c;
  if (!read_call(env, info, 10, &c)) return nullptr;
  const double* p = c.p;
  if (!dims_ok(env, {p[0], p[1], p[9]})) return nullptr;
  const int sizes = (int)p[9];
  if (sizes < 1 || c.np < 10 + 2 * (size_t)sizes) {
    napi_throw_range_error(env, nullptr, "sampgen native: mrStft needs at least one (FFT size, hop) pair");
    return nullptr;
  }
  std::vector<int> fft(sizes), hop(sizes);
  for (int i = 0; i < sizes; i++) {
    const double n = p[10 + 2 * i], h = p[11 + 2 * i];
    // 2^24: a frame group's scratch is VL·N floats per transform, kept for the process
    if (!(n >= 4 && n <= (1 << 24)) || n != (double)(int64_t)n || ((int64_t)n & ((int64_t)n - 1)) != 0 || !(h >= 1 && h <= (1 << 24)) ||
        h != (double)(int64_t)h) {
      napi_throw_range_error(env, nullptr, "sampgen native: mrStft FFT sizes must be powers of two in [4, 2^24], hops integers ≥ 1");
      return nullptr;
    }
    fft[i] = (int)n, hop[i] = (int)h;
  }
  const double n = p[0] * p[1];
  float *x, *y, *g;
  if (!region(env, c, p[2], n, "target", &x) || !region(env, c, p[3], n, "output", &y) || !region(env, c, p[4], n, "gradient", &g))
    return nullptr;
  if (p[0] < 1 || p[1] < 1) {
    napi_throw_range_error(env, nullptr, "sampgen native: mrStft needs at least one example of at least one sample");
    return nullptr;
  }
  const int batch = (int)p[0];
  napi_value buffer, out;
  void* data = nullptr;
  NAPI_OK(napi_create_arraybuffer(env, sizeof(double) * 2 * batch, &data, &buffer));
  NAPI_OK(napi_create_typedarray(env, napi_float64_array, 2 * (size_t)batch, buffer, 0, &out));
  MrStftArgs a{};
  a.batch = batch, a.length = (int)p[1];
  a.x = x, a.y = y, a.g = g;
  a.sizes = sizes, a.fft = fft.data(), a.hop = hop.data();
  a.sc_weight = p[5], a.mag_weight = p[6], a.power_floor = (float)p[7], a.scale = p[8];
  a.sc = static_cast<double*>(data);
  a.lm = a.sc + batch;
  State& s = state();
  guarded(env, [&] { s.k->mr_stft(*s.pool, a); });
  bool failed = false;
  NAPI_OK(napi_is_exception_pending(env, &failed));
  if (failed) return nullptr;
  return out;
}

// absLeaky(heap, [n, xOff, yOff, c1, c2]): y = c1·x + c2·|x|
napi_value AbsLeaky(napi_env env, napi_callback_info info) {
  Call c;
  if (!read_call(env, info, 5, &c)) return nullptr;
  const double* p = c.p;
  float* r[2];
  if (!elementwise_operands(env, c, {"x", "y"}, r)) return nullptr;
  State& s = state();
  return guarded(env, [&] { s.k->abs_leaky(*s.pool, (int64_t)p[0], r[0], r[1], (float)p[3], (float)p[4]); });
}

// absLeakyGrad(heap, [n, dyOff, xOff, dxOff, c1, c2]): dx = dy·c1 + (dy·c2)·step(x)
napi_value AbsLeakyGrad(napi_env env, napi_callback_info info) {
  Call c;
  if (!read_call(env, info, 6, &c)) return nullptr;
  const double* p = c.p;
  float* r[3];
  if (!elementwise_operands(env, c, {"dy", "x", "dx"}, r)) return nullptr;
  State& s = state();
  return guarded(env, [&] { s.k->abs_leaky_grad(*s.pool, (int64_t)p[0], r[0], r[1], r[2], (float)p[4], (float)p[5]); });
}

// leakyRelu(heap, [n, xOff, yOff, alpha]): y = x < 0 ? α·x : x
napi_value LeakyRelu(napi_env env, napi_callback_info info) {
  Call c;
  if (!read_call(env, info, 4, &c)) return nullptr;
  const double* p = c.p;
  float* r[2];
  if (!elementwise_operands(env, c, {"x", "y"}, r)) return nullptr;
  State& s = state();
  return guarded(env, [&] { s.k->leaky_relu(*s.pool, (int64_t)p[0], r[0], r[1], (float)p[3]); });
}

// leakyReluGrad(heap, [n, dyOff, xOff, dxOff, alpha]): dx = x > 0 ? dy : dy·α
napi_value LeakyReluGrad(napi_env env, napi_callback_info info) {
  Call c;
  if (!read_call(env, info, 5, &c)) return nullptr;
  const double* p = c.p;
  float* r[3];
  if (!elementwise_operands(env, c, {"dy", "x", "dx"}, r)) return nullptr;
  State& s = state();
  return guarded(env, [&] { s.k->leaky_relu_grad(*s.pool, (int64_t)p[0], r[0], r[1], r[2], (float)p[4]); });
}

// phaseShuffle(heap, [batch, W, C, xOff, yOff, adjoint (0|1), shift₀ … shift_{batch−1}]), |shift| < W
napi_value PhaseShuffle(napi_env env, napi_callback_info info) {
  Call c;
  if (!read_call(env, info, 6, &c)) return nullptr;
  const double* p = c.p;
  if (!dims_ok(env, {p[0], p[1], p[2]})) return nullptr;
  const int batch = (int)p[0], W = (int)p[1], C = (int)p[2];
  if (c.np < 6 + (size_t)batch) {
    napi_throw_range_error(env, nullptr, "sampgen native: phaseShuffle needs one shift per example");
    return nullptr;
  }
  std::vector<int> shifts(batch);
  for (int b = 0; b < batch; b++) {
    const double k = p[6 + b];
    if (!(k > -W && k < W) || k != (double)(int64_t)k) {
      napi_throw_range_error(env, nullptr, "sampgen native: a phase shift is not an integer of magnitude below the width");
      return nullptr;
    }
    shifts[b] = (int)k;
  }
  const double n = p[0] * p[1] * p[2];
  float *x, *y;
  if (!region(env, c, p[3], n, "input", &x) || !region(env, c, p[4], n, "output", &y)) return nullptr;
  State& s = state();
  return guarded(env, [&] { s.k->phase_shuffle(*s.pool, batch, W, C, shifts.data(), x, y, p[5] != 0); });
}

napi_value Adam(napi_env env, napi_callback_info info) {
  Call c;
  if (!read_call(env, info, 13, &c)) return nullptr;
  const double* p = c.p;
  float* r[4];
  if (!elementwise_operands(env, c, {"variable", "gradient", "first moment", "second moment"}, r)) return nullptr;
  float k[8];
  for (int i = 0; i < 8; i++) k[i] = (float)p[5 + i];
  State& s = state();
  return guarded(env, [&] { s.k->adam(*s.pool, (int64_t)p[0], r[0], r[1], r[2], r[3], k); });
}

napi_value MakeString(napi_env env, const char* s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

// info() → { isa, mr, nr, threads, cpu: { avx2, avx512 } }
napi_value Info(napi_env env, napi_callback_info) {
  State& s = state();
  napi_value o, cpu, v;
  NAPI_OK(napi_create_object(env, &o));
  NAPI_OK(napi_set_named_property(env, o, "isa", MakeString(env, s.k->isa)));
  NAPI_OK(napi_create_int32(env, s.k->mr, &v));
  NAPI_OK(napi_set_named_property(env, o, "mr", v));
  NAPI_OK(napi_create_int32(env, s.k->nr, &v));
  NAPI_OK(napi_set_named_property(env, o, "nr", v));
  NAPI_OK(napi_create_int32(env, s.pool->threads(), &v));
  NAPI_OK(napi_set_named_property(env, o, "threads", v));
  NAPI_OK(napi_create_object(env, &cpu));
  NAPI_OK(napi_get_boolean(env, cpu_has("avx2"), &v));
  NAPI_OK(napi_set_named_property(env, cpu, "avx2", v));
  NAPI_OK(napi_get_boolean(env, cpu_has("avx512"), &v));
  NAPI_OK(napi_set_named_property(env, cpu, "avx512", v));
  NAPI_OK(napi_set_named_property(env, o, "cpu", cpu));
  return o;
}

// configure({ isa?: 'avx512'|'avx2'|'base'|'best', threads?: number }) → true, or throws for an unusable choice
napi_value Configure(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  NAPI_OK(napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr));
  State& s = state();
  if (argc < 1) {
    napi_throw_type_error(env, nullptr, "sampgen native: configure expects an options object");
    return nullptr;
  }
  bool has = false;
  napi_value v;
  NAPI_OK(napi_has_named_property(env, arg, "isa", &has));
  if (has) {
    NAPI_OK(napi_get_named_property(env, arg, "isa", &v));
    char buf[32];
    size_t len = 0;
    if (napi_get_value_string_utf8(env, v, buf, sizeof buf, &len) != napi_ok) {
      napi_throw_type_error(env, nullptr, "sampgen native: isa must be a string");
      return nullptr;
    }
    const Kernels* k = std::string(buf) == "best" ? best_kernels() : kernels_named(buf);
    if (!k) {
      std::string msg = std::string("sampgen native: instruction set '") + buf + "' is unknown or not supported by this CPU";
      napi_throw_error(env, nullptr, msg.c_str());
      return nullptr;
    }
    s.k = k;
  }
  NAPI_OK(napi_has_named_property(env, arg, "threads", &has));
  if (has) {
    NAPI_OK(napi_get_named_property(env, arg, "threads", &v));
    int32_t n = 0;
    if (napi_get_value_int32(env, v, &n) != napi_ok || n < 1 || n > 256) {
      napi_throw_range_error(env, nullptr, "sampgen native: threads must be an integer in [1, 256]");
      return nullptr;
    }
    if (n != s.pool->threads()) {
      delete s.pool;
      s.pool = new Pool(n);
    }
  }
  napi_value t;
  NAPI_OK(napi_get_boolean(env, true, &t));
  return t;
}

void Cleanup(void*) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (--s.envs == 0) {
    delete s.pool;
    s.pool = nullptr;
  }
}

}  // namespace
}  // namespace sg

NAPI_MODULE_INIT() {
  using namespace sg;
  State& s = state();
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.k) {
      const char* forced = std::getenv("SAMPGEN_NATIVE_ISA");
      s.k = forced ? kernels_named(forced) : nullptr;
      if (!s.k) s.k = best_kernels();
    }
    if (!s.pool) s.pool = new Pool(default_threads());
    s.envs++;
  }
  napi_add_env_cleanup_hook(env, Cleanup, nullptr);
  const napi_property_descriptor props[] = {
      {"matmul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv1d", nullptr, Conv1D, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv1dDx", nullptr, Conv1DDx, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv1dDf", nullptr, Conv1DDf, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumRows", nullptr, SumRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mse", nullptr, Mse, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mrStft", nullptr, MrStft, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"absLeaky", nullptr, AbsLeaky, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"absLeakyGrad", nullptr, AbsLeakyGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"phaseShuffle", nullptr, PhaseShuffle, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"leakyRelu", nullptr, LeakyRelu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"leakyReluGrad", nullptr, LeakyReluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"configure", nullptr, Configure, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
