/** The built CLI's entry while it matches its sources, else null (bin/cli-bundle.mjs). */
export function currentBundle(root: string): string | null;
