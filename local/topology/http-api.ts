/** The HTTP API's JWT authorizers and routes, each route with the function its integration calls. */
import type { CfnTemplate } from '../dynamodb/tables.ts';
import type { Json, JwtAuthorizerTopology, RouteTopology } from '../topology.ts';
import { Names, resourcesOf } from './names.ts';

export function readJwtAuthorizers(template: CfnTemplate, names: Names): JwtAuthorizerTopology[] {
  return resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer').flatMap(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    if (props.AuthorizerType !== 'JWT') return [];
    return [
      {
        logicalId,
        issuer: String(names.resolve(props.JwtConfiguration?.Issuer)),
        audience: (names.resolve(props.JwtConfiguration?.Audience ?? []) as unknown[]).map(String),
        identitySource: (props.IdentitySource ?? ['$request.header.Authorization']).map(String),
      },
    ];
  });
}

function integrationFunction(template: CfnTemplate, target: Json): string | undefined {
  const join = target?.['Fn::Join']?.[1] as Json[] | undefined;
  const integrationId = join ? join.map((part) => Names.target(part)).find(Boolean) : undefined;
  const integration = integrationId ? template.Resources[integrationId] : undefined;
  return Names.target(integration?.Properties?.IntegrationUri);
}

export function readRoutes(template: CfnTemplate, jwtAuthorizers: JwtAuthorizerTopology[]): RouteTopology[] {
  return resourcesOf(template, 'AWS::ApiGatewayV2::Route').flatMap(([, resource]): RouteTopology[] => {
    const props = resource.Properties ?? {};
    const routeKey = String(props.RouteKey);
    const functionLogicalId = integrationFunction(template, props.Target);
    if (!functionLogicalId) return [];
    const type = props.AuthorizationType ?? 'NONE';
    if (type === 'NONE') return [{ routeKey, functionLogicalId }];
    const authorizer = jwtAuthorizers.find((candidate) => candidate.logicalId === Names.target(props.AuthorizerId));
    // Serving a route whose authorization is not enforced here would open it: refuse instead.
    if (type !== 'JWT' || !authorizer) throw new Error(`Route ${routeKey}: ${type} authorization is not run locally`);
    const { logicalId: authorizerLogicalId, ...config } = authorizer;
    return [{ routeKey, functionLogicalId, authorization: { authorizerLogicalId, ...config, scopes: (props.AuthorizationScopes ?? []).map(String) } }];
  });
}
