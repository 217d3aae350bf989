/**
 * The resolved config as YAML for the run folder: every key spelled out, with a header saying where it came
 * from. Loading the written file again gives the same config and the same hash, so a run can be reproduced
 * from its folder alone.
 */
import { stringify } from 'yaml';
import { VERSION } from '../version';
import type { LoadedConfig } from './types';

export function serializeConfig(loaded: LoadedConfig): string {
  // Header values come from file names and --set text: keep each on its comment line.
  const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ');
  const header = [
    `# Resolved sampgen config, written by sampgen ${VERSION}: every key filled in (defaults included).`,
    `# source: ${oneLine(loaded.file)}`,
  ];
  const bases = loaded.sources.filter((s) => s !== loaded.file);
  if (bases.length > 0) header.push(`# extends: ${bases.map(oneLine).join(' <- ')}`);
  for (const expr of loaded.sets) header.push(`# --set ${oneLine(expr)}`);
  header.push(`# hash: ${loaded.hash} (sha256 ${loaded.fullHash})`);
  return `${header.join('\n')}\n${stringify(loaded.config)}`;
}

/** The run folder's name (inside output.runs): `<name>-<short hash>`. */
export function runFolderName(loaded: LoadedConfig): string {
  return `${loaded.config.name}-${loaded.hash}`;
}
