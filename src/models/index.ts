/** The model builders; each family lives in its own module. */
export * from './dense';
export * from './vae';
export * from './conv';
export * from './wavegan';
