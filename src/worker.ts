import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { stopOnSignals } from './common/shutdown';
import { InstanceConfigError, loadInstanceConfig } from './config/instance-config.loader';

/** Runs the job processors only (no HTTP), so a cluster can scale workers apart from the API. */
async function bootstrap(): Promise<void> {
  // Set before the modules load: processors read it when their decorators run.
  process.env.CV3_PROCESSORS = 'on';
  try {
    loadInstanceConfig();
  } catch (err) {
    if (err instanceof InstanceConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const { AppModule } = await import('./app.module');
  const app = await NestFactory.createApplicationContext(AppModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  stopOnSignals(app);
}

void bootstrap();
