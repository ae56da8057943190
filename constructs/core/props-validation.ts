/**
 * Construct-time props validation: collect every problem, then throw once
 * (the shape of aws-cdk-lib's validate-*-props files). Formats come from
 * model/patterns.ts, the same definitions the stage schema uses.
 */
import type { Format } from '../../model/patterns';

/** Collects problems for one construct's props. */
export class PropsProblems {
  private readonly problems: string[] = [];

  constructor(private readonly owner: string) {}

  /** Record a problem unless `ok` holds. */
  check(ok: boolean, field: string, got: unknown, expected: string): void {
    if (!ok) this.problems.push(`${field}: got ${JSON.stringify(got) ?? 'missing'}, expected ${expected}`);
  }

  /** Record a problem unless `value` is a string of `format`. */
  checkFormat(format: Format, field: string, value: unknown): void {
    this.check(typeof value === 'string' && format.pattern.test(value), field, value, format.expected);
  }

  /** Throw one error listing every problem, if there are any. */
  throwIfAny(): void {
    if (this.problems.length === 0) return;
    const n = this.problems.length;
    throw new Error(`${this.owner}: ${n} invalid prop${n === 1 ? '' : 's'}\n${this.problems.map((p) => `  ${p}`).join('\n')}`);
  }
}
