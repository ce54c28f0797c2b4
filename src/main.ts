import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { stopOnSignals } from './common/shutdown';
import { InstanceConfigError, loadInstanceConfig } from './config/instance-config.loader';

/** `CV3_BIND` as in CafeVariome3.sh (`host:port`), default 127.0.0.1:5000. */
function bindAddress(): { host: string; port: number } {
  const bind = process.env.CV3_BIND ?? '127.0.0.1:5000';
  const at = bind.lastIndexOf(':');
  const port = Number(bind.slice(at + 1));
  if (at < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`CV3_BIND must be host:port, got "${bind}"`);
  }
  return { host: bind.slice(0, at).replace(/^\[|\]$/g, ''), port };
}

async function bootstrap(): Promise<void> {
  try {
    loadInstanceConfig();
  } catch (err) {
    if (err instanceof InstanceConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const { host, port } = bindAddress();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true });
  app.disable('x-powered-by');
  configureApp(app);
  await app.listen(port, host);
  stopOnSignals(app, app.getHttpServer());
}

void bootstrap();
