import { Command } from 'commander';
import { register as synth } from './synth';
import { register as preprocess } from './preprocess';
import { register as steps } from './steps';
import { register as train } from './train';
import { register as exportModel } from './export';
import { register as doctor } from './doctor';

/** Each command module adds itself to the program; the order here is the order in `sampgen --help`. */
export type Register = (program: Command) => void;

export const commands: Register[] = [synth, preprocess, steps, train, exportModel, doctor];
