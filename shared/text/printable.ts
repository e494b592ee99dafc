/**
 * Text from cluster objects made safe to show. A name in a hand-made snapshot may hold an escape
 * sequence that would recolour, retitle or clear the user's terminal, a line break that would
 * forge a line of output, or a bidirectional override that reorders what is read; each becomes a
 * visible escape instead, so that something is seen to stand there.
 */

/**
 * C0 and C1 control characters, DEL, the bidirectional embeddings, overrides and isolates, and
 * the line and paragraph separators (line breaks to YAML 1.1, so to kubectl's parser).
 */
const unprintable = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/**
 * `text` with every control character shown as `\u001b`: an escape that reads the same in a
 * terminal and means the same character inside a JSON or YAML double-quoted string, so JSON and
 * YAML stay valid and exact. With `keep: 'layout'`, line breaks and tabs stay as they are: for
 * whole documents, whose layout they are (a name's own are escaped where the name is put in).
 */
export function printable(text: string, keep: 'layout' | 'nothing' = 'nothing'): string {
  return text.replace(unprintable, (char) =>
    keep === 'layout' && (char === '\n' || char === '\t') ? char : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
