/**
 * The config hash names a run folder (`<name>-<hash>`), so it must change exactly when the result of training
 * could change, and not otherwise: the same experiment run twice (or resumed, or re-planned by a sweep) lands
 * in the same folder, and two different experiments never do.
 *
 * Hashed: sha256 of the canonical JSON (keys sorted at every level, no spaces) of the resolved config, minus
 *   - `name` (already in the folder name; two names for one experiment still share a hash, which shows it),
 *   - `output.*` (where results are written, not what they are),
 *   - `train.log_every`, `train.checkpoint_every`, `gan.preview_every`, `gan.preview_count` (how often
 *     things are written; a resumed run continues exactly, so checkpoints do not change the numbers),
 *   - `gan.micro_batch` (how a batch's gradient is computed: the same update up to float rounding),
 *   - keys the chosen model does not use: `gan.*` unless model.type is gan, `vae.*` unless vae,
 *     `train.loss` for the GAN (WGAN-GP has its own loss), `train.beta1/beta2` unless the optimizer is adam.
 *     (Model keys of other types are not in the resolved config at all.)
 * Everything else is hashed, including `data.path` (another dataset is another experiment) and
 * `train.backend` (backends differ in the last bits of floating point, so results may differ slightly).
 */
import { createHash } from 'crypto';
import type { SampgenConfig } from './types';

/** JSON with object keys sorted at every level, so that key order in the YAML never changes the hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`cannot hash non-finite number ${value}`);
  return JSON.stringify(value);
}

/** The part of a resolved config that determines the training result (see the file comment). */
export function hashedView(config: SampgenConfig): Record<string, unknown> {
  const { log_every: _log, checkpoint_every: _ckpt, ...train } = config.train;
  const trainView: Record<string, unknown> = { ...train };
  if (config.train.optimizer !== 'adam') {
    delete trainView.beta1;
    delete trainView.beta2;
  }
  if (config.model.type === 'gan') delete trainView.loss;
  const view: Record<string, unknown> = { model: config.model, data: config.data, train: trainView };
  if (config.model.type === 'gan') {
    view.gan = { lambda_gp: config.gan.lambda_gp, critic_steps: config.gan.critic_steps };
  }
  if (config.model.type === 'vae') view.vae = { ...config.vae };
  return view;
}

export function configHash(config: SampgenConfig): { fullHash: string; hash: string } {
  const fullHash = createHash('sha256').update(canonicalJson(hashedView(config))).digest('hex');
  return { fullHash, hash: fullHash.slice(0, 8) };
}
