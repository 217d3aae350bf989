/**
 * Silences TF.js's own notices, chief among them the pure-JS cpu backend's advert printed on its first tensor in
 * Node ("Hi, looks like you are running TensorFlow.js in Node.js. To speed things up dramatically, install our node
 * backend…"): sampgen says itself which backend it uses and why (src/backend/init.ts, `sampgen doctor`).
 *
 * The way TF.js offers is its PROD flag (what tf.enableProdMode() sets): tfjs-core, -layers and -converter check it
 * before every notice of their log (log.warn/log.log: the advert, "kernel … already registered", "Overriding the
 * gradient …"), and in 4.22 it gates nothing else. Importing this module sets it; TF.js reads the flag each time,
 * so it works whenever it is imported.
 */
import * as tf from '@tensorflow/tfjs';

tf.env().set('PROD', true);
