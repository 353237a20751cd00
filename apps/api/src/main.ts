import type { Logger } from 'pino';
import { consoleDirectory } from './console/console-static';
import { createApp } from './create-app';
import { AppConfig, loadConfig } from './platform/config/app-config';
import { InvalidConfigError } from './platform/config/invalid-config.error';
import { ROOT_LOGGER } from './platform/observability/logger.token';
import { ServerDescription } from './platform/observability/server-description';
import { DOCS_PATH } from './platform/openapi/openapi';

/** Past this, a shutdown still waiting on in-flight work is cut short. */
const SHUTDOWN_DEADLINE_MS = 15_000;

function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    // The message lists every problem; a stack trace would only hide it.
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApp(config);
  const logger = app.get<Logger>(ROOT_LOGGER);

  // A crash is logged as JSON like everything else, then the process ends:
  // its state is unknown, and the orchestrator restarts it.
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception; exiting');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection; exiting');
    process.exit(1);
  });

  // On SIGTERM/SIGINT Nest stops accepting connections, lets in-flight
  // requests finish, then runs the modules' onApplicationShutdown hooks
  // (stores close there). The deadline bounds a shutdown that hangs.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      setTimeout(() => {
        logger.error(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
    });
  }

  await app.listen(config.port, config.host);
  const url = await app.getUrl();
  const docs = `${url}${DOCS_PATH}`;
  const store = app.get(ServerDescription).store;
  const consoleUrl = consoleDirectory() ? `${url}/` : 'not built (npm run build)';
  logger.info({ url, console: consoleUrl, docs, store }, `Complaints API listening on ${url} (console: ${consoleUrl}, docs: ${docs}, store: ${store})`);
}

main().catch((error: unknown) => {
  // a configuration refused once the stores are open (POLICY_FILE against the log): its problems, without a stack
  if (error instanceof InvalidConfigError) {
    process.stderr.write(`Complaints API failed to start: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`Complaints API failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
