/**
 * Keeps secrets out of everything the client shows: error messages built from server answers, and the request
 * headers of `request` events.
 */

/**
 * Everything that must never be shown: the secret or key, and every token issued, also as a server would echo them
 * back encoded (URL, form or JSON escapes) or as a message shows them (white space runs as one space), longest first.
 * However short: a secret is never shown, even if that garbles a message.
 *
 * @example
 * const redactor = new SecretRedactor('s3cret');
 * redactor.redact('bad secret s3cret'); // 'bad secret [redacted]'
 */
export class SecretRedactor {
  private readonly secrets: string[] = [];

  constructor(...secrets: string[]) {
    for (const secret of secrets) this.add(secret);
  }

  /** Redacts `secret` (and its encoded forms) from now on: a token as soon as it is issued. */
  add(secret: string): void {
    const forms = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
      secret.replace(/\s+/g, ' ').trim(),
    ];
    for (const form of forms) if (form !== '' && !this.secrets.includes(form)) this.secrets.push(form);
    this.secrets.sort((a, b) => b.length - a.length);
  }

  /** `text` with every known secret replaced by `[redacted]`. */
  readonly redact = (text: string): string => {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    // A message cut at its length limit may end in the start of a secret.
    if (out.endsWith('…')) {
      const body = out.slice(0, -1);
      for (const secret of this.secrets) {
        for (let n = Math.min(secret.length - 1, body.length); n >= 1; n--) {
          if (body.endsWith(secret.slice(0, n))) return `${body.slice(0, -n)}[redacted]…`;
        }
      }
    }
    return out;
  };
}

/** Request headers safe to show: the values of the credential headers are replaced (the scheme is kept). */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'authorization') shown[name] = `${value.split(' ')[0] ?? ''} [redacted]`;
    else if (name === 'x-coupa-api-key') shown[name] = '[redacted]';
    else shown[name] = value;
  }
  return shown;
}
