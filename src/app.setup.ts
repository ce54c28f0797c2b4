import type { INestApplication } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Logger } from 'nestjs-pino';
import { httpConfig } from '@/config/configs';
import { setupOpenApi } from '@/common/openapi/openapi';

/** Everything main.ts applies to the HTTP app, shared with the e2e tests so they test the same app. */
export function configureApp(app: INestApplication): INestApplication {
  app.useLogger(app.get(Logger));
  const http = app.get<ConfigType<typeof httpConfig>>(httpConfig.KEY);
  app.enableCors({
    origin: http.cors.origins.includes('*') ? true : http.cors.origins,
    methods: http.cors.methods,
    allowedHeaders: http.cors.headers,
    exposedHeaders: ['x-request-id'],
    maxAge: 600,
  });
  if (http.openApiEnabled) {
    setupOpenApi(app);
  }
  return app;
}
