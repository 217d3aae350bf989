/** Configs: YAML loading, schema validation, `extends`, `--set`, defaults and the resolved-config hash. */
export * from './types';
export { loadConfig, resolveConfigObject } from './load';
export { parseSet } from './set';
export { serializeConfig, runFolderName } from './serialize';
export { configHash, canonicalJson, hashedView } from './hash';
export { ConfigError, type ConfigIssue } from './issues';
export { DATA_DEFAULTS, OUTPUT_DEFAULTS, TRAIN_DEFAULTS } from './defaults';
