import * as os from 'os';
import { packageVersion, VERSION } from '../version';
import { describeCuda, CudaVisibility, probeCuda } from './cuda';
import { BackendAttempt, probeBackends } from './init';

/** What `sampgen doctor` reports: everything needed to tell why training picked (or could not pick) a backend. */
export interface DoctorReport {
  sampgen: string;
  node: string;
  platform: string;
  /** Installed versions; null where a package (the optional node backends) is not installed. */
  packages: Record<string, string | null>;
  /** Every backend in `auto`'s order, each tried on its own. */
  backends: BackendAttempt[];
  cuda: CudaVisibility;
  cpu: { cores: number; model: string };
  memory: { totalBytes: number; freeBytes: number };
}

const PACKAGES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
];

export async function doctorReport(): Promise<DoctorReport> {
  const packages: Record<string, string | null> = {};
  for (const name of PACKAGES) {
    const v = packageVersion(name);
    packages[name] = v === 'unknown' ? null : v;
  }
  return {
    sampgen: VERSION,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    packages,
    backends: await probeBackends(),
    cuda: probeCuda(),
    cpu: { cores: os.availableParallelism(), model: os.cpus()[0]?.model ?? 'unknown' },
    memory: { totalBytes: os.totalmem(), freeBytes: os.freemem() },
  };
}

export function formatDoctorReport(r: DoctorReport): string[] {
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  const auto = r.backends.find((b) => b.ok);
  return [
    `sampgen ${r.sampgen}, Node ${r.node} (${r.platform})`,
    '',
    'packages:',
    ...Object.entries(r.packages).map(([name, v]) => `  ${name.padEnd(30)} ${v ?? 'not installed'}`),
    '',
    'backends (in the order --backend auto tries them):',
    ...r.backends.map((b) => `  ${b.backend.padEnd(14)} ${b.ok ? 'ok  ' : 'no  '} ${b.reason}`),
    `  --backend auto would use: ${auto ? auto.backend : 'none (no backend loads)'}`,
    '',
    'CUDA (for @tensorflow/tfjs-node-gpu):',
    ...describeCuda(r.cuda).map((l) => `  ${l}`),
    '',
    `cpu:    ${r.cpu.cores} cores available (${r.cpu.model})`,
    `memory: ${gib(r.memory.totalBytes)} total, ${gib(r.memory.freeBytes)} free`,
  ];
}
