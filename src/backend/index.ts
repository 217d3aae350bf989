/** Choosing and preparing the TF.js backend (the only place that does), and the wasm kernel patches. */
export { initBackend, probeBackends, backendSummary, BACKEND_REQUESTS } from './init';
export type { BackendRequest, BackendChoice, BackendAttempt, Log } from './init';
export { registerWasmKernelPatches, isPatched, PATCHED_KERNELS } from './wasm-kernels';
export type { PatchedKernel } from './wasm-kernels';
export { probeCuda, describeCuda } from './cuda';
export type { CudaVisibility } from './cuda';
