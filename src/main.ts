import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { resolveStores, StoreStartError } from './bootstrap/resolve-stores.js';
import { ConfigError, loadConfigFromProcess } from './config/app-config.js';

function fail(message: string): never {
  process.stderr.write(`smart-limits: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfigFromProcess();
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  const stores = await resolveStores(config, (m) => process.stderr.write(m + '\n')).catch((e: Error) =>
    fail(e instanceof StoreStartError ? e.message : `could not prepare the stores: ${e.message}`),
  );
  for (const note of stores.notes) process.stderr.write(`smart-limits: ${note}\n`);
  let app;
  try {
    app = await createApp(stores.config);
  } catch (e) {
    await stores.cleanup();
    fail(`startup failed: ${(e as Error).message}`);
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`smart-limits: ${signal} received, shutting down\n`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.close();
    } finally {
      await stores.cleanup();
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ port: stores.config.port, host: stores.config.host });
  process.stderr.write(
    `smart-limits: listening on http://${stores.config.host === '0.0.0.0' ? '127.0.0.1' : stores.config.host}:${stores.config.port} (docs at /docs, dashboard at /dashboard)\n`,
  );
}

void main();
