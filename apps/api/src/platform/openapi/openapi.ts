import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';

export const DOCS_PATH = '/docs';
export const DOCS_JSON_PATH = '/docs-json';
export const BEARER_SCHEME = 'bearer';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Complaints and work orders API')
    .setDescription(
      'Complaint desks, the 10086 call center, handling departments and analysts. ' +
        'Every /api route needs `Authorization: Bearer <token>`; errors are application/problem+json (RFC 9457).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    // Document-wide, mirroring the guard: every route needs a token unless it
    // is @Public(), which clears the requirement on its operation.
    .addSecurityRequirements(BEARER_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Serves the document at /docs-json, and the Swagger UI at /docs when
 * `@fastify/static` (which serves its assets under Fastify) is installed.
 * Without it, /docs says where the document is instead of failing the boot.
 */
export function setupOpenApi(app: INestApplication, logger: Logger): void {
  const document = buildOpenApiDocument(app);
  const ui = isInstalled('@fastify/static');
  SwaggerModule.setup(DOCS_PATH, app, document, {
    ui,
    raw: ['json'],
    jsonDocumentUrl: DOCS_JSON_PATH,
    swaggerOptions: { persistAuthorization: true },
  });
  if (!ui) {
    logger.warn(`Swagger UI disabled: it needs the package @fastify/static (^10.1.2); the OpenAPI document is served at ${DOCS_JSON_PATH}`);
    app.getHttpAdapter().get(DOCS_PATH, (_request: unknown, reply: FastifyReply) => reply.type('text/html; charset=utf-8').send(DOCS_FALLBACK_PAGE));
  }
}

const DOCS_FALLBACK_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Complaints and work orders API</title></head>
<body><h1>Complaints and work orders API</h1>
<p>The interactive documentation is not installed on this server. The OpenAPI document is at <a href="${DOCS_JSON_PATH}">${DOCS_JSON_PATH}</a>.</p>
</body></html>
`;

function isInstalled(packageName: string): boolean {
  try {
    require.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}
