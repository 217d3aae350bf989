/**
 * src/synth: a built-in drum synthesizer (snare, kick, hat), so that the pipeline runs on a machine with no
 * sample library. Knows nothing of datasets or models; it only writes WAV one-shots.
 */
export {
  DRUM_KINDS,
  HAT_OSC_RATIOS,
  SNARE_MODE_RATIOS,
  SYNTH_SAMPLE_RATES,
  fileRng,
  randomDrumParams,
  synthesizeDrum,
  synthesizeSet,
} from './drums';
export type { DrumKind, DrumParams, DrumParamsOf, HatParams, KickParams, SnareParams, SynthFile } from './drums';
export { SYNTH_FORMATS, writeSynthSet } from './write';
export type { SynthSummary, WriteSynthOptions } from './write';
