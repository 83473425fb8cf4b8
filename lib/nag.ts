import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Name cdk-nag's AWS Solutions pack reports under; CDK matches acknowledgements as `<plugin>::<rule id>`. */
const NAG_PLUGIN = 'AwsSolutions';

/**
 * Acknowledges one cdk-nag AWS Solutions finding on `scope` and everything below it.
 *
 * Uses the plugin-qualified id (`AwsSolutions::AwsSolutions-IAM5[Resource::*]`), so CDK keeps the
 * finding in `validation-report.json` under `suppressedViolations`, with this reason and where it
 * was acknowledged: an audit trail, where the bare id would make cdk-nag drop the finding silently.
 *
 * @param ruleId the rule id as cdk-nag reports it, with the finding for granular rules,
 *   e.g. `AwsSolutions-SQS3` or `AwsSolutions-IAM5[Resource::*]`
 * @param reason why the finding is acceptable here, specific enough for a reviewer to disagree with
 */
export function acknowledgeNagFinding(scope: IConstruct, ruleId: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${NAG_PLUGIN}::${ruleId}`, reason });
}
