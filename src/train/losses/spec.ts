/**
 * What `train.loss` may say, without TF.js (the config code reads this file): a loss name, or a weighted sum
 * `{mse: 1, mr_stft: 1}` whose mr_stft entry may instead carry its parameters
 * `{mr_stft: {weight: 1, fft_sizes: [1024, 512, 256], hop_ratio: 0.25, sc_weight: 1, mag_weight: 1}}`.
 * The names are the keys of the loss table (src/train/losses.ts), which the compiler holds to exactly this list.
 */
export const LOSS_NAMES = ['mse', 'mae', 'mr_stft', 'log_mel', 'envelope'] as const;
export type LossName = (typeof LOSS_NAMES)[number];

/** mr_stft's parameters as the config spells them; every key optional (defaults: MR_STFT_LOSS_DEFAULTS). */
export interface MrStftTermConfig {
  weight?: number;
  fft_sizes?: number[];
  hop_ratio?: number;
  sc_weight?: number;
  mag_weight?: number;
}

/** One entry of a weighted sum: a weight > 0, or (mr_stft only) its parameters with their weight. */
export type LossTerm = number | MrStftTermConfig;
export type LossSpec = LossName | Partial<Record<LossName, LossTerm>>;

/** Hop ratios the framing supports (the hop must divide the FFT size). */
export const MR_STFT_HOP_RATIOS = [1, 0.5, 0.25, 0.125] as const;

/**
 * mr_stft's defaults: the sizes of `evaluate`'s mr_stft metric (so that with the defaults the loss IS the metric),
 * hop N/4 and a periodic Hann window as Parallel WaveGAN and RAVE use, both parts weighted 1.
 */
export const MR_STFT_LOSS_DEFAULTS = { weight: 1, fft_sizes: [2048, 1024, 512, 256, 128], hop_ratio: 0.25, sc_weight: 1, mag_weight: 1 } as const;

const weight = { type: 'number', exclusiveMinimum: 0, description: 'a weight > 0' };

/**
 * The JSON schema of `train.loss` (src/config/schema.ts uses it as is). Unknown names, weights <= 0 and an empty map
 * all fail with the one message "train.loss must be <description>, got …", which says what is accepted.
 */
export const LOSS_SCHEMA = {
  description:
    `one of ${LOSS_NAMES.join(', ')}, or a non-empty mapping from those names to weights > 0 (a weighted sum, e.g. {mse: 1, mr_stft: 1}); ` +
    `the mr_stft entry may instead be a mapping with keys weight, fft_sizes (powers of two in [16, 8192]), hop_ratio (one of ${MR_STFT_HOP_RATIOS.join(', ')}), sc_weight and mag_weight (>= 0)`,
  anyOf: [
    { type: 'string', enum: LOSS_NAMES },
    {
      type: 'object',
      minProperties: 1,
      propertyNames: { enum: LOSS_NAMES },
      additionalProperties: weight,
      properties: {
        mr_stft: {
          anyOf: [
            weight,
            {
              type: 'object',
              additionalProperties: false,
              properties: {
                weight,
                fft_sizes: { type: 'array', minItems: 1, items: { type: 'integer', enum: [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192] } },
                hop_ratio: { type: 'number', enum: MR_STFT_HOP_RATIOS },
                sc_weight: { type: 'number', minimum: 0 },
                mag_weight: { type: 'number', minimum: 0 },
              },
            },
          ],
        },
      },
    },
  ],
};

/**
 * The loss as the resolved config records it: an mr_stft entry spelled out with every parameter (a bare `mr_stft`
 * or `mr_stft: 2` relies on defaults in the code; written out, they are part of config.yaml and of the run hash, so
 * a change of default can never pass as the same experiment). Other losses have no parameters and stay as given.
 */
export function resolveLossSpec(spec: LossSpec): LossSpec {
  if (spec === 'mr_stft') return { mr_stft: { ...MR_STFT_LOSS_DEFAULTS, fft_sizes: [...MR_STFT_LOSS_DEFAULTS.fft_sizes] } };
  if (typeof spec === 'string' || spec.mr_stft === undefined) return spec;
  const term = spec.mr_stft;
  const given = typeof term === 'number' ? { weight: term } : term;
  return { ...spec, mr_stft: { ...MR_STFT_LOSS_DEFAULTS, fft_sizes: [...MR_STFT_LOSS_DEFAULTS.fft_sizes], ...given } };
}
