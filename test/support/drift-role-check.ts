/**
 * Least privilege of a drift-reader role (test support): what the role of
 * constructs/ci-access `driftRole` may hold, checked on the synthesized
 * stack, so that widening it in code (or by hand in a fixture) is reported.
 *
 * The role may be assumed only with GitHub's OIDC token for
 * sts.amazonaws.com whose `sub` is exactly the default branch's and whose
 * `job_workflow_ref` is exactly the drift workflow at that branch (StringEquals,
 * no wildcard, nothing else), and may only `s3:GetObject` the stage's
 * observability state object and `kms:Decrypt` through S3 for that object.
 * Every problem is collected; `assertDriftRole` throws once listing them all
 * (the validate-*-props style of constructs/core/props-validation.ts).
 */
import { GITHUB_OIDC_AUDIENCE, OIDC_AUD_KEY, OIDC_JOB_WORKFLOW_REF_KEY, OIDC_SUB_KEY } from '../../constructs/ci-access/ci-access';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What one stage's drift role must be. */
export interface DriftRoleExpectation {
  /** IAM role name. */
  readonly role: string;
  /** `<bucket>/<key>` of the stage's observability state: the one object it may read. */
  readonly stateObject: string;
  /** The region whose S3 endpoint may use the state key. */
  readonly region: string;
  /** The only `sub` it trusts (`repo:<repo>:ref:refs/heads/main`). */
  readonly subject: string;
  /** The only `job_workflow_ref` it trusts (`<repo>/.github/workflows/drift.yml@refs/heads/main`). */
  readonly jobWorkflowRef: string;
}

const ALLOWED_ACTIONS = ['s3:GetObject', 'kms:Decrypt'];

/** `arn:<any partition>:s3:::<path>`, exactly (the partition is a Terraform reference in synthesized JSON). */
function isS3Arn(arn: unknown, path: string): boolean {
  return typeof arn === 'string' && arn.startsWith('arn:') && arn.split(':').length === 6 && arn.endsWith(`:s3:::${path}`) && !/[*?]/.test(arn);
}

/** The policy document a `${data.aws_iam_policy_document.X.json}` reference names. */
function documentOf(stack: Json, ref: unknown): Json | undefined {
  const id = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(ref))?.[1];
  return id === undefined ? undefined : stack.data?.aws_iam_policy_document?.[id];
}

/** The role's trust and permission documents (undefined when the role or a document is not there). */
export function driftRoleDocuments(stack: Json, roleName: string): { trust?: Json; permissions: Json[] } {
  const entry = Object.entries((stack.resource?.aws_iam_role ?? {}) as Record<string, Json>).find(([, r]) => r.name === roleName);
  if (!entry) return { permissions: [] };
  const [id, role] = entry;
  const policies = Object.values((stack.resource?.aws_iam_role_policy ?? {}) as Record<string, Json>).filter(
    (p) => p.role === `\${aws_iam_role.${id}.id}` || p.role === `\${aws_iam_role.${id}.name}`,
  );
  const attached = Object.values((stack.resource?.aws_iam_role_policy_attachment ?? {}) as Record<string, Json>).filter(
    (a) => a.role === `\${aws_iam_role.${id}.id}` || a.role === `\${aws_iam_role.${id}.name}` || a.role === roleName,
  );
  const permissions = policies.map((p) => documentOf(stack, p.policy) ?? { statement: [{ sid: '(unresolved policy)', effect: 'Allow', actions: ['*'] }] });
  for (const a of attached) permissions.push({ statement: [{ sid: `Managed ${String(a.policy_arn)}`, effect: 'Allow', actions: ['*'], resources: ['*'] }] });
  return { trust: documentOf(stack, role.assume_role_policy), permissions };
}

/** Problems of one trust-policy condition list against the three pins. */
function trustConditionProblems(sid: string, conditions: Json[], expected: DriftRoleExpectation): string[] {
  const out: string[] = [];
  const pins: [string, string][] = [
    [OIDC_AUD_KEY, GITHUB_OIDC_AUDIENCE],
    [OIDC_SUB_KEY, expected.subject],
    [OIDC_JOB_WORKFLOW_REF_KEY, expected.jobWorkflowRef],
  ];
  for (const [key, value] of pins) {
    const on = conditions.filter((c) => c.variable === key);
    if (on.length === 0) out.push(`trust ${sid}: ${key}: got no condition, expected StringEquals ${JSON.stringify([value])}`);
    for (const c of on) {
      if (c.test !== 'StringEquals' || JSON.stringify(c.values) !== JSON.stringify([value]))
        out.push(`trust ${sid}: ${key}: got ${String(c.test)} ${JSON.stringify(c.values)}, expected StringEquals ${JSON.stringify([value])}`);
    }
  }
  for (const c of conditions) {
    if (!pins.some(([key]) => key === c.variable) && /^token\.actions\.githubusercontent\.com:/.test(String(c.variable)) && c.test !== 'StringEquals')
      out.push(`trust ${sid}: ${String(c.variable)}: got ${String(c.test)} ${JSON.stringify(c.values)}, expected StringEquals (no pattern)`);
  }
  return out;
}

/** Every way the synthesized drift role is wider than `expected` (empty when it is exactly as narrow). */
export function driftRoleProblems(stack: Json, expected: DriftRoleExpectation): string[] {
  const { trust, permissions } = driftRoleDocuments(stack, expected.role);
  if (!trust) return [`role ${expected.role}: got no such role (or no resolvable trust policy), expected one`];
  const out: string[] = [];
  for (const st of (trust.statement ?? []) as Json[]) {
    const sid = String(st.sid ?? '(no sid)');
    if (st.effect !== 'Allow') continue;
    if (st.not_actions || st.not_principals)
      out.push(`trust ${sid}: got NotAction/NotPrincipal, expected sts:AssumeRoleWithWebIdentity from GitHub's OIDC provider only`);
    if (JSON.stringify(st.actions) !== JSON.stringify(['sts:AssumeRoleWithWebIdentity']))
      out.push(`trust ${sid}: actions: got ${JSON.stringify(st.actions)}, expected ["sts:AssumeRoleWithWebIdentity"]`);
    const principals = (st.principals ?? []) as Json[];
    if (
      principals.length !== 1 ||
      principals[0].type !== 'Federated' ||
      !/aws_iam_openid_connect_provider\.[^.]+\.arn\}$/.test(String(principals[0].identifiers))
    )
      out.push(`trust ${sid}: principals: got ${JSON.stringify(principals)}, expected the GitHub OIDC provider (Federated) only`);
    out.push(...trustConditionProblems(sid, (st.condition ?? []) as Json[], expected));
  }
  const objectPath = expected.stateObject;
  const bucketPath = objectPath.split('/')[0];
  for (const doc of permissions) {
    for (const st of (doc.statement ?? []) as Json[]) {
      if (st.effect !== 'Allow') continue;
      const sid = String(st.sid ?? '(no sid)');
      if (st.not_actions || st.not_resources) {
        out.push(`${sid}: got an Allow by NotAction/NotResource, expected ${ALLOWED_ACTIONS.join(' and ')} only`);
        continue;
      }
      const actions = (st.actions ?? []) as string[];
      for (const action of actions) {
        if (!ALLOWED_ACTIONS.some((a) => a.toLowerCase() === action.toLowerCase()))
          out.push(`${sid}: action ${action}: expected only s3:GetObject on the state object and kms:Decrypt through S3`);
      }
      const resources = (st.resources ?? []) as string[];
      if (actions.some((a) => a.toLowerCase() === 's3:getobject')) {
        for (const r of resources) if (!isS3Arn(r, objectPath)) out.push(`${sid}: s3:GetObject on ${r}: expected only arn:<partition>:s3:::${objectPath}`);
      }
      if (actions.some((a) => a.toLowerCase() === 'kms:decrypt'))
        out.push(...kmsProblems(sid, (st.condition ?? []) as Json[], expected.region, bucketPath, objectPath));
    }
  }
  return out;
}

/** kms:Decrypt only through S3 of the region, only for the state object (its bucket's encryption context with S3 Bucket Keys). */
function kmsProblems(sid: string, conditions: Json[], region: string, bucketPath: string, objectPath: string): string[] {
  const out: string[] = [];
  const via = conditions.find((c) => c.variable === 'kms:ViaService');
  if (!via || via.test !== 'StringEquals' || JSON.stringify(via.values) !== JSON.stringify([`s3.${region}.amazonaws.com`]))
    out.push(`${sid}: kms:Decrypt: kms:ViaService: got ${JSON.stringify(via ?? null)}, expected StringEquals ["s3.${region}.amazonaws.com"]`);
  const context = conditions.find((c) => c.variable === 'kms:EncryptionContext:aws:s3:arn');
  const values = (context?.values ?? []) as string[];
  if (!context || context.test !== 'StringEquals' || values.length === 0 || values.some((v) => !isS3Arn(v, bucketPath) && !isS3Arn(v, objectPath)))
    out.push(
      `${sid}: kms:Decrypt: kms:EncryptionContext:aws:s3:arn: got ${JSON.stringify(context ?? null)}, expected StringEquals the state's bucket or object ARN`,
    );
  return out;
}

/** Throws once, listing every problem of every role, when any drift role is wider than expected. */
export function assertDriftRoles(stack: Json, expected: readonly DriftRoleExpectation[]): void {
  const problems = expected.flatMap((e) => driftRoleProblems(stack, e).map((p) => `${e.role}: ${p}`));
  if (problems.length > 0) throw new Error(`${problems.length} drift role problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`);
}
