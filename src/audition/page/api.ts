import type { ConditionLayout } from '../../models/condition';
import type { DecodeJob, DecodeReply } from '../decode-protocol';
import type { CardMeta } from './model-card';

/**
 * Where the page gets its models and how a dropped file is preprocessed: from `sampgen audition`'s routes
 * (src/audition/server.ts), or from a static site's files (`sampgen site`, src/audition/site.ts), with dropped files
 * decoded in the browser by decode-worker.js. Which one is said by the page itself: the site's index.html carries
 * <meta name="sampgen-site">, the server's does not, so the page never probes with a request that may fail. Every
 * URL is relative to the page, so a site works from any folder of any host (GitHub Pages' /<repo>/ included).
 * Types mirror what the server and the site builder write; their definitions are not imported because they bring
 * Node modules with them.
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
  /** The model family's description (src/models/family.ts registry), null for a family this sampgen does not know. */
  description: string | null;
  /** Names of the training samples behind the latent points (and whether their audio is there), or null. */
  training_samples: { count: number; audio: boolean } | null;
}

export interface ModelListing {
  models: ModelSummary[];
  broken: { folder: string; error: string }[];
  /** Other names of model folders (models/<name> links to <name>-<hash>): a link may use either. */
  aliases: Record<string, string>;
  max_upload_bytes: number;
}

/** The training set behind a model's latent points, row by row (src/audition/training.ts). */
export interface TrainingSamples {
  dataset: string;
  count: number;
  files: { path: string; class: string | null }[];
  audio: boolean;
}

/** sampgen.json, the fields the page uses (src/export/metadata.ts has them all). */
export interface ModelMeta extends CardMeta {
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
  config_hash: string;
  run?: { folder: string; dataset_fingerprint: string; weights: string; epoch: number };
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

/** A dropped file after the dataset chain: its row, and its source's attack level (null if the server sent none). */
export interface PreprocessedFile {
  row: Float32Array;
  attackRmsDbfs: number | null;
}

export interface Source {
  /** 'site': static files; 'audition': sampgen's server. */
  readonly mode: 'site' | 'audition';
  listModels(): Promise<ModelListing>;
  fetchMeta(folder: string): Promise<ModelMeta>;
  /** The URL of a part's model.json (decoder, encoder, generator). */
  partUrl(folder: string, part: string): string;
  /** A dropped file through the model's dataset chain; rejects with the decoder's (or server's) message. */
  preprocess(folder: string, file: Blob, meta: ModelMeta): Promise<PreprocessedFile>;
  trainingSamples(folder: string): Promise<TrainingSamples>;
  trainingAudioUrl(folder: string, index: number): string;
}

async function getJson<T>(url: string, what: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot read ${what}: ${await errorText(res)}`);
  return (await res.json()) as T;
}

const enc = encodeURIComponent;

/** `sampgen audition`: the server lists the models and preprocesses dropped files. */
export class AuditionSource implements Source {
  readonly mode = 'audition' as const;
  listModels = () => getJson<ModelListing>('api/models', 'the model list');
  fetchMeta = (folder: string) => getJson<ModelMeta>(`models/${enc(folder)}/sampgen.json`, `${folder}/sampgen.json`);
  partUrl = (folder: string, part: string) => `models/${enc(folder)}/${enc(part)}/model.json`;
  trainingSamples = (folder: string) => getJson<TrainingSamples>(`api/models/${enc(folder)}/training`, `${folder}'s training samples`);
  trainingAudioUrl = (folder: string, index: number) => `api/models/${enc(folder)}/training/${index}.wav`;

  async preprocess(folder: string, file: Blob): Promise<PreprocessedFile> {
    const res = await fetch(`api/models/${enc(folder)}/preprocess`, {
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
}

/** Most audio a dropped file may hold in the browser (frames × channels): the server's default, for the same reason. */
export const SITE_MAX_SAMPLES = 2 * 60 * 48000 * 2;

/** A static site: models/index.json lists the models; dropped files are decoded by decode-worker.js in the browser. */
export class SiteSource implements Source {
  readonly mode = 'site' as const;
  private worker: Worker | null = null;
  private nextId = 1;
  private waiting = new Map<number, { resolve: (r: PreprocessedFile) => void; reject: (e: Error) => void }>();

  listModels = () => getJson<ModelListing>('models/index.json', 'the model list');
  fetchMeta = (folder: string) => getJson<ModelMeta>(`models/${enc(folder)}/sampgen.json`, `${folder}/sampgen.json`);
  partUrl = (folder: string, part: string) => `models/${enc(folder)}/${enc(part)}/model.json`;
  trainingSamples = (folder: string) => getJson<TrainingSamples>(`models/${enc(folder)}/training.json`, `${folder}'s training samples`);
  trainingAudioUrl = (folder: string, index: number) => `models/${enc(folder)}/training/${index}.wav`;

  async preprocess(_folder: string, file: Blob, meta: ModelMeta): Promise<PreprocessedFile> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const id = this.nextId++;
    const job: DecodeJob = { id, bytes, chain: { preprocess: meta.preprocess, length: meta.length }, maxSamples: SITE_MAX_SAMPLES };
    return new Promise<PreprocessedFile>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.decodeWorker().postMessage(job, [bytes.buffer]);
    });
  }

  /** The worker, started on the first drop (its decoders are a quarter of a megabyte the first load need not carry). */
  private decodeWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker('decode-worker.js');
    worker.onmessage = (event: MessageEvent<DecodeReply>) => {
      const reply = event.data;
      const waiting = this.waiting.get(reply.id);
      if (!waiting) return;
      this.waiting.delete(reply.id);
      if (reply.ok) waiting.resolve({ row: reply.row, attackRmsDbfs: reply.levels.attackRmsDbfs });
      else if ('refusal' in reply) waiting.reject(new Error(reply.message));
      else waiting.reject(new Error(`the page's decoder failed: ${reply.bug.split('\n', 1)[0]}`));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const error = new Error(`the page's decoder (decode-worker.js) could not run${event.message ? `: ${event.message}` : ''}`);
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
      worker.terminate();
      this.worker = null;
    };
    this.worker = worker;
    return worker;
  }
}

/** The source this page was served from (see the top of this file). */
export function pageSource(doc: Document): Source {
  return doc.querySelector('meta[name="sampgen-site"]') ? new SiteSource() : new AuditionSource();
}
