import { Command } from 'commander';
import { register as synth } from './synth';
import { register as preprocess } from './preprocess';
import { register as steps } from './steps';
import { register as dataset } from './dataset';
import { register as train } from './train';
import { register as configCommand } from './config';
import { register as exportModel } from './export';
import { register as doctor } from './doctor';
import { register as sweep } from './sweep';
import { register as report } from './report';
import { register as runs } from './runs';
import { register as audition } from './audition';
import { register as site } from './site';
import { register as quickstart } from './quickstart';
import { registerGenerate, registerEncode, registerInterpolate, registerLatentMap, registerEvaluate } from './use';

/** Each command module adds itself to the program; the order here is the order in `sampgen --help`. */
export type Register = (program: Command) => void;

export const commands: Register[] = [
  quickstart,
  synth,
  preprocess,
  steps,
  dataset,
  configCommand,
  train,
  exportModel,
  registerGenerate,
  registerEncode,
  registerInterpolate,
  registerLatentMap,
  registerEvaluate,
  sweep,
  runs,
  report,
  audition,
  site,
  doctor,
];
