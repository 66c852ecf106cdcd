import pg from 'pg';

export default async function globalTeardown() {
  const s = globalThis.__slTestServers;
  if (!s) return;
  try {
    const c = new pg.Client({ connectionString: s.adminUrl });
    await c.connect();
    await c.query(`drop database if exists ${s.name} with (force)`);
    await c.end();
  } catch (e) {
    process.stderr.write(`drop test database: ${e.message}\n`);
  }
  if (s.privatePg) await s.privatePg.stop();
  s.redis.kill('SIGKILL');
}
