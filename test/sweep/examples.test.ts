import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { planSweep } from '../../src/sweep';

const EXAMPLES = path.join(__dirname, '../../examples');
const read = (p: string) => fs.readFileSync(path.join(EXAMPLES, p), 'utf8');
const studyCount = () => planSweep(path.join(EXAMPLES, 'grids/study.yaml')).entries.length;

describe('examples run as written', () => {
  test('the Slurm script is bash -n clean, runs the study grid with --index auto, and its array covers the plan', () => {
    execFileSync('bash', ['-n', path.join(EXAMPLES, 'slurm/study-array.sh')]);
    const script = read('slurm/study-array.sh');
    expect(script).toMatch(/^grid=\$\{SAMPGEN_GRID:-examples\/grids\/study\.yaml\}$/m);
    // node itself, not npx (slurm-e2e.test.ts runs the script under a real Slurm; see the script's comments).
    expect(script).toMatch(/^node bin\/sampgen sweep run "\$grid" --index auto "\$@" &$/m);
    expect(script).not.toMatch(/^[^#]*\bnpx\b/m);
    // The time-limit warning is USR1 to the batch shell, which requeues the task; TERM (scancel) never does.
    expect(script).toMatch(/^#SBATCH --signal=B:USR1@\d+$/m);
    expect(script).toMatch(/^trap '[^']*requeue=1[^']*' USR1$/m);
    const [, lo, hi] = /^#SBATCH --array=(\d+)-(\d+)$/m.exec(script)!;
    expect([Number(lo), Number(hi)]).toEqual([0, studyCount() - 1]);
    expect(fs.statSync(path.join(EXAMPLES, 'slurm/study-array.sh')).mode & 0o111).not.toBe(0);
  });

  test('the Kubernetes manifest is an Indexed Job with one completion per grid entry', () => {
    const job = parse(read('kubernetes/study-indexed-job.yaml'));
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    expect(job.spec.completions).toBe(studyCount());
    const container = job.spec.template.spec.containers[0];
    // The image's entrypoint is sampgen (Dockerfile); test/image/image-steps.test.ts runs these args in that image.
    expect(container.image).toMatch(/^sampgen:/);
    expect(container.args).toEqual(['sweep', 'run', '/opt/sampgen/examples/grids/study.yaml', '--index', 'auto', '--interrupted-exit', '75']);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
  });

  test('the GitHub Actions workflow parses, builds its matrix from the plan, and reports after the runs', () => {
    const wf = parse(read('github/sweep.yml'));
    expect(Object.keys(wf.jobs)).toEqual(['plan', 'train', 'report']);
    expect(wf.env.GRID).toBe('examples/grids/study.yaml');
    expect(fs.existsSync(path.join(EXAMPLES, '..', wf.env.GRID))).toBe(true);
    expect(wf.jobs.train.strategy.matrix.index).toBe('${{ fromJSON(needs.plan.outputs.indices) }}');
    const runs = (job: string) => wf.jobs[job].steps.map((s: { run?: string }) => s.run ?? '').join('\n');
    expect(runs('plan')).toContain('npx sampgen sweep plan "$GRID" $SMOKE --json | jq -c .indices');
    expect(runs('train')).toContain('npx sampgen sweep run "$GRID" --index ${{ matrix.index }} $SMOKE');
    expect(runs('report')).toMatch(/npx sampgen report .* --out report\//);
    expect(wf.jobs.report.needs).toEqual(['plan', 'train']);
  });
});
