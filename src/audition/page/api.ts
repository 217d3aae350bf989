import type { ConditionLayout } from '../../models/condition';

/**
 * The page's side of the server's routes (src/audition/server.ts). Types mirror what the server sends; the
 * server-side definitions are not imported because they bring Node modules with them (the condition layout's type
 * comes from src/models/condition.ts, which has none).
 */

export interface ModelSummary {
  folder: string;
  name: string;
  model_type: string;
  latent: number;
  sample_rate: number;
  length: number;
  epochs: number;
  losses: Record<string, number | null>;
  parts: string[];
  has_latent_points: boolean;
  condition: ConditionLayout | null;
  created: string;
}

export interface ModelListing {
  models: ModelSummary[];
  broken: { folder: string; error: string }[];
  max_upload_bytes: number;
}

/** sampgen.json, the fields the page uses (src/export/metadata.ts has them all). */
export interface ModelMeta {
  /** 1, or 2 for a conditional model. */
  version: number;
  name: string;
  model_type: string;
  sample_rate: number;
  length: number;
  latent: number;
  latent_bounds: { min: number[]; max: number[] };
  latent_prior: 'uniform' | 'normal' | null;
  latent_points?: number[][];
  losses: Record<string, number | null>;
  epochs: number;
  config: Record<string, unknown>;
  preprocess: { channel: string; attack: number; length: number; sample_rate: number };
  parts: string[];
  created: string;
  sampgen_version: string;
  tfjs_version: string;
  /** A conditional model's second input: its classes (one-hot, in this order) and velocity's level range. */
  condition?: ConditionLayout;
}

async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: string };
    if (body.error) return body.error;
  } catch {
    // not JSON
  }
  return `${res.status} ${res.statusText}`;
}

export async function fetchModels(): Promise<ModelListing> {
  const res = await fetch('/api/models');
  if (!res.ok) throw new Error(`cannot list models: ${await errorText(res)}`);
  return (await res.json()) as ModelListing;
}

export async function fetchMeta(folder: string): Promise<ModelMeta> {
  const res = await fetch(`/models/${encodeURIComponent(folder)}/sampgen.json`);
  if (!res.ok) throw new Error(`cannot read ${folder}/sampgen.json: ${await errorText(res)}`);
  return (await res.json()) as ModelMeta;
}

/** A dropped file after the server's dataset chain: its row, and its source's attack level (null if the server sent none). */
export interface PreprocessedFile {
  row: Float32Array;
  attackRmsDbfs: number | null;
}

/** Sends an audio file's bytes to the server's dataset chain; resolves to the preprocessed row and the source's level. */
export async function preprocessFile(folder: string, file: Blob): Promise<PreprocessedFile> {
  const res = await fetch(`/api/models/${encodeURIComponent(folder)}/preprocess`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: file,
  });
  if (!res.ok) throw new Error(await errorText(res));
  const bytes = await res.arrayBuffer();
  // Little-endian on the wire, read as such whatever the machine's byte order.
  const view = new DataView(bytes);
  const row = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < row.length; i++) row[i] = view.getFloat32(i * 4, true);
  const level = res.headers.get('X-Sampgen-Attack-Rms-Dbfs');
  return { row, attackRmsDbfs: level === null ? null : Number(level) };
}
