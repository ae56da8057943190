/**
 * Terraform's refactoring blocks as plain JSON: `moved` (a renamed
 * definition keeps its Datadog object) and `import` (an existing object is
 * adopted on the first apply instead of created twice).
 *
 * - moved: https://developer.hashicorp.com/terraform/language/modules/develop/refactoring
 *   (`moved { from = ADDR  to = ADDR }`; chains of moves are followed, so a
 *   definition renamed twice lists both previous ids).
 * - import: https://developer.hashicorp.com/terraform/language/import (Terraform >= 1.5;
 *   `import { to = ADDR  id = "..." }`; once applied the block is a no-op and may stay or go).
 *
 * cdktf 0.21 has `moveFromId` (one move per resource, no chains) and
 * `importFrom` (which adds a validation that runs `terraform version` at synth
 * time); these elements emit the same top-level JSON blocks
 * (node_modules/cdktf/lib/terraform-resource.js `toTerraform`) without either limit.
 */
import { TerraformElement, TerraformResource, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

/** One `moved` block. */
class MovedBlock extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly from: string,
    private readonly to: string,
  ) {
    super(scope, id, 'moved');
  }

  public override toTerraform(): Record<string, unknown> {
    return { moved: [{ from: this.from, to: this.to }] };
  }

  public override toHclTerraform(): Record<string, unknown> {
    const ref = (value: string): Record<string, unknown> => ({ value, isBlock: false, type: 'simple', storageClassType: 'reference' });
    return { moved: [{ from: ref(this.from), to: ref(this.to) }] };
  }
}

/** One `import` block. */
class ImportBlock extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly to: string,
    private readonly importId: string,
  ) {
    super(scope, id, 'import');
  }

  public override toTerraform(): Record<string, unknown> {
    return { import: [{ id: this.importId, to: this.to }] };
  }

  public override toHclTerraform(): Record<string, unknown> {
    return {
      import: [
        {
          id: { value: this.importId, type: 'simple', storageClassType: 'string' },
          to: { value: this.to, type: 'simple', storageClassType: 'reference' },
        },
      ],
    };
  }
}

/**
 * The Terraform address `resource` had when its construct id was
 * `previousKey` (same scope): the stack allocates it from a placeholder
 * construct at that path, so the hashing scheme is cdktf's own.
 */
function previousAddress(resource: TerraformResource, previousKey: string): string {
  const scope = resource.node.scope as Construct;
  const placeholder = new Construct(scope, previousKey);
  return `${resource.terraformResourceType}.${TerraformStack.of(resource).getLogicalId(placeholder.node)}`;
}

/**
 * `moved` blocks from each previous construct id (oldest first) to the next,
 * the last to `resource`; and an `import` block when `importId` is set.
 */
export function addLineage(resource: TerraformResource, lineage: { readonly previousKeys?: readonly string[]; readonly importId?: string }): void {
  const here = `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
  const chain = [...(lineage.previousKeys ?? []).map((k) => previousAddress(resource, k)), here];
  for (let i = 0; i + 1 < chain.length; i++) new MovedBlock(resource, `moved-${i}`, chain[i], chain[i + 1]);
  if (lineage.importId !== undefined) new ImportBlock(resource, 'import', here, lineage.importId);
}
