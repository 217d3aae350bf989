/** Choosing and preparing the TF.js backend (the only place that does), and the wasm kernel patches. */
export { initBackend, probeBackends, backendSummary, BACKEND_REQUESTS } from './init';
export type { BackendRequest, BackendChoice, BackendAttempt, Log } from './init';
export { registerWasmKernelPatches, isPatched, PATCHED_KERNELS, NATIVE_KERNELS, setNativeKernelsEnabled, activeNative } from './wasm-kernels';
export type { PatchedKernel, NativeKernelName } from './wasm-kernels';
export { loadNative, NATIVE_ADDON_PATH } from './native';
export type { NativeBinding, NativeInfo, NativeIsa, NativeStatus } from './native';
export { probeCuda, describeCuda } from './cuda';
export type { CudaVisibility } from './cuda';
