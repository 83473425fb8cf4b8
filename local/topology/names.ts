/** Resources of a synthesized template, their local physical names and ARNs, and the intrinsics that reference them. */
import type { CfnTemplate } from '../dynamodb/tables.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, type Json } from '../topology.ts';

export function resourcesOf(template: CfnTemplate, type: string): Array<[string, Json]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** Physical names and ARNs of local resources, and a resolver for the intrinsics that reference them. */
export class Names {
  private readonly template: CfnTemplate;
  private readonly stackName: string;

  constructor(template: CfnTemplate, stackName: string) {
    this.template = template;
    this.stackName = stackName;
  }

  physicalName(logicalId: string): string {
    const resource = this.template.Resources[logicalId];
    const props = resource?.Properties ?? {};
    const explicit = props.TableName ?? props.Name ?? props.QueueName ?? props.StateMachineName ?? props.FunctionName;
    return typeof explicit === 'string' ? explicit : `${this.stackName}-${logicalId}`;
  }

  arn(logicalId: string): string {
    const type = this.template.Resources[logicalId]?.Type;
    const name = this.physicalName(logicalId);
    switch (type) {
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}`;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${name}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT}:key/${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`;
      default:
        return `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${logicalId}`;
    }
  }

  /** Ref and GetAtt follow CloudFormation's return values for the resource types we run. */
  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    if ('Ref' in value) {
      const id = value.Ref as string;
      if (id === 'AWS::Region') return LOCAL_REGION;
      if (id === 'AWS::AccountId') return LOCAL_ACCOUNT;
      if (id === 'AWS::Partition') return 'aws';
      if (id === 'AWS::StackName') return this.stackName;
      if (id === 'AWS::URLSuffix') return 'amazonaws.com';
      const type = this.template.Resources[id]?.Type;
      if (type === 'AWS::SQS::Queue') return `https://sqs.${LOCAL_REGION}.amazonaws.com/${LOCAL_ACCOUNT}/${this.physicalName(id)}`;
      return type === 'AWS::StepFunctions::StateMachine' ? this.arn(id) : this.physicalName(id);
    }
    if ('Fn::GetAtt' in value) {
      const [id, attribute] = value['Fn::GetAtt'] as [string, string];
      if (attribute === 'StreamArn') return `${this.arn(id)}/stream/local`;
      if (attribute === 'Name' || attribute === 'QueueName') return this.physicalName(id);
      return this.arn(id);
    }
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'] as [string, Json[]];
      return parts.map((part) => this.resolve(part)).join(separator);
    }
    if ('Fn::Sub' in value) {
      const [text, variables = {}] = (Array.isArray(value['Fn::Sub']) ? value['Fn::Sub'] : [value['Fn::Sub']]) as [string, Json];
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in variables) return String(this.resolve(variables[name]));
        const [id, attribute] = name.split('.');
        return String(this.resolve(attribute ? { 'Fn::GetAtt': [id, attribute] } : { Ref: id }));
      });
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item)]));
  }

  /** The logical id an intrinsic points at, if it is a Ref or GetAtt. */
  static target(value: Json): string | undefined {
    if (value && typeof value === 'object') {
      if (typeof value.Ref === 'string') return value.Ref;
      if (Array.isArray(value['Fn::GetAtt'])) return value['Fn::GetAtt'][0];
    }
    return undefined;
  }
}
