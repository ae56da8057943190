import { SsmDocument } from '@cdktf/provider-aws/lib/ssm-document';
import { Construct } from 'constructs';
import { STAGE_NAME } from '../../model/patterns';
import { ssmApplyDocument, ssmDocumentName } from '../../plan/ssm/ssm-document';
import { HOST_TIMEOUT_SECONDS } from '../../plan/ssm/ssm-plan';
import { PropsProblems } from '../core/props-validation';

/** Props of a stage's SSM Command document. */
export interface SsmApplyDocumentProps {
  /** Stage name (document name, the run's variables). */
  readonly stage: string;
  /** The stage's SSM bucket name (a name or a Terraform reference). */
  readonly bucketName: string;
  /** The bucket's regional domain name (a Terraform reference to `bucket_regional_domain_name`). */
  readonly bucketRegionalDomainName: string;
  /** Seconds the playbook step may run on a host.
   * @default 600 (HOST_TIMEOUT_SECONDS) */
  readonly timeoutSeconds?: number;
}

/**
 * The stage's account-owned SSM Command document (plan/ssm/ssm-document.ts
 * builds its content), created by the bootstrap stack so that no CI role can
 * change what it runs. `aws_ssm_document` (hashicorp/aws 5.100.0): name,
 * document_type `Command`, document_format `JSON`, content, target_type;
 * schema 2.0 and later documents are updated in place (a new default version):
 * hashicorp/terraform-provider-aws website/docs/r/ssm_document.html.markdown,
 * https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/ssm_document.
 */
export class SsmApplyDocument extends Construct {
  public readonly document: SsmDocument;

  constructor(scope: Construct, id: string, props: SsmApplyDocumentProps) {
    super(scope, id);
    const p = new PropsProblems(`SsmApplyDocument ${id}`);
    p.checkFormat(STAGE_NAME, 'stage', props.stage);
    const t = props.timeoutSeconds;
    p.check(t === undefined || (Number.isInteger(t) && t >= 60 && t <= 172800), 'timeoutSeconds', t, 'a whole number of seconds from 60 to 172800');
    p.throwIfAny();
    const content = ssmApplyDocument({
      stage: props.stage,
      bucket: props.bucketName,
      bucketRegionalDomain: props.bucketRegionalDomainName,
      timeoutSeconds: t ?? HOST_TIMEOUT_SECONDS,
    });
    this.document = new SsmDocument(this, 'document', {
      name: ssmDocumentName(props.stage),
      documentType: 'Command',
      documentFormat: 'JSON',
      targetType: '/AWS::EC2::Instance',
      content: JSON.stringify(content, null, 2),
      // The stage owns it (the bootstrap stack's default tag says `shared`).
      tags: { stage: props.stage },
    });
  }
}
