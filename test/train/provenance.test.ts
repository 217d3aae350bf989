import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadNative } from '../../src/backend/native';
import { collectProvenance } from '../../src/train/provenance';
import { tempDir } from '../helpers/dataset';

const hasGit = spawnSync('git', ['--version']).status === 0;

/** Runs git in `dir` for the test's own setup, with an identity and no signing, failing loudly. */
function gitIn(dir: string, ...args: string[]): string {
  const r = spawnSync('git', ['-C', dir, '-c', 'user.name=sampgen test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const input = { backend: 'wasm (simd, 1 thread)', datasetFingerprint: 'sha256:abc123' };

describe('collectProvenance', () => {
  it('records version, host, CPU, node, backend and dataset, and no git outside a repository', () => {
    const dir = tempDir();
    const configFile = path.join(dir, 'kick.yaml');
    fs.writeFileSync(configFile, 'name: kick\n');
    const started = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678));
    const p = collectProvenance({ configFile, ...input, started });

    const packageJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(p.sampgen_version).toBe(packageJson.version);
    expect(p.git).toBeNull();
    expect(p.host).toBe(os.hostname());
    expect(p.cpu.model).toBe(os.cpus()[0].model);
    expect(p.cpu.cores).toBe(os.availableParallelism());
    const native = loadNative();
    if (native.ok) {
      expect(['avx512', 'avx2', 'base']).toContain(p.cpu.native_isa);
      expect(p.cpu.native_kernels).toBe(native.reason);
      expect(p.cpu.native_kernels.startsWith(p.cpu.native_isa!)).toBe(true);
    } else {
      expect(p.cpu.native_isa).toBeNull();
      expect(p.cpu.native_kernels).toBe(`none (${native.reason})`);
    }
    expect(p.node).toBe(process.version);
    expect(p.platform).toBe(`${process.platform} ${process.arch}`);
    expect(p.backend).toBe(input.backend);
    expect(p.dataset_fingerprint).toBe(input.datasetFingerprint);
    expect(p.started).toBe('2025-01-02T03:04:05.678Z');
    // A plain JSON record: it goes into run folders as is.
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  (hasGit ? it : it.skip)('records the commit of the repository holding the config, and whether its work tree is dirty', () => {
    const repo = tempDir();
    fs.mkdirSync(path.join(repo, 'configs'));
    const configFile = path.join(repo, 'configs', 'kick.yaml');
    fs.writeFileSync(configFile, 'name: kick\n');
    gitIn(repo, 'init', '-q');
    // A repository with no commit yet has nothing to point at.
    expect(collectProvenance({ configFile, ...input }).git).toBeNull();

    gitIn(repo, 'add', 'configs/kick.yaml');
    gitIn(repo, 'commit', '-q', '-m', 'first');
    const head = gitIn(repo, 'log', '-1', '--format=%H').trim();
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(collectProvenance({ configFile, ...input }).git).toEqual({ commit: head, dirty: false });

    fs.writeFileSync(configFile, 'name: kick\nlatent: 8\n');
    expect(collectProvenance({ configFile, ...input }).git).toEqual({ commit: head, dirty: true });

    gitIn(repo, 'commit', '-q', '-a', '-m', 'second');
    const second = gitIn(repo, 'log', '-1', '--format=%H').trim();
    expect(second).not.toBe(head);
    expect(collectProvenance({ configFile, ...input }).git).toEqual({ commit: second, dirty: false });

    // An untracked file is not in the commit either: the tree does not reproduce the run.
    fs.writeFileSync(path.join(repo, 'configs', 'snare.yaml'), 'name: snare\n');
    expect(collectProvenance({ configFile, ...input }).git).toEqual({ commit: second, dirty: true });
  });

  it('records no git, without throwing, when git is not installed', () => {
    const dir = tempDir();
    const configFile = path.join(dir, 'kick.yaml');
    fs.writeFileSync(configFile, 'name: kick\n');
    if (hasGit) {
      // A real repository, so that only the missing git can explain the null.
      gitIn(dir, 'init', '-q');
      gitIn(dir, 'add', 'kick.yaml');
      gitIn(dir, 'commit', '-q', '-m', 'first');
      expect(collectProvenance({ configFile, ...input }).git).not.toBeNull();
    }
    const savedPath = process.env.PATH;
    process.env.PATH = tempDir(); // an empty folder: no git to find
    try {
      expect(collectProvenance({ configFile, ...input }).git).toBeNull();
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
