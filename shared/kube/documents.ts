/**
 * The documents in a YAML or JSON text a user hands us (`kubectl get -o json` output, manifests,
 * what-if policies), for the CLI and the renderer alike. Errors name the file, line and column.
 */
import { LineCounter } from 'yaml';
import { formatPath, NestingError, parseYamlDocuments, tooDeepAt } from './nesting.ts';

/** A file that could not be read or parsed. The message names the file, and for a syntax error
 * the line and column of each problem, one per line: `<file>:<line>:<col>: <message>`. */
export class ManifestError extends Error {
  readonly file: string;
  readonly line: number | null;

  constructor(file: string, message: string, line: number | null = null) {
    super(message);
    this.name = 'ManifestError';
    this.file = file;
    this.line = line;
  }
}

/**
 * The documents in a file. JSON (what `kubectl get -o json` writes) goes through JSON.parse,
 * which is much faster than a YAML parser on a large list; anything else, and JSON that fails,
 * goes through the YAML parser, which says where the problem is. Aliases are capped, so a
 * "billion laughs" document fails instead of expanding; nesting is capped (nesting.ts), so a
 * deep one fails instead of overflowing the stack.
 */
export function parseDocuments(text: string, file: string): unknown[] {
  const start = text.trimStart()[0];
  if (start === '{' || start === '[') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Fall through: YAML reads JSON too, and reports the line and column of a syntax error.
    }
    if (value !== undefined) return checkedDocuments(file, Array.isArray(value) ? value : [value]);
  }
  const lineCounter = new LineCounter();
  let documents;
  try {
    documents = parseYamlDocuments(text, lineCounter);
  } catch (error) {
    if (!(error instanceof NestingError)) throw error;
    throw new ManifestError(file, `${file}: ${error.message}`, error.line);
  }
  const problems = documents.flatMap((doc) => doc.errors).map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return { line, text: `${file}:${line}:${col}: ${error.message}` };
  });
  const first = problems[0];
  if (first) throw new ManifestError(file, problems.map((p) => p.text).join('\n'), first.line);
  const values = documents.map((doc) => {
    try {
      return doc.toJS({ maxAliasCount: 100 }) as unknown;
    } catch (error) {
      const { line, col } = lineCounter.linePos(doc.range[0]);
      throw new ManifestError(file, `${file}:${line}:${col}: ${error instanceof Error ? error.message : String(error)}`, line);
    }
  });
  // An alias inside its own anchor makes a value that contains itself: endlessly deep.
  return checkedDocuments(file, values);
}

function checkedDocuments(file: string, documents: unknown[]): unknown[] {
  documents.forEach((doc, i) => {
    const path = tooDeepAt(doc);
    if (path) throw new ManifestError(file, `${file}: ${new NestingError(`${documents.length > 1 ? `document ${i + 1}, ` : ''}${formatPath(path)}`).message}`);
  });
  return documents;
}
