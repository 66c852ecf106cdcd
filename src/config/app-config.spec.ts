import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies the defaults of SPEC "Operating it"', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('0.0.0.0');
    expect(c.guardFailMode).toBe('closed');
    expect(c.webhookAllowPrivateNetworks).toBe(false);
    expect(c.redis.url).toBeUndefined();
    expect(c.database.url).toBeUndefined();
    expect(c.adminApiKey).toBeUndefined();
  });

  it('parses cluster nodes and booleans', () => {
    const c = loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', GUARD_FAIL_MODE: 'open' });
    expect(c.redis.clusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
    expect(c.webhookAllowPrivateNetworks).toBe(true);
    expect(c.guardFailMode).toBe('open');
  });

  it('names every bad setting', () => {
    let err: unknown;
    try {
      loadConfig({
        PORT: 'abc',
        GUARD_FAIL_MODE: 'sometimes',
        REDIS_URL: 'http://x',
        DATABASE_URL: 'mysql://x/y',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'maybe',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const name of ['PORT', 'GUARD_FAIL_MODE', 'REDIS_URL', 'DATABASE_URL', 'WEBHOOK_ALLOW_PRIVATE_NETWORKS']) {
      expect(msg).toContain(name);
    }
  });

  it('requires the stores and the admin key in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/REDIS_URL[\s\S]*DATABASE_URL[\s\S]*ADMIN_API_KEY/);
    const c = loadConfig({
      NODE_ENV: 'production',
      REDIS_URL: 'redis://r:6379',
      DATABASE_URL: 'postgres://u@h/db',
      ADMIN_API_KEY: 'x'.repeat(32),
    });
    expect(c.isProduction).toBe(true);
  });

  it('refuses both a Redis URL and cluster nodes', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'b:2' })).toThrow(/REDIS_CLUSTER_NODES/);
  });

  it('refuses a short admin key', () => {
    expect(() => loadConfig({ ADMIN_API_KEY: 'short' })).toThrow(/ADMIN_API_KEY/);
  });
});
