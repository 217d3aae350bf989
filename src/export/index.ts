/** Model folders: TF.js layers models (sampgen's own IOHandler) plus sampgen.json. */
export * from './handler';
export * from './metadata';
export * from './folder';
