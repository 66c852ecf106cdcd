import 'reflect-metadata';
import { type AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { resolveStores, StoreStartError } from './bootstrap/resolve-stores.js';
import { startupSummary } from './common/logging/startup-summary.js';
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
    const since = Date.now();
    process.stderr.write(`smart-limits: ${signal} received, shutting down\n`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.close();
    } finally {
      await stores.cleanup();
      process.stderr.write(`smart-limits: shutdown complete in ${Date.now() - since} ms\n`);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ port: stores.config.port, host: stores.config.host });
  const port = (app.getHttpServer().address() as AddressInfo | null)?.port ?? stores.config.port;
  const listen = `http://${stores.config.host === '0.0.0.0' ? '127.0.0.1' : stores.config.host}:${port}`;
  const summary = startupSummary(stores.config, listen);
  new Logger('Bootstrap').log(summary.fields, summary.message);
  process.stderr.write(`smart-limits: listening on ${listen} (docs at /docs, dashboard at /dashboard)\n`);
}

void main();
