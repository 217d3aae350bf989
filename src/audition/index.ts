/**
 * src/audition: the `sampgen audition` server (Node's http) that serves the browser page (src/audition/page,
 * bundled by scripts/build-page.js into dist/audition-page) and the exported model folders, and `sampgen site`, which
 * writes both as static files. Inference runs in the browser; the server only preprocesses dropped files, through
 * the dataset chain of `sampgen encode`, which a static site runs in the browser (src/audition/browser).
 */
export { startAuditionServer, defaultPageDir, exposureWarning, urlFor, isLoopback, PAGE_FILES } from './server';
export type { AuditionServer, AuditionServerOptions } from './server';
export { listModels, findModel, checkModelsDir, summarize } from './models';
export type { ModelSummary, ModelListing, BrokenModel } from './models';
export {
  preprocessUpload,
  readBody,
  checkDeclaredSize,
  formatBytes,
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_MAX_UPLOAD_SAMPLES,
  PayloadTooLarge,
  TooMuchAudio,
  UnusableUpload,
  UploadAborted,
} from './upload';
export type { UploadChain, PreprocessedUpload } from './upload';
export { UploadQueue, DecodeTimedOut, DEFAULT_MAX_PENDING_UPLOADS, DEFAULT_DECODE_TIMEOUT_MS } from './decode-queue';
export type { UploadQueueState } from './decode-queue';
export { safeSegments, resolveInside, isSafeName } from './paths';
export { buildSite, publishedMetadata, SITE_PAGE_FILES } from './site';
export type { SiteOptions, SiteSummary, SiteModel } from './site';
export { findTrainingDataset, trainingSamplesOf } from './training';
export type { TrainingSamples } from './training';
export { contentTypeOf } from './mime';
