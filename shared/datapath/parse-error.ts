/**
 * The one error every datapath parser throws: it names the command whose output did not parse
 * and where in it (a JSON path such as `[3].linkinfo.info_data.id`, or `line 12`), so a probe's
 * report says "ip -j -d link: [3].ifindex: expected a number, not a string" rather than a
 * TypeError from deep inside a parser.
 */
import type { z } from 'zod';
import { typeMessage } from '../text/json-words.ts';

export class DatapathParseError extends Error {
  override readonly name = 'DatapathParseError';
  readonly command: string;
  /** `[3].linkinfo.info_kind`, `line 12`, or '' for the whole output. */
  readonly where: string;
  readonly reason: string;

  constructor(command: string, where: string, reason: string) {
    super(`${command}: ${where ? `${where}: ` : ''}${reason}`);
    this.command = command;
    this.where = where;
    this.reason = reason;
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : (i === 0 ? '' : '.') + String(part))).join('');
}

/** Validates already-decoded data against a schema, naming the command and the field path;
 * `at` is where `data` sits in the command's whole output. */
export function validate<T extends z.ZodType>(command: string, schema: T, data: unknown, at: readonly PropertyKey[] = []): z.output<T> {
  const result = schema.safeParse(data, { error: typeMessage });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new DatapathParseError(command, formatPath([...at, ...(issue?.path ?? [])]), issue?.message ?? 'invalid');
}

/** Decodes a tool's JSON output and validates it. Empty output (some iproute2 versions print
 * nothing for an empty table) reads as `[]`. */
export function parseJsonOutput<T extends z.ZodType>(command: string, schema: T, output: string): z.output<T> {
  const text = output.trim();
  let data: unknown;
  try {
    data = text === '' ? [] : JSON.parse(text);
  } catch (error) {
    throw new DatapathParseError(command, '', `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return validate(command, schema, data);
}
