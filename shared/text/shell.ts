/**
 * Commands a user may paste into a shell, built from names a stranger chose. The API server
 * allows only DNS-style names, but a hand-made snapshot or a file given to `--from-files` may hold
 * any text where a name belongs: `fe;touch${IFS}/tmp/x;#` must reach the shell as one word.
 */

/** Words that mean the same to sh quoted or not (none of sh's special characters, no space). */
const plainWord = /^[A-Za-z0-9@%+=:,./_-]+$/;

/** `text` as one POSIX sh word: itself when it is plainly safe, else in single quotes (a quote inside as `'\''`). */
export function shellQuote(text: string): string {
  return plainWord.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** What may stand in a command's `${}`: a word, or several (each quoted on its own). */
export type ShellValue = string | number | readonly (string | number)[];

/**
 * A command line whose interpolated values are quoted, each string to exactly one word and each
 * array to one word per element: sh`kubectl exec -n ${ns} ${pod} -- cat /etc/resolv.conf`. The
 * literal parts are ours (flags, pipes, `;`) and stay as written.
 */
export function sh(literals: TemplateStringsArray, ...values: ShellValue[]): string {
  let text = literals[0] ?? '';
  for (const [i, value] of values.entries()) {
    const words = Array.isArray(value) ? value : [value];
    text += words.map((word) => shellQuote(String(word))).join(' ') + (literals[i + 1] ?? '');
  }
  return text;
}

/**
 * Operands of a getopt-style tool (grep, tcpdump): after `--` when one starts with a dash, which
 * quoting cannot help with — the tool would read `-w/tmp/x` as an option wherever it stands.
 */
export function operands(...values: string[]): string[] {
  return values.some((value) => value.startsWith('-')) ? ['--', ...values] : values;
}

/**
 * A kind and a name as kubectl takes them, with `-n` between when a namespace is given: `svc -n
 * shop cart`. A name that starts with a dash would be read as a flag (`--server=…` would send
 * the user's token elsewhere), so it goes in kubectl's one-word form: `-n shop svc/--server=…`.
 * Namespaces need no such care: `-n` takes the next word whatever it is (pflag's `-f arg`).
 */
export function kubectlObject(kind: string, name: string, namespace?: string): string[] {
  const ns = namespace === undefined ? [] : ['-n', namespace];
  return name.startsWith('-') ? [...ns, `${kind}/${name}`] : [kind, ...ns, name];
}

/** A name where kubectl implies the kind (`kubectl exec POD`): the name, or `pod/-x` for one that starts with a dash. */
export function kubectlName(kind: string, name: string): string {
  return name.startsWith('-') ? `${kind}/${name}` : name;
}
