import { UserError } from '../errors';

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

/**
 * All the problems of one config at once, one line each, so that a user fixes them in one pass. It is a
 * UserError (exit 2); `issues` keeps them structured for callers that print JSON (sweep plans).
 */
export class ConfigError extends UserError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}

/** Short rendering of a user's value for "…, got X" (strings quoted, so "1" and 1 read differently). */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) {
    const json = JSON.stringify(value);
    return json.length > 60 ? `a list of ${value.length} items` : json;
  }
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}
