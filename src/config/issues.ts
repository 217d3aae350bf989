import { UserError } from '../errors';
import { clip, quoteClipped } from '../util/clip';

/** One problem in a config, tied to where the user can fix it. */
export interface ConfigIssue {
  /** A file path as given, `--set <expr>`, or the label of an in-memory config. */
  source: string;
  /** 1-based line in `source`, where known. */
  line?: number;
  /** Column, for YAML syntax errors. */
  column?: number;
  message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  let where = issue.source;
  if (issue.line !== undefined) where += `:${issue.line}`;
  if (issue.line !== undefined && issue.column !== undefined) where += `:${issue.column}`;
  return `${where}: ${issue.message}`;
}

/** The message lists at most this many problems (a file of thousands of bad keys must not print them all). */
const MAX_ISSUES_SHOWN = 50;

/**
 * All the problems of one config at once, one line each, so that a user fixes them in one pass. It is a
 * UserError (exit 2); `issues` keeps them structured for callers that print JSON (sweep plans).
 */
export class ConfigError extends UserError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    const shown = issues.slice(0, MAX_ISSUES_SHOWN).map(formatIssue);
    if (issues.length > MAX_ISSUES_SHOWN) shown.push(`… and ${issues.length - MAX_ISSUES_SHOWN} more problems`);
    super(shown.join('\n'));
    this.issues = issues;
  }
}

/**
 * Short rendering of a user's value for "…, got X" (strings quoted, so "1" and 1 read differently), clipped to
 * ECHO_LIMIT characters: a 1 MB `name:` must not come back in full.
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (typeof value === 'string') return quoteClipped(value);
  if (Array.isArray(value)) {
    const json = JSON.stringify(value);
    return json.length > 60 ? `a list of ${value.length} items` : json;
  }
  if (typeof value === 'object') return 'a mapping';
  return clip(String(value));
}
