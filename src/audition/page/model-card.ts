import type { ConditionLayout } from '../../models/condition';

/**
 * The model card: what a producer wants to know about a model, in words ("a dense VAE …, conditioned on drum class
 * and velocity", "300 epochs; validation loss 0.0123 at the end, 0.0100 at its best (epoch 250)"), not raw log keys.
 * Pure, so that Node's tests read it.
 */

/** The parts of sampgen.json the card reads (src/export/metadata.ts; `training` is what export-run.ts records). */
export interface CardMeta {
  name: string;
  model_type: string;
  latent: number;
  sample_rate: number;
  length: number;
  epochs: number;
  losses: Record<string, number | null>;
  latent_points?: number[][];
  created: string;
  sampgen_version: string;
  condition?: ConditionLayout;
  training?: {
    dataset?: { path?: string; count?: number };
    best?: { epoch: number; val_loss: number } | null;
    stopped_early?: number | null;
  };
}

/** A loss as people write it: 3 significant digits, no exponent for everyday sizes. */
export function lossText(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-4 && a < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}

/** 'drums' of '/home/me/data/drums' or 'C:\\data\\drums' (the card never shows where a file was on some machine). */
export function lastName(p: string): string {
  const parts = p.split(/[\\/]+/).filter((s) => s !== '');
  return parts[parts.length - 1] ?? p;
}

export function kHz(sampleRate: number): string {
  return `${Number((sampleRate / 1000).toFixed(2))} kHz`;
}

export function cardRows(m: CardMeta, description: string | null): [string, string][] {
  const rows: [string, string][] = [];
  const type = description ? `${description[0]!.toUpperCase()}${description.slice(1)}` : `A model of type ${m.model_type}`;
  const conditioned = m.condition
    ? `, conditioned on ${[m.condition.classes ? 'drum class' : null, m.condition.velocity ? 'velocity' : null].filter(Boolean).join(' and ')}`
    : '';
  rows.push(['Type', `${type}${conditioned} (${m.model_type})`]);
  rows.push(['Latent', `${m.latent} dimension${m.latent === 1 ? '' : 's'}`]);
  rows.push(['Sound', `${((1000 * m.length) / m.sample_rate).toFixed(0)} ms at ${kHz(m.sample_rate)} (${m.length.toLocaleString('en-US')} samples)`]);

  const training: string[] = [`${m.epochs} epoch${m.epochs === 1 ? '' : 's'}`];
  const val = m.losses.val_loss;
  const best = m.training?.best;
  if (typeof val === 'number') training.push(`validation loss ${lossText(val)} at the end`);
  else if (typeof m.losses.loss === 'number') training.push(`training loss ${lossText(m.losses.loss)} at the end (no validation set)`);
  if (best && (typeof val !== 'number' || best.val_loss !== val || best.epoch !== m.epochs)) training.push(`${lossText(best.val_loss)} at its best (epoch ${best.epoch})`);
  if (m.training?.stopped_early) training.push(`stopped early at epoch ${m.training.stopped_early}`);
  rows.push(['Training', training.join('; ')]);

  const ds = m.training?.dataset;
  const points = m.latent_points?.length ?? 0;
  const count = ds?.count ?? (points > 0 ? points : null);
  if (ds?.path || count !== null) {
    const name = ds?.path ? `${lastName(ds.path)} · ` : '';
    rows.push(['Dataset', `${name}${count === null ? 'size not recorded' : `${count.toLocaleString('en-US')} sample${count === 1 ? '' : 's'}`}`]);
  }
  if (m.condition?.classes) {
    const counts = m.condition.class_counts;
    rows.push(['Classes', m.condition.classes.map((c, i) => (counts ? `${c} (${counts[i]!.toLocaleString('en-US')})` : c)).join(', ')]);
  }
  if (m.condition?.velocity) {
    const v = m.condition.velocity;
    const db = (x: number) => `${x < 0 ? '−' : ''}${Math.abs(x).toFixed(1)}`;
    rows.push(['Velocity', `0 to 1 across the training set's attack levels, ${db(v.min_dbfs)} to ${db(v.max_dbfs)} dBFS`]);
  }
  rows.push(['Pad', points > 0 ? `${points.toLocaleString('en-US')} training sample${points === 1 ? '' : 's'} shown as dots` : 'no training points in this export']);
  rows.push(['Exported', `${m.created.slice(0, 10)} by sampgen ${m.sampgen_version}`]);
  return rows;
}
