import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { USER_ACCESS_TOKEN } from './openapi.decorators';

/** CV3's scheme for the Cafe Variome Assistant: `Authorization: Bearer <shared secret from Vault>`. */
export const SHARED_SECRET = 'sharedSecret';

export const OPENAPI_UI_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/openapi.json';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Cafe Variome V3 backend')
    .setDescription(
      'Federated discovery of rare-disease patient data. Admin routes are under /api, query routes under /query, ' +
        'health under /health. Errors share one shape: {statusCode, code, message, requestId, details?}.',
    )
    .setVersion('3')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, USER_ACCESS_TOKEN)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque',
        description: 'Shared secret held in Vault KV `shared-secret` (CVA), sent with an X-Timestamp header',
      },
      SHARED_SECRET,
    )
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller: string, method: string) => method,
  });
}

/** Serves the document as JSON and Swagger UI beside it. */
export function setupOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(OPENAPI_UI_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    yamlDocumentUrl: 'api/openapi.yaml',
  });
}
