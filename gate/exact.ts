/**
 * Exact arithmetic for the gate's decisions. Datadog sends decimal numbers
 * (JSON), the stage file holds decimal percentages; binary floating point
 * cannot hold most of them, and rounding before a comparison moves the
 * boundary (47.996 h is not 48 h; 98.995% is not 99%). So every decision
 * compares fractions of integers: each number is taken as the decimal it is
 * written as (JavaScript's shortest round-trip form, which is the JSON text
 * for any number Datadog sends), and sums, products and comparisons are
 * exact. Rounding happens only for display. Pure.
 */

/** A fraction `num / den` of integers, `den > 0`, not necessarily reduced. */
export class Exact {
  private constructor(
    readonly num: bigint,
    readonly den: bigint,
  ) {}

  /** The exact value of an integer. */
  static int(n: number | bigint): Exact {
    if (typeof n === 'number' && !Number.isInteger(n)) throw new RangeError(`Exact.int: got ${n}, expected an integer`);
    return new Exact(BigInt(n), 1n);
  }

  /** The decimal a finite number is written as (`0.1` is exactly 1/10, not the nearest double). */
  static of(x: number): Exact {
    if (!Number.isFinite(x)) throw new RangeError(`Exact.of: got ${x}, expected a finite number`);
    const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(x));
    if (m === null) throw new RangeError(`Exact.of: cannot read ${String(x)}`);
    const [, sign, whole, frac = '', expText = '0'] = m;
    const exp = Number(expText) - frac.length;
    let num = BigInt(whole + frac);
    let den = 1n;
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den = 10n ** BigInt(-exp);
    return new Exact(sign === '-' ? -num : num, den);
  }

  static ratio(num: number | bigint, den: number | bigint): Exact {
    const d = BigInt(den);
    if (d === 0n) throw new RangeError('Exact.ratio: division by zero');
    const n = BigInt(num);
    return d < 0n ? new Exact(-n, -d) : new Exact(n, d);
  }

  add(o: Exact): Exact {
    if (this.den === o.den) return new Exact(this.num + o.num, this.den);
    // Over the least common denominator, so sums of decimals stay small (10^k).
    const g = gcd(this.den, o.den);
    const a = o.den / g;
    const b = this.den / g;
    return new Exact(this.num * a + o.num * b, this.den * a);
  }

  sub(o: Exact): Exact {
    return this.add(o.neg());
  }

  neg(): Exact {
    return new Exact(-this.num, this.den);
  }

  mul(o: Exact): Exact {
    return new Exact(this.num * o.num, this.den * o.den);
  }

  div(o: Exact): Exact {
    if (o.num === 0n) throw new RangeError('Exact.div: division by zero');
    return Exact.ratio(this.num * o.den, this.den * o.num);
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `o`. */
  cmp(o: Exact): -1 | 0 | 1 {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }

  isZero(): boolean {
    return this.num === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.num < 0n ? -1 : this.num > 0n ? 1 : 0;
  }

  /** The nearest double (for reports and display; never for a decision). */
  toNumber(): number {
    const neg = this.num < 0n;
    let n = neg ? -this.num : this.num;
    let d = this.den;
    const g = gcd(n, d);
    if (g > 1n) {
      n /= g;
      d /= g;
    }
    const LIMIT = 2n ** 53n;
    let value: number;
    if (n < LIMIT && d < LIMIT) value = Number(n) / Number(d);
    else {
      // Scale to 17 significant digits, then divide once.
      const digits = BigInt(String(d).length - String(n).length + 17);
      value = digits > 0n ? Number((n * 10n ** digits) / d) / 10 ** Number(digits) : Number(n / (d * 10n ** -digits)) * 10 ** Number(-digits);
    }
    return neg ? -value : value;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Exact sum of numbers. */
export function exactSum(values: Iterable<number>): Exact {
  let s = Exact.int(0);
  for (const v of values) s = s.add(Exact.of(v));
  return s;
}
