/**
 * A privilege-escalation check over synthesized IAM policies (test support).
 *
 * The catalog is Rhino Security Labs' list of AWS IAM privilege escalation
 * methods: https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
 * and its scanner RhinoSecurityLabs/Security-Research
 * tools/aws-pentest-tools/aws_escalate.py (commit bb23250, `escalation_methods`),
 * extended with the later published paths of the same kind (new roles,
 * policies and permissions boundaries; running code as a role through
 * CodeBuild, SageMaker, ECS, SSM, EC2 Instance Connect, launch templates).
 *
 * The rule: no CI role may be allowed any escalation action, whatever its
 * conditions (the design gives CI no IAM write at all, so nothing needs an
 * exemption), and `iam:PassRole` only on exact role ARNs of roles that hold
 * no permissions, only to named services.
 *
 * One narrowing, for State Manager: an association runs its document on
 * targets IAM cannot restrict, so creating or updating one counts as running
 * code, unless the grant names only association ARNs and account-owned
 * documents of the same stack that are pinned (pinnedDocuments: every
 * parameter held to a closed pattern, downloads only from a fixed S3 bucket,
 * only shell and download steps). UpdateAssociation does not require the
 * document resource (Service Authorization Reference for Systems Manager,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html),
 * so it also needs an aws:ResourceTag condition: otherwise it rewrites the
 * parameters of any association of the account, whatever its document.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One escalation action and the catalog method it enables. */
export interface EscalationAction {
  readonly action: string;
  readonly method: string;
}

const rhino = (method: string, ...actions: string[]): EscalationAction[] => actions.map((action) => ({ action, method }));

/** Actions that alone, or with a PassRole they do not need here, escalate. */
export const ESCALATION_ACTIONS: readonly EscalationAction[] = [
  // aws_escalate.py escalation_methods (single-permission and role-assuming methods).
  ...rhino('CreateNewPolicyVersion', 'iam:CreatePolicyVersion'),
  ...rhino('SetExistingDefaultPolicyVersion', 'iam:SetDefaultPolicyVersion'),
  ...rhino('CreateAccessKey', 'iam:CreateAccessKey'),
  ...rhino('CreateLoginProfile', 'iam:CreateLoginProfile'),
  ...rhino('UpdateLoginProfile', 'iam:UpdateLoginProfile'),
  ...rhino('AttachUserPolicy', 'iam:AttachUserPolicy'),
  ...rhino('AttachGroupPolicy', 'iam:AttachGroupPolicy'),
  ...rhino('AttachRolePolicy', 'iam:AttachRolePolicy'),
  ...rhino('PutUserPolicy', 'iam:PutUserPolicy'),
  ...rhino('PutGroupPolicy', 'iam:PutGroupPolicy'),
  ...rhino('PutRolePolicy', 'iam:PutRolePolicy'),
  ...rhino('AddUserToGroup', 'iam:AddUserToGroup'),
  ...rhino('UpdateRolePolicyToAssumeIt', 'iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'),
  ...rhino('PassExistingRoleToNewLambda', 'lambda:CreateFunction', 'lambda:InvokeFunction', 'lambda:CreateEventSourceMapping'),
  ...rhino('EditExistingLambdaFunctionWithRole', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration'),
  ...rhino('PassExistingRoleToNewGlueDevEndpoint', 'glue:CreateDevEndpoint'),
  ...rhino('UpdateExistingGlueDevEndpoint', 'glue:UpdateDevEndpoint'),
  ...rhino('PassExistingRoleToCloudFormation', 'cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:CreateChangeSet'),
  ...rhino('PassExistingRoleToNewDataPipeline', 'datapipeline:CreatePipeline'),
  // Later paths of the same kind.
  ...rhino('CreateRoleWithPolicy', 'iam:CreateRole', 'iam:CreatePolicy', 'iam:CreateUser'),
  ...rhino(
    'RemoveOrReplacePermissionsBoundary',
    'iam:DeleteRolePermissionsBoundary',
    'iam:PutRolePermissionsBoundary',
    'iam:DeleteUserPermissionsBoundary',
    'iam:PutUserPermissionsBoundary',
  ),
  ...rhino(
    'RunCodeAsRole',
    'codebuild:CreateProject',
    'codebuild:StartBuild',
    'codebuild:UpdateProject',
    'sagemaker:CreateNotebookInstance',
    'sagemaker:CreatePresignedNotebookInstanceUrl',
    'ecs:RunTask',
    'ecs:RegisterTaskDefinition',
    'ssm:SendCommand',
    'ssm:StartAutomationExecution',
    // A State Manager association runs a document on its targets like SendCommand does, and IAM cannot narrow its targets
    // (ASSOCIATION_ACTIONS: not a finding when only pinned documents are granted).
    'ssm:CreateAssociation',
    'ssm:CreateAssociationBatch',
    'ssm:UpdateAssociation',
    // Whoever writes a document writes what every association of it runs.
    'ssm:CreateDocument',
    'ssm:UpdateDocument',
    'ssm:UpdateDocumentDefaultVersion',
    'ssm:StartSession',
    'ec2-instance-connect:SendSSHPublicKey',
    'ec2:CreateLaunchTemplateVersion',
    'autoscaling:CreateLaunchConfiguration',
  ),
];

/** A finding: which role, which statement, which action, which method. */
export interface EscalationFinding {
  readonly role: string;
  readonly sid: string;
  readonly action: string;
  readonly method: string;
}

/** Does an IAM action pattern (`iam:Put*`, `*`) match `action`? Case-insensitive, like IAM. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(action);
}

/** The CI roles of a synthesized stack: role name -> its permission statements (inline policies, references resolved). */
export function rolePolicies(stack: Json): Map<string, Json[]> {
  const out = new Map<string, Json[]>();
  const roles = (stack.resource?.aws_iam_role ?? {}) as Record<string, Json>;
  const docs = (stack.data?.aws_iam_policy_document ?? {}) as Record<string, Json>;
  for (const role of Object.values(roles)) out.set(role.name, []);
  for (const policy of Object.values((stack.resource?.aws_iam_role_policy ?? {}) as Record<string, Json>)) {
    const roleId = /^\$\{aws_iam_role\.([^.]+)\.(?:id|name)\}$/.exec(policy.role)?.[1];
    const docId = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policy.policy)?.[1];
    if (!roleId || !docId || !roles[roleId] || !docs[docId]) throw new Error(`cannot resolve role policy ${JSON.stringify(policy)}`);
    out.get(roles[roleId].name)?.push(...(docs[docId].statement as Json[]));
  }
  // An attached managed policy is not analysed action by action: it counts as permissions (the role is no longer empty).
  for (const attachment of Object.values((stack.resource?.aws_iam_role_policy_attachment ?? {}) as Record<string, Json>)) {
    const roleId = /^\$\{aws_iam_role\.([^.]+)\.(?:id|name)\}$/.exec(attachment.role)?.[1];
    const name = roleId ? roles[roleId]?.name : attachment.role;
    if (!out.has(name)) throw new Error(`cannot resolve role policy attachment ${JSON.stringify(attachment)}`);
    out.get(name)?.push({ sid: `Managed ${attachment.policy_arn}`, effect: 'Allow', actions: [], resources: [] });
  }
  if (stack.resource?.aws_iam_policy) throw new Error('customer managed policies are not analysed here: add them to rolePolicies before using them');
  return out;
}

/** Role names that hold no permission at all (no inline policy): safe to pass. */
export function emptyRoles(stack: Json): Set<string> {
  return new Set([...rolePolicies(stack)].filter(([, statements]) => statements.length === 0).map(([name]) => name));
}

/** Association actions: a finding unless the statement names only associations and pinned documents (associationProblem). */
const ASSOCIATION_ACTIONS = new Set(['ssm:CreateAssociation', 'ssm:CreateAssociationBatch', 'ssm:UpdateAssociation']);

/**
 * A closed allowedPattern: anchored, made of literal characters, escaped dots,
 * positive character classes of letters and digits with a fixed count, and
 * groups of literal alternatives (`^bundles/[0-9a-f]{64}\.zip$`, `^[1-5]$`,
 * `^(apply|rollback)$`). No `.`, `*`, `+`, negated class or `\S`: nothing
 * that admits a quote, a space or a `;` into the shell the value lands in.
 */
const CLOSED_PATTERN = /^\^(?:[A-Za-z0-9_/-]|\\\.|\[(?:[A-Za-z0-9](?:-[A-Za-z0-9])?)+\](?:\{\d+(?:,\d+)?\})?|\([A-Za-z0-9_]+(?:\|[A-Za-z0-9_]+)*\))*\$$/;

/** Why a Command document's content is not pinned, or undefined when it is. */
export function documentProblem(content: Json): string | undefined {
  for (const [name, parameter] of Object.entries((content.parameters ?? {}) as Record<string, Json>)) {
    if (typeof parameter.allowedPattern !== 'string' || !CLOSED_PATTERN.test(parameter.allowedPattern))
      return `parameter ${name} is not held to a closed allowedPattern (${String(parameter.allowedPattern)})`;
  }
  for (const step of (content.mainSteps ?? []) as Json[]) {
    if (step.action === 'aws:runShellScript') continue;
    if (step.action !== 'aws:downloadContent') return `step ${String(step.name)} runs ${String(step.action)}`;
    const inputs = step.inputs as Json;
    const path = typeof inputs.sourceInfo === 'string' ? String((JSON.parse(inputs.sourceInfo) as Json).path) : '';
    const host = /^https:\/\/([^/]+)\//.exec(path)?.[1];
    if (inputs.sourceType !== 'S3' || host === undefined || host.includes('{{'))
      return `step ${String(step.name)} downloads from ${String(inputs.sourceType)} ${path}, not from a fixed S3 bucket`;
  }
  return undefined;
}

/** Names of the stack's account-owned Command documents that are pinned (documentProblem finds nothing). */
export function pinnedDocuments(stack: Json): Set<string> {
  const documents = Object.values((stack.resource?.aws_ssm_document ?? {}) as Record<string, Json>);
  return new Set(
    documents.filter((d) => d.document_type === 'Command' && documentProblem(JSON.parse(d.content as string) as Json) === undefined).map((d) => String(d.name)),
  );
}

/** Why an association grant can run code, or undefined when it names only associations and pinned documents (with a tag condition for UpdateAssociation). */
function associationProblem(statement: Json, action: string, pinned: ReadonlySet<string>): string | undefined {
  for (const resource of (statement.resources ?? []) as string[]) {
    if (/^arn:[^:]+:ssm:[^:]+:[^:]+:association\//.test(resource)) continue;
    const document = /^arn:[^:]+:ssm:[^:]+:([^:]*):document\/(.+)$/.exec(resource);
    if (!document) return `${action} on ${resource}: not an association or a document`;
    if (document[1] === '' || /[*?]/.test(document[2]) || !pinned.has(document[2]))
      return `${action} of document ${document[1] === '' ? 'owned by AWS ' : ''}${document[2]}: not a pinned document of this stack (it runs what its caller names)`;
  }
  const tagged = ((statement.condition ?? []) as Json[]).some((c) => c.test === 'StringEquals' && /^aws:ResourceTag\//.test(String(c.variable)));
  const onAssociations = ((statement.resources ?? []) as string[]).some((r) => /:association\//.test(r));
  if (action === 'ssm:UpdateAssociation' && onAssociations && !tagged)
    return 'UpdateAssociation of any association of the account (no aws:ResourceTag condition)';
  return undefined;
}

/** Every escalation the Allow statements of `roles` grant; `pinned`: documents an association may run (pinnedDocuments). */
export function findEscalations(roles: Map<string, Json[]>, passable: ReadonlySet<string>, pinned: ReadonlySet<string> = new Set()): EscalationFinding[] {
  const findings: EscalationFinding[] = [];
  for (const [role, statements] of roles) {
    for (const statement of statements) {
      if (statement.effect !== 'Allow') continue;
      const sid = String(statement.sid ?? '(no sid)');
      if (statement.not_actions || statement.not_resources) {
        findings.push({ role, sid, action: 'NotAction/NotResource', method: 'an Allow by exclusion grants every action not listed' });
        continue;
      }
      const actions = (statement.actions ?? []) as string[];
      for (const { action, method } of ESCALATION_ACTIONS) {
        if (!actions.some((pattern) => actionMatches(pattern, action))) continue;
        if (!ASSOCIATION_ACTIONS.has(action)) findings.push({ role, sid, action, method });
        else {
          const why = associationProblem(statement, action, pinned);
          if (why) findings.push({ role, sid, action, method: `${method}: ${why}` });
        }
      }
      if (actions.some((pattern) => actionMatches(pattern, 'iam:PassRole'))) {
        const why = passRoleProblem(statement, passable);
        if (why) findings.push({ role, sid, action: 'iam:PassRole', method: why });
      }
    }
  }
  return findings;
}

/** Why a PassRole grant is an escalation path, or undefined when it is safe. */
function passRoleProblem(statement: Json, passable: ReadonlySet<string>): string | undefined {
  const resources = (statement.resources ?? []) as string[];
  for (const resource of resources) {
    const name = /:role\/(?:.*\/)?([^/]+)$/.exec(resource)?.[1];
    if (!name || /[*?]/.test(name)) return `PassRole on ${resource}: not one exact role (pass a privileged role to a service you run)`;
    if (!passable.has(name)) return `PassRole on role ${name}, which holds permissions`;
  }
  const services = ((statement.condition ?? []) as Json[]).find((c) => c.variable === 'iam:PassedToService' && c.test === 'StringEquals');
  if (!services || (services.values as string[]).some((v) => /[*?]/.test(v))) return 'PassRole to any service (no iam:PassedToService StringEquals)';
  return undefined;
}
