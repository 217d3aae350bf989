import * as fs from 'fs';
import * as path from 'path';
import { withPath } from '../errors';
import { ensureOutputDir } from './output-dir';

/**
 * Writes a file so that readers see either the old content or the new, never a torn one: the data goes to a
 * temp file in the same folder (same file system, so rename is atomic), is fsynced, then renamed into place.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  makeParentFolder(dir);
  const tmp = path.join(dir, `.sampgen-tmp-${process.pid}-${Math.random().toString(36).slice(2)}-${path.basename(file)}`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw withPath(err, file); // a write through a descriptor reports no path: name the file (a full disk)
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

/**
 * A file written in pieces (e.g. a large samples.f32) that appears under its final name only when complete.
 * Call `commit()` once done; `abort()` removes the temp file.
 */
export class AtomicFileWriter {
  readonly tempPath: string;
  private fd: number;
  private closed = false;
  bytesWritten = 0;

  constructor(readonly finalPath: string) {
    const dir = path.dirname(finalPath);
    makeParentFolder(dir);
    this.tempPath = path.join(dir, `.sampgen-tmp-${process.pid}-${Math.random().toString(36).slice(2)}-${path.basename(finalPath)}`);
    this.fd = fs.openSync(this.tempPath, 'w');
  }

  write(data: Uint8Array): void {
    let off = 0;
    try {
      while (off < data.byteLength) off += fs.writeSync(this.fd, data, off, data.byteLength - off);
    } catch (err) {
      throw withPath(err, this.finalPath);
    }
    this.bytesWritten += data.byteLength;
  }

  commit(): void {
    if (this.closed) throw new Error(`AtomicFileWriter for ${this.finalPath} already closed`);
    try {
      fs.fsyncSync(this.fd);
    } catch (err) {
      throw withPath(err, this.finalPath);
    }
    fs.closeSync(this.fd);
    this.closed = true;
    fs.renameSync(this.tempPath, this.finalPath);
  }

  abort(): void {
    if (this.closed) return;
    fs.closeSync(this.fd);
    this.closed = true;
    fs.rmSync(this.tempPath, { force: true });
  }
}

/**
 * Creates a missing folder for a file, after checking it can be created: `mkdir -p` under /proc never returns in
 * Node 20, and a file in the way (ENOTDIR) or a kernel file system is better said as such (util/output-dir.ts).
 */
function makeParentFolder(dir: string): void {
  try {
    if (fs.statSync(dir).isDirectory()) return;
  } catch {
    /* missing (or unreachable): ensureOutputDir says why it cannot be made */
  }
  ensureOutputDir(dir, 'folder');
}

/** Atomically replaces a whole folder: build it at a temp path, then swap it in with renames. */
export function replaceDirAtomic(tempDir: string, finalDir: string): void {
  const old = `${finalDir}.sampgen-old-${process.pid}`;
  const hadOld = fs.existsSync(finalDir);
  if (hadOld) fs.renameSync(finalDir, old);
  try {
    fs.renameSync(tempDir, finalDir);
  } catch (err) {
    if (hadOld) fs.renameSync(old, finalDir);
    throw err;
  }
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}
