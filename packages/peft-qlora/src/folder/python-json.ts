/** A value Python's `json.dumps` writes the same way here: no NaN or infinities, no nested objects. */
export type PythonJsonValue = string | number | boolean | null | readonly PythonJsonValue[];

/**
 * Python's `json.dumps(obj)` with its default settings, byte for byte, for a flat dict whose
 * numbers are ints or floats: `", "` and `": "` separators, ASCII-only strings, floats as Python's
 * `repr` (`1e-05`, `0.5`, `2.0`). A `float` key holds a number Python held as a float (`.item()` of
 * a float tensor), written with its `.0` even when whole; every other number is an int.
 */
export function pythonJsonDumps(
  obj: Readonly<Record<string, PythonJsonValue>>,
  floats: ReadonlySet<string> = new Set(),
): string {
  const entries = Object.entries(obj).map(
    ([key, value]) => `${pythonString(key)}: ${encode(value, floats.has(key))}`,
  );
  return `{${entries.join(', ')}}`;
}

function encode(value: PythonJsonValue, isFloat: boolean): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return pythonString(value);
  if (typeof value === 'number') return isFloat ? pythonFloatRepr(value) : pythonInt(value);
  return `[${value.map((v) => encode(v, isFloat)).join(', ')}]`;
}

function pythonInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`${value} is not an int Python would write`);
  return String(value);
}

/** json.dumps' string escaping with ensure_ascii: `"`, `\\`, control characters and non-ASCII as \uXXXX. */
function pythonString(s: string): string {
  const SHORT: Record<string, string> = {
    '"': '\\"',
    '\\': '\\\\',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\b': '\\b',
    '\f': '\\f',
  };
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = s.charCodeAt(i);
    if (SHORT[c]) out += SHORT[c];
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return `${out}"`;
}

/**
 * Python's `repr(float)`: the shortest digits that round-trip (JavaScript finds the same ones), in
 * positional notation when the decimal exponent is from -4 to 15 (with `.0` when whole), else as
 * `d.ddde±XX` (CPython's float_repr_style 'short', Py_DTSF_ADD_DOT_0).
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const decpt = Number(exp) + 1; // where the point falls after the first digit of `digits`
  const sign = x < 0 ? '-' : '';
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const e = decpt - 1;
  const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
  return `${sign}${digits[0]}${frac}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}
