/**
 * The SSM Command document a stage's associations run (docs/ssm-executor.md,
 * "Security"): account-owned, one per stage, created by the bootstrap stack
 * (administrators only), with the stage's bucket and name baked in. It
 * replaces the AWS-owned AWS-ApplyAnsiblePlaybooks, which fetches a playbook
 * from any S3 URL or GitHub repository its caller names: with this document a
 * deploy role chooses only which bundle of its own stage's bucket runs, on
 * which batch, in which mode, and each of those is a strict pattern.
 *
 * Plain data and strings; constructs/ssm-executor/ssm-apply-document.ts maps
 * it to an `aws_ssm_document`. Sources:
 * - schema 2.2, `mainSteps`, `parameters` and `allowedPattern` ("validated with
 *   the Java regex library at the API, then with Go's regexp by SSM Agent before
 *   it processes the document"): awsdocs/aws-systems-manager-user-guide
 *   doc_source/documents-syntax-data-elements-parameters.md, and
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html;
 * - `aws:downloadContent` (sourceType S3, sourceInfo `{"path": <https URL>}`,
 *   destinationPath: an absolute path is used as is; a path ending in `/` is a
 *   directory and the object keeps its base name) and `aws:runShellScript`
 *   (runCommand, timeoutSeconds), and the shared step input `onFailure: exit`
 *   (SSM Agent 3.0.502 and later): doc_source/documents-command-ssm-plugin-reference.md,
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-command-ssm-plugin-reference.html;
 *   the agent's code: aws/amazon-ssm-agent agent/plugins/downloadcontent/downloadcontent.go
 *   (absolute destinationPath) and s3resource/s3resource.go (lists the key's
 *   prefix, then downloads the object to `<dir>/<base name>`);
 * - what AWS-ApplyAnsiblePlaybooks does (unpack the bundle, then
 *   `ansible-playbook -i "localhost," -c local -e "<ExtraVariables>" <Verbose> <PlaybookFile>`;
 *   InstallDependencies=True checks for and installs Python 3, Ansible and
 *   unzip):
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-state-manager-ansible.html
 *   (doc_source/systems-manager-state-manager-ansible.md, "Installed dependencies").
 *   Its install branch, in the version of its content reviewed (a Terraform
 *   copy in the public code index), handles Amazon Linux, RHEL and Ubuntu
 *   (`grep -qi ubuntu /etc/issue`) only: Debian gets "Unsupported operating
 *   system", and python3-boto3 is never installed (docs/ssm-executor.md).
 *
 * Dependencies, decided: the document installs what the playbook needs only
 * when it is missing, from the distribution, never from PyPI: on hosts with
 * apt-get, Debian's `ansible` (Debian 12: 7.7.0 with ansible-core 2.14 and the
 * amazon.aws 5.5.1 collection that ansible/requirements.yml pins) and
 * `python3-boto3` (the API key lookup). Hosts without apt-get must have them
 * in their image: the run fails saying so (RHEL and Amazon Linux are not
 * tested here). No unzip: Python's zipfile unpacks the bundle.
 */
import { PRODUCT } from '../../model/names';
import { BUNDLE_PREFIX } from './bundle';

/** The playbook State Manager runs on each host, relative to the bundle root (the ansible/ tree). */
export const SSM_PLAYBOOK = 'playbooks/ssm-apply.yml';

/** Names of the document's parameters (the only values an association chooses). */
export const SSM_DOCUMENT_PARAMETERS = { bundleKey: 'BundleKey', batch: 'Batch', mode: 'Mode' } as const;

/** BundleKey: a content-addressed bundle of the stage's bucket, `bundles/<64 hex>.zip`, nothing else. */
export const BUNDLE_KEY_PATTERN = `^${BUNDLE_PREFIX}[0-9a-f]{64}\\.zip$`;
/** Batch: 1 to 5 (model/stage-schema.ts allows at most 5 batches). */
export const BATCH_PATTERN = '^[1-5]$';
/** Mode: apply (released batch) or rollback (held batch). */
export const MODE_PATTERN = '^(apply|rollback)$';

/** Where SSM Agent downloads a stage's bundles on a host (root-owned; one directory per stage; absolute, ending in `/`: a directory). */
export function hostBundleDir(stage: string): string {
  return `/var/lib/${PRODUCT}/ssm/${stage}/`;
}

/** Name of a stage's document: deterministic, so the infra stack and the deploy role's policy name it without a lookup. */
export function ssmDocumentName(stage: string): string {
  return `${PRODUCT}-${stage}-apply`;
}

/** The `-e` value of a run: the stage is fixed, batch and mode come from the association (or `{{ Batch }}` / `{{ Mode }}` in the document). */
export function ssmExtraVariables(stage: string, batch: number | string, mode: string): string {
  return `SSM=True rollout_stage=${stage} rollout_batch=${batch} rollout_ssm_mode=${mode}`;
}

/** ansible-playbook's arguments, run in the unpacked bundle: the command line AWS-ApplyAnsiblePlaybooks runs, with Verbose `-v`. */
export function ssmPlaybookArgs(extraVariables: string): string[] {
  return ['-i', 'localhost,', '-c', 'local', '-e', extraVariables, '-v', SSM_PLAYBOOK];
}

/** One word for bash: bare when it is only safe characters, else double-quoted (the values here hold no `"`, `$`, `` ` `` or `\`). */
function shellWord(word: string): string {
  if (/^[A-Za-z0-9_./=-]+$/.test(word)) return word;
  if (/["$`\\]/.test(word)) throw new Error(`shellWord: got ${JSON.stringify(word)}, expected no " $ \` or \\`);
  return `"${word}"`;
}

/** The command line as the document's script writes it (`ansible-playbook -i "localhost," -c local -e "..." -v playbooks/ssm-apply.yml`). */
export function ssmCommandLine(extraVariables: string): string {
  return ['ansible-playbook', ...ssmPlaybookArgs(extraVariables)].map(shellWord).join(' ');
}

/** A parameter of the document (schema 2.2). */
export interface SsmDocumentParameter {
  readonly type: 'String';
  readonly description: string;
  readonly allowedPattern: string;
}

/** A step of the document (schema 2.2 `mainSteps`). */
export interface SsmDocumentStep {
  readonly action: 'aws:runShellScript' | 'aws:downloadContent';
  readonly name: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** The document's content (JSON), as created in the account. */
export interface SsmDocumentContent {
  readonly schemaVersion: '2.2';
  readonly description: string;
  readonly parameters: Readonly<Record<string, SsmDocumentParameter>>;
  readonly mainSteps: readonly SsmDocumentStep[];
}

/** What a stage's document is built from. */
export interface SsmDocumentInput {
  /** Stage name (baked into the run's variables and the download directory). */
  readonly stage: string;
  /** The stage's bucket name (may be a Terraform reference). */
  readonly bucket: string;
  /** The bucket's regional domain, `<bucket>.s3.<region>.amazonaws.com` (may be a Terraform reference). */
  readonly bucketRegionalDomain: string;
  /** Seconds the playbook step may run before SSM Agent stops it. */
  readonly timeoutSeconds: number;
}

/** `{{ Name }}`: a parameter reference inside the document. */
const ref = (name: string): string => `{{ ${name} }}`;

/**
 * Both shell steps start here: the parameters again, against the values SSM
 * Agent substituted, with the same patterns (defence in depth: a value the
 * patterns were meant to refuse stops the run; the patterns themselves are
 * what keep a quote out of the script). No `${` anywhere in the document: its
 * content goes through Terraform, where `${` is an interpolation.
 */
function checkScript(stage: string): string[] {
  const { bundleKey, batch, mode } = SSM_DOCUMENT_PARAMETERS;
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    `key='${ref(bundleKey)}'; batch='${ref(batch)}'; mode='${ref(mode)}'`,
    // bash's =~ is POSIX ERE: the same patterns as the parameters' allowedPattern.
    `[[ "$key" =~ ${BUNDLE_KEY_PATTERN} ]] || { echo "${stage}: BundleKey $key is not ${BUNDLE_PREFIX}<sha256>.zip" >&2; exit 2; }`,
    `[[ "$batch" =~ ${BATCH_PATTERN} ]] || { echo "${stage}: Batch $batch is not 1-5" >&2; exit 2; }`,
    `[[ "$mode" =~ ${MODE_PATTERN} ]] || { echo "${stage}: Mode $mode is not apply or rollback" >&2; exit 2; }`,
  ];
}

/** The run step: the download must be the bytes its key names (the key is the content's SHA-256), then install what is missing, unpack into a fresh directory and run the playbook with the stage fixed. */
function runScript(stage: string, bucket: string): string[] {
  const dir = hostBundleDir(stage);
  return [
    ...checkScript(stage),
    `zip="${dir}$(basename "$key")"`,
    `[ -f "$zip" ] || { echo "${stage}: $zip was not downloaded from s3://${bucket}/$key" >&2; exit 3; }`,
    `sum="$(sha256sum "$zip" | cut -d' ' -f1)"`,
    `[ "${BUNDLE_PREFIX}$sum.zip" = "$key" ] || { echo "${stage}: $zip has SHA-256 $sum, not the one its key names" >&2; exit 3; }`,
    // Earlier bundles are never run again from disk (every run downloads its own key), so only this one is kept.
    `find ${dir} -maxdepth 1 -type f -name '*.zip' ! -name "$(basename "$key")" -delete`,
    'if ! command -v ansible-playbook >/dev/null || ! python3 -c "import boto3" 2>/dev/null; then',
    '  if command -v apt-get >/dev/null; then',
    '    export DEBIAN_FRONTEND=noninteractive',
    '    apt-get update -qq && apt-get install -y -qq --no-install-recommends ansible python3-boto3',
    '  else',
    `    echo "${stage}: ansible (with the amazon.aws collection) and python3-boto3 are missing and there is no apt-get: put them in the image" >&2; exit 4`,
    '  fi',
    'fi',
    'work="$(mktemp -d)"; trap \'rm -rf "$work"\' EXIT',
    'python3 -m zipfile -e "$zip" "$work/bundle"',
    'cd "$work/bundle"',
    ssmCommandLine(ssmExtraVariables(stage, ref(SSM_DOCUMENT_PARAMETERS.batch), ref(SSM_DOCUMENT_PARAMETERS.mode))),
  ];
}

/** The stage's document: validate, download exactly `s3://<bucket>/<BundleKey>`, run. */
export function ssmApplyDocument(input: SsmDocumentInput): SsmDocumentContent {
  const { stage, bucket, bucketRegionalDomain, timeoutSeconds } = input;
  const { bundleKey, batch, mode } = SSM_DOCUMENT_PARAMETERS;
  return {
    schemaVersion: '2.2',
    description: `${PRODUCT}: run the ${stage} stage's playbook bundle from s3://${bucket}/${BUNDLE_PREFIX} on this host (docs/ssm-executor.md)`,
    parameters: {
      [bundleKey]: {
        type: 'String',
        description: `Key of the bundle in s3://${bucket}: ${BUNDLE_PREFIX}<sha256 of its bytes>.zip`,
        allowedPattern: BUNDLE_KEY_PATTERN,
      },
      [batch]: { type: 'String', description: 'Batch number of the hosts this association targets (1-5)', allowedPattern: BATCH_PATTERN },
      [mode]: { type: 'String', description: 'apply (released batch) or rollback (held batch)', allowedPattern: MODE_PATTERN },
    },
    mainSteps: [
      {
        action: 'aws:runShellScript',
        name: 'checkParameters',
        inputs: { runCommand: [...checkScript(stage), `install -d -m 0700 ${hostBundleDir(stage)}`], timeoutSeconds: '60', onFailure: 'exit' },
      },
      {
        action: 'aws:downloadContent',
        name: 'downloadBundle',
        // The bucket is fixed here; only the key, already held to BUNDLE_KEY_PATTERN, comes from the association.
        inputs: {
          sourceType: 'S3',
          sourceInfo: JSON.stringify({ path: `https://${bucketRegionalDomain}/${ref(bundleKey)}` }),
          destinationPath: hostBundleDir(stage),
          onFailure: 'exit',
        },
      },
      {
        action: 'aws:runShellScript',
        name: 'runPlaybook',
        inputs: { runCommand: runScript(stage, bucket), timeoutSeconds: String(timeoutSeconds) },
      },
    ],
  };
}
