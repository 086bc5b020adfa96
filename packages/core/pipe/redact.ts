/** Keeping secrets out of every message a tool prints. */

const secrets = new Set<string>();

/** Registers a value (a secret key, a session token) that must never be printed. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 8) secrets.add(value);
}

/** Replaces every registered secret in `text` with `***`. */
export function redact(text: string): string {
  let result = text;
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.replaceAll(secret, "***");
  }
  return result;
}
