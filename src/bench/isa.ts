/**
 * `npm run bench:isa [-- --models dense-small,dense-medium,dense-big,vae,conv-ae,gan] [--steps 10] [--repeats 3]
 *   [--isas avx2,avx512] [--json]`
 *
 * The native kernels' instruction sets against each other on this CPU: every model's training unit (as bench:train
 * times it) with the addon set to each instruction set in turn, alternating repeat by repeat so that each sees the
 * same machine load, best repeat kept. The addon picks the widest set the CPU has; this says whether that choice
 * is also the fastest, model by model (the AVX-512 kernels must be faster than the AVX2 ones, not only correct).
 */
import { Command } from 'commander';
import { initBackend, loadNative, NativeIsa } from '../backend';
import { instructionSetsOf } from '../backend/native';
import { UserError } from '../errors';
import { positiveIntOption } from '../util/options';
import { buildTrainer } from '../train/trainers';
import { BENCH_MODELS, benchConfig, benchTrainer, GAN_UNITS } from './train';
import { round, runAsScript } from './common';

export interface IsaRow {
  model: string;
  batch: number;
  length: number;
  /** Best milliseconds per training unit, by instruction set. */
  ms_per_unit: Partial<Record<NativeIsa, number>>;
}

const DEFAULT_MODELS = ['dense-small', 'dense-medium', 'dense-big', 'vae', 'conv-ae', 'gan'];

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .option('--models <list>', 'comma-separated', DEFAULT_MODELS.join(','))
    .option('--steps <n>', 'timed units per repeat (the GAN: a fifth as many, at least 1)', positiveIntOption('--steps'), 10)
    .option('--repeats <n>', 'alternating repeats; each instruction set keeps its best', positiveIntOption('--repeats'), 3)
    .option('--isas <list>', 'instruction sets to compare (default: every one this CPU has, but base)')
    .option('--json', 'print only a JSON array of rows')
    .parse(argv);
  const o = program.opts<{ models: string; steps: number; repeats: number; isas?: string; json?: boolean }>();
  const say = o.json ? () => undefined : (msg: string) => process.stderr.write(msg + '\n');
  // Every input checked before the backend starts.
  const models = o.models.split(',').map((name) => {
    const model = BENCH_MODELS.find((m) => m.name === name);
    if (!model) throw new UserError(`--models: unknown model ${JSON.stringify(name)}; choose from ${BENCH_MODELS.map((m) => m.name).join(', ')}`);
    return model;
  });
  const native = loadNative();
  if (!native.ok) throw new UserError(`bench:isa compares the native kernels' instruction sets, and the addon is not available: ${native.reason}`);
  const info = native.binding.info();
  const available = instructionSetsOf(info);
  const isas = (o.isas ? o.isas.split(',') : available.filter((i) => i !== 'base')) as NativeIsa[];
  for (const isa of isas) {
    if (!available.includes(isa)) throw new UserError(`--isas: this CPU cannot run ${JSON.stringify(isa)}; it has ${available.join(', ')}`);
  }
  await initBackend('wasm', say);
  const { steps, repeats } = o;
  const rows: IsaRow[] = [];
  try {
    for (const model of models) {
      const name = model.name;
      const loaded = benchConfig(model, { backend: 'wasm' });
      const batch = loaded.config.train.batch_size;
      const length = loaded.config.model.length;
      const best: Partial<Record<NativeIsa, number>> = {};
      for (let r = 0; r < repeats; r++) {
        for (const isa of isas) {
          native.binding.configure({ isa });
          const trainer = buildTrainer(loaded.config, 1, { sampleRate: 44100 });
          try {
            const unit = trainer.stepsPerUnit;
            const units = unit > 1 ? GAN_UNITS(steps) : steps;
            const ms = await benchTrainer(trainer, batch, length, units, unit > 1 ? 1 : 3, unit);
            best[isa] = Math.min(best[isa] ?? Infinity, ms);
          } finally {
            trainer.dispose();
          }
        }
        say(`${name} repeat ${r + 1}/${repeats}: ${isas.map((i) => `${i} ${best[i]!.toFixed(1)}`).join(', ')} ms per unit (best so far)`);
      }
      rows.push({ model: name, batch, length, ms_per_unit: Object.fromEntries(isas.map((i) => [i, round(best[i]!, 2)])) });
    }
  } finally {
    native.binding.configure({ isa: 'best' });
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  const [first, last] = [isas[0]!, isas[isas.length - 1]!];
  const ratio = isas.length > 1;
  const lines = [
    `native kernels: ${info.threads} threads; best of ${repeats} alternating repeats; ms per training unit (the GAN: a generator step with its critic steps)`,
    '',
    `| model | batch | length | ${isas.map((i) => `${i} ms`).join(' | ')}${ratio ? ` | ${first}/${last} |` : ' |'}`,
    `|---|---|---|${isas.map(() => '---|').join('')}${ratio ? '---|' : ''}`,
    ...rows.map(
      (r) =>
        `| ${r.model} | ${r.batch} | ${r.length} | ${isas.map((i) => r.ms_per_unit[i]!.toFixed(1)).join(' | ')}` +
        (ratio ? ` | ${(r.ms_per_unit[first]! / r.ms_per_unit[last]!).toFixed(2)} |` : ' |'),
    ),
    '',
    `reproduce: npm run bench:isa -- ${argv.slice(2).join(' ')}`.trimEnd(),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

runAsScript(module, 'bench:isa', main);
