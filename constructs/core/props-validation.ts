/**
 * Construct-time props validation: collect every problem, then throw once
 * (the shape of aws-cdk-lib's validate-*-props files).
 */

/** Collects problems for one construct's props. */
export class PropsProblems {
  private readonly problems: string[] = [];

  constructor(private readonly owner: string) {}

  /** Record a problem unless `ok` holds. */
  check(ok: boolean, field: string, got: unknown, expected: string): void {
    if (!ok) this.problems.push(`${field}: got ${JSON.stringify(got) ?? 'missing'}, expected ${expected}`);
  }

  /** Throw one error listing every problem, if there are any. */
  throwIfAny(): void {
    if (this.problems.length === 0) return;
    const n = this.problems.length;
    throw new Error(`${this.owner}: ${n} invalid prop${n === 1 ? '' : 's'}\n${this.problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

export const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
export const DYNAMODB_TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
export const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
