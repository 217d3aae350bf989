import { ModelMetadata } from '../export';
import { contactSheetPng } from '../eval/plot';

/** A one-row contact sheet of the samples along an interpolation line, labelled with their points. */
export function interpolationSheet(meta: ModelMetadata, samples: Float32Array[], points: number[][], title: string): Uint8Array {
  const cells = samples.map((s, i) => ({ samples: s, label: points[i]!.slice(0, 3).map((v) => v.toFixed(2)).join(', ') + (meta.latent > 3 ? ', …' : '') }));
  return contactSheetPng(cells, Math.min(cells.length, 8), { title: `${meta.name}: ${title}` });
}
