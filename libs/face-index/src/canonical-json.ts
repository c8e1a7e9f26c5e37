/**
 * Canonical JSON for the values the index manifest holds (RFC 8785 / JCS for JSON-native data): object keys
 * sorted by UTF-16 code units, no insignificant whitespace, numbers and strings as ECMAScript's JSON.stringify
 * writes them (which is what JCS prescribes). The same object always gives the same bytes, so a signature over
 * them (the JWS the cloud will add) does not depend on who serialised the manifest.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, '$');
}

function serialize(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError(`canonical JSON has no representation for ${value} at ${path}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value))
        return `[${value.map((item, i) => serialize(item, `${path}[${i}]`)).join(',')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`canonical JSON takes plain objects only; found ${describe(value)} at ${path}`);
      }
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${serialize(v, `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON has no representation for a ${typeof value} at ${path}`);
  }
}

function describe(value: object): string {
  return (value.constructor as { name?: string } | undefined)?.name ?? 'an object with a custom prototype';
}
