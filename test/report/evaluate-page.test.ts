import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../src/config';
import { trainModel } from '../../src/train/run';
import { tinyProject } from '../sweep/helpers';
import { runCli } from '../helpers/cli';

describe('evaluate --html', () => {
  let p: ReturnType<typeof tinyProject>;
  let modelDir: string;

  beforeAll(async () => {
    p = tinyProject('configs: [configs/*.yaml]\n');
    const result = await trainModel({ loaded: loadConfig(path.join(p.root, 'configs', 'ae-small-tanh.yaml')) });
    modelDir = result.modelDir!;
  });

  test('writes the table as a page beside metrics.json: a row per model, a column per metric with its interval and sample counts', async () => {
    const out = path.join(p.root, 'eval');
    const args = ['evaluate', '--model', modelDir, '--dataset', p.data, '--out', out, '--html', '--generated', '8', '--grid', '3', '--resamples', '20', '--backend', 'cpu', '--quiet'];
    const r = await runCli(args);
    expect(r.code).toBe(0);
    const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')).models[0];
    const head = /<thead>([\s\S]*?)<\/thead>/.exec(html)![1]!;
    const columns = [...head.matchAll(/<button[^>]*>([^<]*)/g)].map((m) => m[1]);
    expect(columns.slice(0, 4)).toEqual(['model', 'type', 'rows', 'recon_mse']);
    expect(columns).toEqual(expect.arrayContaining(Object.keys(metrics.metrics)));
    const c = metrics.counts.recon_mse;
    expect(html).toContain(`data-value="${metrics.metrics.recon_mse}" class="num"`);
    expect(html).toContain(`n ${c.n_real} / ${c.n_generated}`);
    expect(html).toMatch(/gen_frechet[\s\S]*<small class="n" title="bootstrap interval">\[/);
    // evaluate's warnings about small sample counts are on the page too
    expect(r.err).toMatch(/gen_frechet: rests on 4 real and 8 generated samples/);
    expect(html).toMatch(/<section id="warnings">[\s\S]*gen_frechet: rests on 4 real and 8 generated samples/);
    for (const ref of [...html.matchAll(/\s(?:src|href)="([^"#][^"]*)"/g)].map((m) => m[1]!)) expect(fs.existsSync(path.join(out, ref))).toBe(true);
  });

  test('--html without --out is a usage error', async () => {
    const r = await runCli(['evaluate', '--model', modelDir, '--dataset', p.data, '--html']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--html writes index.html beside metrics.json: give --out <dir>/);
  });
});
