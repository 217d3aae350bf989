/**
 * TF.js's own notices stay out of sampgen's output: the pure-JS cpu backend greets its first tensor in Node with an
 * advert for tfjs-node ("Hi, looks like you are running TensorFlow.js in Node.js…"), printed once per process by
 * every library user and test that touched a model on the cpu backend.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const DIST = path.join(__dirname, '..', '..', 'dist');

test.each([['models/dense.js'], ['models/conv.js'], ['infer/model.js'], ['backend/init.js']])(
  'a library user of %s who makes tensors on the cpu backend sees no TF.js advert',
  (module) => {
    const script = `
      require(${JSON.stringify(path.join(DIST, module))});
      const tf = require('@tensorflow/tfjs');
      tf.setBackend('cpu').then(() => { tf.square(tf.tensor([1, 2])).dataSync(); });
    `;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', timeout: 60000 });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('looks like you are running TensorFlow.js in Node.js');
    expect(r.stdout + r.stderr).toBe('');
  },
);
