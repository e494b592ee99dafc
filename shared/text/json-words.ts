/**
 * A schema's complaint in the words of JSON, for readers of untrusted files and command output
 * (snapshots, node probe readings): `expected a number, not a string`.
 */

/** zod's `error` option: a message for a wrong type, else zod's own. */
export function typeMessage(issue: { code?: string; expected?: unknown; input?: unknown }): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);
  const input = issue.input;
  const found = input === undefined ? 'nothing' : input === null ? 'null' : Array.isArray(input) ? 'an array' : article(typeof input);
  return `expected ${article(String(issue.expected))}, not ${found}`;
}
