import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument } from './openapi';

export const OPENAPI_FILE = resolve(__dirname, '../../../docs/openapi.json');

/**
 * Builds the OpenAPI document from the code alone: the app is created in preview mode (no provider is
 * instantiated, so no service is contacted), with the example config for the config-dependent parts.
 */
export async function generateOpenApi(): Promise<OpenAPIObject> {
  process.env.INSTANCE_CONFIG_PATH = resolve(__dirname, '../../../instance_config.json.example');
  const { AppModule } = await import('@/app.module');
  const app = await NestFactory.create(AppModule, { preview: true, logger: false, abortOnError: false });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

export function serialise(doc: OpenAPIObject): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

if (require.main === module) {
  generateOpenApi()
    .then((doc) => {
      writeFileSync(OPENAPI_FILE, serialise(doc));
      process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    });
}
