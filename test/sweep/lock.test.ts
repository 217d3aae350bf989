import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lockPath, readLock, tryAcquireLock, LockOwner } from '../../src/sweep';
import { tempDir } from '../helpers/dataset';

function foreignLock(runDir: string, heartbeatAgoSeconds: number, token = 'other'): LockOwner {
  const t = new Date(Date.now() - heartbeatAgoSeconds * 1000).toISOString();
  const owner: LockOwner = { version: 1, host: 'elsewhere.example', pid: 4242, token, started: t, heartbeat: t };
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(lockPath(runDir), JSON.stringify(owner));
  return owner;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('run-folder lock', () => {
  test('one holder at a time; released locks can be taken again', async () => {
    const dir = path.join(tempDir(), 'run');
    const a = tryAcquireLock(dir, { staleAfterSeconds: 60 });
    expect(a.acquired).toBe(true);
    const b = tryAcquireLock(dir, { staleAfterSeconds: 60 });
    expect(b.acquired).toBe(false);
    if (!a.acquired || b.acquired) return;
    expect(b.holder.token).toBe(a.lock.owner.token);
    expect(readLock(dir)).toEqual(expect.objectContaining({ host: os.hostname(), pid: process.pid, token: a.lock.owner.token }));
    await a.lock.release();
    expect(fs.existsSync(lockPath(dir))).toBe(false);
    const c = tryAcquireLock(dir, { staleAfterSeconds: 60 });
    expect(c.acquired).toBe(true);
    if (c.acquired) await c.lock.release();
    // Only the lock file is left behind by nobody: no temp files.
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('a fresh foreign lock is respected; a stale one is taken over', async () => {
    const dir = path.join(tempDir(), 'run');
    foreignLock(dir, 5);
    const fresh = tryAcquireLock(dir, { staleAfterSeconds: 60 });
    expect(fresh.acquired).toBe(false);
    if (!fresh.acquired) expect(fresh.holder.host).toBe('elsewhere.example');

    const old = foreignLock(dir, 120);
    const taken = tryAcquireLock(dir, { staleAfterSeconds: 60 });
    expect(taken.acquired).toBe(true);
    if (!taken.acquired) return;
    expect(taken.lock.tookOver).toEqual(old);
    expect(readLock(dir)!.token).toBe(taken.lock.owner.token);
    await taken.lock.release();
  });

  test('a lock of a process on this host that no longer exists is stale at once', async () => {
    const dir = path.join(tempDir(), 'run');
    const t = new Date().toISOString();
    // pid 2^22+1 is above Linux's pid_max limit, so no process has it.
    fs.mkdirSync(dir);
    fs.writeFileSync(lockPath(dir), JSON.stringify({ version: 1, host: os.hostname(), pid: 4194305, token: 'dead', started: t, heartbeat: t }));
    const got = tryAcquireLock(dir, { staleAfterSeconds: 600 });
    expect(got.acquired).toBe(true);
    if (got.acquired) await got.lock.release();
  });

  test('the heartbeat refreshes the lock, and notices when another worker took it over', async () => {
    const dir = path.join(tempDir(), 'run');
    const got = tryAcquireLock(dir, { staleAfterSeconds: 60, heartbeatSeconds: 0.02 });
    if (!got.acquired) throw new Error('not acquired');
    const first = got.lock.owner.heartbeat;
    await until(() => readLock(dir)!.heartbeat !== first, 'a heartbeat');
    expect(got.lock.lost).toBe(false);
    foreignLock(dir, 0, 'usurper');
    await until(() => got.lock.lost, 'the lost lock to be noticed');
    await got.lock.release();
    // Release leaves the other holder's lock alone.
    expect(readLock(dir)!.token).toBe('usurper');
  });
});
