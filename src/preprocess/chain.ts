import type { DecodedAudio } from '../audio/types';
import { ChannelMode, scanSamples, selectChannel } from './channel';
import { resample } from './resample';
import { peakIndex, placePeak } from './peak-align';

/*
 * The per-file chain (channel → resample → peak-align → trim) on decoded audio, with no Node module in its imports:
 * pipeline.ts runs it on files for `sampgen preprocess`, `sampgen encode` and the audition server on dropped
 * files, and the static site (`sampgen site`) bundles this very module into the page's decode worker.
 */

/** The per-file chain's parameters, already in samples at the target rate (so workers need no parsing). */
export interface PipelineParams {
  sampleRate: number;
  channel: ChannelMode;
  /** Index the peak lands on. */
  attackSamples: number;
  /** Samples per output row. */
  lengthSamples: number;
}

/**
 * The study's chain on one decoded signal: channel → resample → peak-align → trim/pad. Returns the row, or the
 * reason the signal cannot be used (empty, NaN/Inf, silent: checked on the chosen channel, before resampling,
 * so that a bad value never spreads through the filter).
 */
export function preprocessSignal(decoded: DecodedAudio, params: PipelineParams): Float32Array | { reason: string } {
  const done = preprocessWithLevels(decoded, params);
  return 'reason' in done ? done : done.row;
}

/** The source's level before any processing (on the chosen channel, at its own rate): the "velocity" of a hit. */
export interface SourceLevels {
  /** 20·log10 of the largest |sample| (dBFS). */
  peakDbfs: number;
  /** 20·log10 of the RMS over ATTACK_WINDOW around the peak (dBFS): how hard the hit starts, less spiky than the peak. */
  attackRmsDbfs: number;
}

/** The attack window of SourceLevels: from 5 ms before the peak to 45 ms after it (cut at the signal's ends). */
export const ATTACK_WINDOW = { beforeSeconds: 0.005, afterSeconds: 0.045 } as const;

/** Levels of a channel whose largest |sample| is at `peak` (see SourceLevels). */
export function sourceLevels(x: Float32Array, peak: number, sampleRate: number): SourceLevels {
  const from = Math.max(0, peak - Math.round(ATTACK_WINDOW.beforeSeconds * sampleRate));
  const to = Math.min(x.length, peak + Math.round(ATTACK_WINDOW.afterSeconds * sampleRate));
  let energy = 0;
  for (let i = from; i < to; i++) energy += x[i]! * x[i]!;
  const db = (v: number) => Math.round(2000 * Math.log10(v)) / 100; // 0.01 dB: what a level means, not float noise
  return { peakDbfs: db(Math.abs(x[peak]!)), attackRmsDbfs: db(Math.sqrt(energy / Math.max(1, to - from))) };
}

/** preprocessSignal's row and the source's levels (nothing in the chain normalises: level is part of the signal). */
export function preprocessWithLevels(decoded: DecodedAudio, params: PipelineParams): { row: Float32Array; levels: SourceLevels } | { reason: string } {
  const x = selectChannel(decoded.channels, params.channel);
  const scan = scanSamples(x);
  if (scan.reason !== null) return { reason: scan.reason };
  const levels = sourceLevels(x, scan.peak, decoded.sampleRate);
  const resampled = resample(x, decoded.sampleRate, params.sampleRate);
  // At the target rate already, the scan found the peak; otherwise the filter moved it.
  const peak = resampled === x ? scan.peak : peakIndex(resampled);
  return { row: placePeak(resampled, peak, params.attackSamples, params.lengthSamples), levels };
}
