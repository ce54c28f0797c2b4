import type { Server } from 'node:http';
import { type INestApplicationContext, Logger } from '@nestjs/common';

/** How long the listener stays open after the signal, for connections already on their way (load balancers
 *  keep sending for a moment after they are told a backend is going). */
function drainMs(): number {
  const ms = Number(process.env.CV3_SHUTDOWN_DRAIN_MS ?? 500);
  return Number.isFinite(ms) && ms >= 0 ? ms : 500;
}

/**
 * Graceful stop on SIGTERM/SIGINT, exit 0. With an HTTP server: stop accepting connections and let in-flight
 * requests finish first, then tear the modules down (Nest's own shutdown hooks do it the other way round,
 * answering in-flight requests with errors, and re-raise the signal, so the exit code would be 143).
 * Closing the modules stops the BullMQ workers, which finish their current job before they go.
 */
export function stopOnSignals(app: INestApplicationContext, server?: Server): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  const closeApp = () =>
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.log(`${signal}: shutting down`);
    if (!server) {
      void closeApp();
      return;
    }
    // Connections accepted but whose request is not parsed yet count as idle, and close() would reset them:
    // keep listening for a short drain first. Keep-alive sockets then close as they turn idle.
    setTimeout(() => {
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      server.close(() => {
        clearInterval(idle);
        void closeApp();
      });
    }, drainMs());
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
