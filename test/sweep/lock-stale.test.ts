/**
 * Locks that would otherwise block a run forever: a heartbeat in the future (it never grows old) and a lock file
 * that is not a sampgen lock (it used to read "locked by ? pid 0" until its mtime aged). Both are stale, and the
 * holder that takes them over can say why.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CLOCK_SKEW_SECONDS, describeTakeover, inspectLock, lockPath, readLock, staleReason, tryAcquireLock, LockOwner } from '../../src/sweep/lock';
import { tempDir } from '../helpers/dataset';

const STALE_AFTER = 600;

function lockWithHeartbeat(runDir: string, heartbeat: string): LockOwner {
  const owner: LockOwner = { version: 1, host: 'elsewhere.example', pid: 4242, token: 'other', started: heartbeat, heartbeat };
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(lockPath(runDir), JSON.stringify(owner));
  return owner;
}

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

describe('a heartbeat in the future', () => {
  test('within the clock-skew allowance it is a live holder (clocks of two hosts differ a little)', () => {
    const dir = path.join(tempDir(), 'run');
    lockWithHeartbeat(dir, inSeconds(CLOCK_SKEW_SECONDS / 2));
    const got = tryAcquireLock(dir, { staleAfterSeconds: STALE_AFTER });
    expect(got.acquired).toBe(false);
    // Never a negative age ("last heartbeat -30 s ago").
    if (!got.acquired) expect(got.ageSeconds).toBe(0);
  });

  test('beyond it the lock is stale, taken over, and the reason says how far in the future', async () => {
    const dir = path.join(tempDir(), 'run');
    const old = lockWithHeartbeat(dir, '2099-01-01T00:00:00.000Z');
    expect(staleReason(old, STALE_AFTER)).toMatch(/^its heartbeat 2099-01-01T00:00:00\.000Z lies \d+ s in the future, more than clocks in sync differ \(60 s\)$/);
    const got = tryAcquireLock(dir, { staleAfterSeconds: STALE_AFTER });
    expect(got.acquired).toBe(true);
    if (!got.acquired) return;
    expect(got.lock.tookOver).toEqual(old);
    expect(describeTakeover(got.lock, dir)).toMatch(
      new RegExp(`^took over the lock of ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(elsewhere\\.example pid 4242\\): its heartbeat 2099-.* lies \\d+ s in the future`),
    );
    expect(readLock(dir)!.token).toBe(got.lock.owner.token);
    await got.lock.release();
  });
});

describe('a lock file that is not a sampgen lock', () => {
  test.each([
    ['garbage', 'not json at all', 'it is not JSON (not json at all)'],
    ['an empty file', '', 'it is empty'],
    ['a JSON list', '[1, 2]', 'it is not a JSON object'],
    ['JSON without a token', '{"host": "h", "pid": 1, "heartbeat": "2020-01-01T00:00:00Z"}', 'it has no token'],
    ['JSON without a pid', '{"host": "h", "token": "t", "heartbeat": "2020-01-01T00:00:00Z"}', 'it has no pid'],
  ])('%s is stale at once, and the taker says why', async (_what, content, why) => {
    const dir = path.join(tempDir(), 'run');
    fs.mkdirSync(dir);
    fs.writeFileSync(lockPath(dir), content); // fresh mtime: it used to block for staleAfter seconds
    expect(inspectLock(lockPath(dir))).toEqual({ kind: 'garbage', why });
    const got = tryAcquireLock(dir, { staleAfterSeconds: STALE_AFTER });
    expect(got.acquired).toBe(true);
    if (!got.acquired) return;
    expect(got.lock.tookOver).toBeNull();
    expect(describeTakeover(got.lock, dir)).toBe(`took over the lock of ${dir}: the lock file is not a sampgen lock: ${why}`);
    await got.lock.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('a fresh lock taken normally has nothing to describe', async () => {
    const dir = path.join(tempDir(), 'run');
    const got = tryAcquireLock(dir, { staleAfterSeconds: STALE_AFTER });
    if (!got.acquired) throw new Error('not acquired');
    expect(got.lock.tookOverBecause).toBeNull();
    expect(describeTakeover(got.lock, dir)).toBeNull();
    await got.lock.release();
  });
});
