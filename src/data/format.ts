/**
 * The dataset folder format (written by `sampgen preprocess`, read by training):
 *   dataset.json  — this description (written last: a folder without it is incomplete);
 *   samples.f32   — `count` rows of `length` little-endian float32 samples, row-major, in the order of `files`;
 *   <name>.wav    — the same rows as float32 WAVs, mirroring the sources' folders, for listening.
 * Field names are snake_case because the file is meant to be read by other tools (Python included).
 */

/**
 * 2: every file also has its drum class and its level before processing (`class`, `peak_dbfs`, `attack_rms_dbfs`),
 * and `labels` says where the classes came from. Version-1 datasets (no classes, no levels) are still read.
 */
export const DATASET_VERSION = 2;
/** The versions this sampgen reads. */
export const DATASET_VERSIONS_READ: readonly number[] = [1, 2];
export const DATASET_JSON = 'dataset.json';
export const SAMPLES_FILE = 'samples.f32';
export const BYTES_PER_SAMPLE = 4;

/** One source file that became a row. */
export interface DatasetFileEntry {
  /** Path of the source relative to the inputs' common folder, with `/` separators. */
  path: string;
  /** Path of the per-file float32 WAV inside the dataset folder, with `/` separators. */
  output: string;
  /** sha256 of the source file's bytes, hex. */
  sha256: string;
  /** The source's own sample rate (Hz), channel count, container/encoding, frames and duration (s). */
  sample_rate: number;
  channels: number;
  format: string;
  frames: number;
  duration: number;
  /** Version 2: the drum class (src/data/labels.ts; `unknown` when no rule named it). */
  class?: string;
  /** Version 2: the source's level before any processing, on the chosen channel (see preprocess/pipeline.ts). */
  peak_dbfs?: number;
  attack_rms_dbfs?: number;
  /** What the decoder found odd but not fatal in the source (absent when nothing): a truncated file, a missing MP3 delay. */
  warnings?: string[];
}

/** One input that was not used, and why. */
export interface DatasetSkipEntry {
  path: string;
  reason: string;
}

/** The parameters as the user gave them (durations in their own unit, e.g. "0.1" or "16384s"). */
export interface DatasetParameters {
  channel: string;
  sample_rate: number;
  attack: string;
  length: string;
  recursive: boolean;
  extensions: string[] | null;
}

/** dataset.json, version 1. */
export interface DatasetInfo {
  version: number;
  created_by: string;
  sample_rate: number;
  /** Samples per row. */
  length: number;
  /** Rows in samples.f32 (= files.length). */
  count: number;
  /** Index of the peak in every row (samples). */
  attack: number;
  /** sha256 of samples.f32, checked when the dataset is opened (absent in datasets of earlier versions). */
  samples_sha256?: string;
  parameters: DatasetParameters;
  /** Version 2: where the classes came from (`auto`, `folder`, `name`, `none`, or the CSV file as given). */
  labels?: { source: string; rules?: { label: string; words: readonly string[]; also?: readonly string[] }[] };
  files: DatasetFileEntry[];
  skipped: DatasetSkipEntry[];
}
