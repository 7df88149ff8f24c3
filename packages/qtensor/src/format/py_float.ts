/**
 * Python's float formatting, which PyTorch's repr is built on: `'{:.Nf}'`, `'{:.Ne}'` and
 * `repr(float)`.
 *
 * Why not `toFixed` / `toExponential`: JavaScript rounds exact ties away from zero while
 * Python rounds half to even (`'{:.4f}'.format(0.03125)` is `0.0312`, JS gives `0.0313`), and
 * the exponent spelling differs (`e+00` vs `e+0`). Rounding here works on the exact decimal
 * expansion of the double (BigInt), so every digit matches CPython.
 */

/** The exact value of a finite, non-negative double as `digits / 10^scale`. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp = -1074; // subnormals
  if (expBits !== 0) {
    mantissa |= 1n << 52n;
    exp = expBits - 1075;
  }
  if (exp >= 0) return { digits: mantissa << BigInt(exp), scale: 0 };
  // m * 2^-k == m * 5^k / 10^k
  return { digits: mantissa * 5n ** BigInt(-exp), scale: -exp };
}

/** n / d rounded half to even (n, d > 0). */
function divRoundHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d, twice = 2n * (n % d);
  return twice > d || (twice === d && (q & 1n) === 1n) ? q + 1n : q;
}

/** `digits * 10^-drop`, rounded half to even when digits are dropped. */
function shiftDecimal(digits: bigint, drop: number): bigint {
  return drop > 0 ? divRoundHalfEven(digits, 10n ** BigInt(drop)) : digits * 10n ** BigInt(-drop);
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return null;
}

const sign = (x: number): string => (x < 0 || Object.is(x, -0) ? '-' : '');

/** Python's `'{:.<precision>f}'.format(x)`. */
export function formatFixed(x: number, precision: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const { digits, scale } = exactDecimal(Math.abs(x));
  let s = shiftDecimal(digits, scale - precision).toString();
  if (precision > 0) {
    s = s.padStart(precision + 1, '0');
    s = `${s.slice(0, -precision)}.${s.slice(-precision)}`;
  }
  return sign(x) + s;
}

/** Python's `'{:.<precision>e}'.format(x)`. */
export function formatExp(x: number, precision: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  let mantissa = '0'.repeat(precision + 1), exp = 0;
  if (x !== 0) {
    const { digits, scale } = exactDecimal(Math.abs(x));
    const len = digits.toString().length;
    exp = len - 1 - scale;
    let rounded = shiftDecimal(digits, len - 1 - precision).toString();
    // rounding up 9.99..e to 10.0..e moves the exponent
    if (rounded.length > precision + 1) {
      rounded = rounded.slice(0, precision + 1);
      exp++;
    }
    mantissa = rounded;
  }
  const body = precision > 0 ? `${mantissa[0]}.${mantissa.slice(1)}` : mantissa;
  return `${sign(x)}${body}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** Python's `repr(float)` (`0.1`, `1.0`, `1e-05`, `1e+16`): shortest round-trip digits. */
export function pyFloatRepr(x: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  if (x === 0) return `${sign(x)}0.0`;
  // JS and Python agree on the shortest round-trip digits; only the layout differs
  const [m, e] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = m.replace('.', '');
  const exp = Number(e), point = exp + 1;
  let body: string;
  if (point <= -4 || point > 16) {
    body = `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (point <= 0) {
    body = `0.${'0'.repeat(-point)}${digits}`;
  } else if (point >= digits.length) {
    body = `${digits}${'0'.repeat(point - digits.length)}.0`;
  } else {
    body = `${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  return sign(x) + body;
}
