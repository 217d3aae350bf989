import { resolveIndex, selectEntries, parseShard, shardIndices } from '../../src/sweep';
import { isUserError } from '../../src/errors';

describe('--index auto', () => {
  test('SAMPGEN_INDEX', () => {
    expect(resolveIndex('auto', { SAMPGEN_INDEX: '4' })).toEqual({ index: 4, source: 'SAMPGEN_INDEX' });
  });
  test('SLURM_ARRAY_TASK_ID as it is: one task resubmitted alone (--array=7, so SLURM_ARRAY_TASK_MIN 7) is still entry 7', () => {
    expect(resolveIndex('auto', { SLURM_ARRAY_TASK_ID: '7' })).toEqual({ index: 7, source: 'SLURM_ARRAY_TASK_ID' });
    expect(resolveIndex('auto', { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '7' })).toEqual({ index: 7, source: 'SLURM_ARRAY_TASK_ID' });
    expect(resolveIndex('auto', { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '1' }).index).toBe(7);
  });
  test('JOB_COMPLETION_INDEX (Kubernetes Indexed Job)', () => {
    expect(resolveIndex('auto', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 0, source: 'JOB_COMPLETION_INDEX' });
  });
  test('the first one set wins, in the documented order', () => {
    expect(resolveIndex('auto', { JOB_COMPLETION_INDEX: '2', SLURM_ARRAY_TASK_ID: '3', SAMPGEN_INDEX: '1' }).index).toBe(1);
    expect(resolveIndex('auto', { JOB_COMPLETION_INDEX: '2', SLURM_ARRAY_TASK_ID: '3' }).index).toBe(3);
    expect(resolveIndex('auto', { JOB_COMPLETION_INDEX: '2', SAMPGEN_INDEX: '' }).index).toBe(2);
  });
  test('none set, or not a number: a clear user error', () => {
    expect(() => resolveIndex('auto', {})).toThrow(/none of SAMPGEN_INDEX, SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX is set/);
    expect(() => resolveIndex('auto', { SAMPGEN_INDEX: 'x1' })).toThrow(/SAMPGEN_INDEX must be a whole number >= 0, got "x1"/);
    expect(() => resolveIndex('-1')).toThrow(/--index must be a whole number/);
  });
});

describe('selectEntries', () => {
  test('an index in range, or an error naming the count', () => {
    expect(selectEntries(14, { index: '13' }).indices).toEqual([13]);
    let err: unknown;
    try {
      selectEntries(14, { index: 'auto', env: { SLURM_ARRAY_TASK_ID: '14', SLURM_ARRAY_TASK_MIN: '1' } });
    } catch (e) {
      err = e;
    }
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(/index 14 \(from SLURM_ARRAY_TASK_ID\) is out of range: the grid has 14 entries \(indices 0\.\.13\)/);
  });

  test('shards 0..N-1 cover every entry exactly once, each in order', () => {
    for (const count of [0, 1, 5, 14, 23]) {
      for (const n of [1, 2, 3, 4, 7, 30]) {
        const all = Array.from({ length: n }, (_, k) => selectEntries(count, { shard: `${k}/${n}` }).indices);
        all.forEach((s) => expect(s).toEqual([...s].sort((a, b) => a - b)));
        expect(all.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
        all.forEach((s, k) => s.forEach((i) => expect(i % n).toBe(k)));
      }
    }
    expect(shardIndices(10, { k: 1, n: 4 })).toEqual([1, 5, 9]);
  });

  test('no selection: all entries; both: an error; bad shards: errors', () => {
    expect(selectEntries(3, {}).indices).toEqual([0, 1, 2]);
    expect(() => selectEntries(3, { index: '0', shard: '0/2' })).toThrow(/either --index or --shard/);
    expect(() => parseShard('2/2')).toThrow(/K must be in 0\.\.1/);
    expect(() => parseShard('0/0')).toThrow(/N must be at least 1/);
    expect(() => parseShard('half')).toThrow(/K\/N/);
  });
});
