import { formatValue, runLabels } from '../../src/report/names';
import type { RunRecord } from '../../src/report/runs';

/** Just what runLabels reads of a run. */
function run(name: string, hash: string, flat: Record<string, string | number | null>): RunRecord {
  return { name, hash, flat } as unknown as RunRecord;
}

describe('runLabels', () => {
  it('names a run by its config name and what sets it apart from the other runs of that name', () => {
    const a = run('ae-small-tanh', 'aaaa1111', { 'train.lr': 0.0001, 'train.seed': 1, 'model.size': 'small' });
    const b = run('ae-small-tanh', 'bbbb2222', { 'train.lr': 0.001, 'train.seed': 1, 'model.size': 'small' });
    const c = run('ae-small-tanh', 'cccc3333', { 'train.lr': 0.001, 'train.seed': 2, 'model.size': 'small' });
    const alone = run('gan', 'dddd4444', { 'train.lr': 0.0002 });
    const labels = runLabels([a, b, c, alone]);
    expect([labels.get(a), labels.get(b), labels.get(c), labels.get(alone)]).toEqual([
      'ae-small-tanh lr=1e-4 seed=1',
      'ae-small-tanh lr=1e-3 seed=1',
      'ae-small-tanh lr=1e-3 seed=2',
      'gan',
    ]);
  });

  it('keeps the whole key where two differing keys end alike, and falls back to the hash for equal configs', () => {
    const a = run('gan', 'aaaa1111ffff', { 'gan.critic.lr': 0.001, 'train.lr': 0.01 });
    const b = run('gan', 'bbbb2222ffff', { 'gan.critic.lr': 0.002, 'train.lr': 0.02 });
    expect([...runLabels([a, b]).values()]).toEqual(['gan gan.critic.lr=1e-3 train.lr=0.01', 'gan gan.critic.lr=2e-3 train.lr=0.02']);
    const c = run('vae', 'cccc3333ffff', { 'train.lr': 0.01 });
    const d = run('vae', 'dddd4444ffff', { 'train.lr': 0.01 });
    expect([...runLabels([c, d]).values()]).toEqual(['vae #cccc3333', 'vae #dddd4444']);
  });
});

describe('formatValue', () => {
  it('writes small numbers as exponents without losing digits, paths by their last part', () => {
    expect(formatValue(0.0001)).toBe('1e-4');
    expect(formatValue(0.00025)).toBe('2.5e-4');
    expect(formatValue(0.01)).toBe('0.01');
    expect(formatValue(0.123456789)).toBe('0.123456789');
    expect(formatValue(3)).toBe('3');
    expect(formatValue(null)).toBe('none');
    expect(formatValue('datasets/snares/')).toBe('snares');
    expect(formatValue('[1,2]')).toBe('[1,2]');
    expect(formatValue(true)).toBe('true');
  });
});
