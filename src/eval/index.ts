/** Objective metrics (pure functions on Float32Array samples); see docs/metrics.md for every formula. */
export * from './spectrum';
export * from './reconstruction';
export * from './mel';
export * from './linalg';
export * from './frechet';
export * from './vectors';
export * from './kmeans';
export * from './ndb';
export * from './neighbours';
export * from './artifacts';
export * from './smoothness';
export * from './summary';
export * from './bootstrap';
export * from './features';
