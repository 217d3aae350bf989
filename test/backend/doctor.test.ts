import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { doctorReport, formatDoctorReport } from '../../src/backend/doctor';
import { CUDA_RUNTIME, describeCuda, probeCuda } from '../../src/backend/cuda';
import { main } from '../../src/cli/main';

describe('doctorReport', () => {
  it('lists versions, every backend with its reason, cores and memory', async () => {
    const r = await doctorReport();
    expect(r.node).toBe(process.version);
    expect(r.packages['@tensorflow/tfjs']).toBe('4.22.0');
    expect(r.packages['@tensorflow/tfjs-core']).toBe(tf.version_core);
    expect(r.packages['@tensorflow/tfjs-backend-wasm']).toBe(tf.version_core);
    expect(r.packages['@tensorflow/tfjs-node']).toBeNull();
    expect(r.packages['@tensorflow/tfjs-node-gpu']).toBeNull();
    expect(r.backends.map((b) => [b.backend, b.ok])).toEqual([
      ['tfjs-node-gpu', false],
      ['tfjs-node', false],
      ['wasm', true],
      ['cpu', true],
    ]);
    expect(r.backends[0].reason).toMatch(/not installed/);
    expect(r.cpu.cores).toBe(os.availableParallelism());
    expect(r.memory.totalBytes).toBe(os.totalmem());
    const text = formatDoctorReport(r).join('\n');
    expect(text).toMatch(/--backend auto would use: wasm/);
    expect(text).toMatch(/@tensorflow\/tfjs-node-gpu\s+not installed/);
  });
});

describe('probeCuda', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-cuda-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reports nothing visible on an empty PATH and library path', () => {
    const c = probeCuda({ PATH: dir, LD_LIBRARY_PATH: dir });
    expect(c.nvidiaSmi).toBeNull();
    expect(c.gpus).toEqual([]);
    expect(c.cudaVisibleDevices).toBeNull();
    expect(describeCuda(c)[0]).toMatch(/nvidia-smi: not found/);
  });

  it('finds nvidia-smi (and its GPU list), CUDA_VISIBLE_DEVICES and the CUDA 11 runtime in LD_LIBRARY_PATH', () => {
    const smi = path.join(dir, 'nvidia-smi');
    fs.writeFileSync(smi, '#!/bin/sh\necho "GPU 0: Fake GPU (UUID: GPU-0)"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, CUDA_RUNTIME), '');
    fs.writeFileSync(path.join(dir, 'libcudart.so.12'), '');
    const c = probeCuda({ PATH: dir, LD_LIBRARY_PATH: dir, CUDA_VISIBLE_DEVICES: '-1' });
    expect(c.nvidiaSmi).toBe(smi);
    expect(c.gpus).toEqual(['GPU 0: Fake GPU (UUID: GPU-0)']);
    expect(c.cudart).toBe(path.join(dir, CUDA_RUNTIME));
    expect(c.libcudart).toEqual(expect.arrayContaining([path.join(dir, 'libcudart.so.12')]));
    expect(c.cudnn).toBeNull();
    const lines = describeCuda(c);
    expect(lines).toContain("CUDA_VISIBLE_DEVICES: '-1' (hides every GPU)");
    expect(lines[0]).toMatch(/1 GPU: GPU 0: Fake GPU/);
  });
});

describe('sampgen doctor', () => {
  it('--json prints the report and exits 0', async () => {
    let out = '';
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      expect(await main(['node', 'sampgen', 'doctor', '--json'])).toBe(0);
    } finally {
      write.mockRestore();
    }
    const report = JSON.parse(out) as { backends: { backend: string; ok: boolean }[]; cpu: { cores: number } };
    expect(report.backends.find((b) => b.backend === 'wasm')?.ok).toBe(true);
    expect(report.cpu.cores).toBe(os.availableParallelism());
  });
});
