import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '../errors';
import { assertCanCreate } from '../util/output-dir';
import { AtomicFileWriter, replaceDirAtomic, writeFileAtomic } from '../util/atomic';
import { DATASET_JSON, DatasetFileEntry, DatasetInfo, SAMPLES_FILE } from '../data/format';

/**
 * Checks that `output` may be (re)written before any work starts. An existing non-empty folder needs
 * --force, and even then only a dataset folder (or an empty one) is replaced: --force must never wipe an
 * unrelated folder given by mistake. An input inside the output folder would be deleted by the replacement,
 * so that is refused too.
 */
export function checkOutputFolder(output: string, force: boolean, inputs: string[]): void {
  assertCanCreate(output, 'output folder');
  const out = path.resolve(output);
  for (const input of inputs) {
    const abs = path.resolve(input);
    if (abs === out || abs.startsWith(out + path.sep)) {
      throw new UserError(`input ${input} lies inside the output folder ${output}; choose an output folder outside the inputs' tree`);
    }
  }
  if (!fs.existsSync(out)) return;
  const st = fs.statSync(out);
  if (!st.isDirectory()) throw new UserError(`output ${output} exists and is not a folder`);
  const entries = fs.readdirSync(out);
  if (entries.length === 0) return;
  if (!force) throw new UserError(`output folder ${output} already exists and is not empty; pass --force to replace it`);
  if (!entries.includes(DATASET_JSON) && !entries.includes(SAMPLES_FILE)) {
    throw new UserError(
      `output folder ${output} is not empty and holds no ${DATASET_JSON}: it does not look like a sampgen dataset, ` +
        'so --force will not replace it; remove it yourself or choose another folder',
    );
  }
}

/**
 * Builds a dataset folder in a hidden temp folder beside the output and swaps it in only when complete, so an
 * existing dataset survives a failed run and a reader never sees half a dataset. Rows must be added in dataset
 * order; they go straight to samples.f32 (nothing accumulates in memory but the file list).
 */
export class DatasetWriter {
  readonly tempDir: string;
  private readonly samples: AtomicFileWriter;
  private readonly files: DatasetFileEntry[] = [];
  /** sha256 of samples.f32 as it is written, recorded in dataset.json and checked whenever the dataset is opened. */
  private readonly samplesHash = createHash('sha256');
  private done = false;

  constructor(readonly output: string, readonly length: number) {
    const out = path.resolve(output);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    // Hidden (leading dot) so that a later run over the parent folder never reads it as input.
    // mkdirSync, not mkdtempSync: mkdtemp makes the folder 0700, and renamed into place the dataset would be
    // unreadable to other users and containers; mkdir gives the usual 0777 minus the umask. The name only has to
    // be unique among concurrent writers.
    this.tempDir = path.join(path.dirname(out), `.sampgen-tmp-${path.basename(out)}-${process.pid}-${randomBytes(6).toString('hex')}`);
    fs.mkdirSync(this.tempDir);
    this.samples = new AtomicFileWriter(path.join(this.tempDir, SAMPLES_FILE));
  }

  /** Where the per-file WAV with this relative output name goes while the dataset is being built. */
  wavPath(outputRel: string): string {
    return path.join(this.tempDir, ...outputRel.split('/'));
  }

  get count(): number {
    return this.files.length;
  }

  addRow(row: Float32Array, entry: DatasetFileEntry): void {
    if (row.length !== this.length) throw new Error(`row for ${entry.path} has ${row.length} samples, expected ${this.length}`);
    const bytes = littleEndianBytes(row);
    this.samples.write(bytes);
    this.samplesHash.update(bytes);
    this.files.push(entry);
  }

  /** Writes dataset.json last, then swaps the finished folder into place. */
  finish(info: Omit<DatasetInfo, 'files' | 'count'>): DatasetInfo {
    const full: DatasetInfo = { ...info, count: this.files.length, files: this.files };
    // Key order as in the format description: scalars first, then the long lists.
    const ordered: DatasetInfo = {
      version: full.version,
      created_by: full.created_by,
      sample_rate: full.sample_rate,
      length: full.length,
      count: full.count,
      attack: full.attack,
      samples_sha256: this.samplesHash.digest('hex'),
      parameters: full.parameters,
      ...(full.labels ? { labels: full.labels } : {}),
      files: full.files,
      skipped: full.skipped,
    };
    this.samples.commit();
    writeFileAtomic(path.join(this.tempDir, DATASET_JSON), JSON.stringify(ordered, null, 2) + '\n');
    replaceDirAtomic(this.tempDir, path.resolve(this.output));
    this.done = true;
    return ordered;
  }

  /** Removes the temp folder (after an error, or when there is nothing to write). */
  abort(): void {
    if (this.done) return;
    this.samples.abort();
    fs.rmSync(this.tempDir, { recursive: true, force: true });
    this.done = true;
  }
}

const littleEndianHost = os.endianness() === 'LE';

/** The row's bytes in little-endian order (a view on LE hosts, a swapped copy otherwise). */
export function littleEndianBytes(row: Float32Array): Uint8Array {
  if (littleEndianHost) return new Uint8Array(row.buffer, row.byteOffset, row.byteLength);
  const out = new Uint8Array(row.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < row.length; i++) view.setFloat32(i * 4, row[i]!, true);
  return out;
}
