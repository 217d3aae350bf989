import { Command } from 'commander';

/** Each command module adds itself to the program; the order here is the order in `sampgen --help`. */
export type Register = (program: Command) => void;

export const commands: Register[] = [];
