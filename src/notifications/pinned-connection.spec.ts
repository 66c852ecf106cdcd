import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { fetch } from 'undici';
import { pinnedAgent, pinnedLookup } from './pinned-connection.js';
import { type Resolver } from './webhook-target.js';
import { postWebhook } from './webhook-post.js';

/** A real HTTP server on loopback that records what reaches it. */
describe('connections pinned to the checked addresses', () => {
  const received: IncomingMessage[] = [];
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(req);
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers every lookup with the checked addresses, one or all', () => {
    const lookup = pinnedLookup(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c']);
    const one: unknown[] = [];
    const all: unknown[] = [];
    lookup('anything.example', { all: false }, (err, address, family) => one.push(err, address, family));
    lookup('anything.example', { all: true }, (err, addresses) => all.push(err, addresses));
    expect(one).toEqual([null, '93.184.215.14', 4]);
    expect(all).toEqual([
      null,
      [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      ],
    ]);
    expect(() => pinnedLookup([])).toThrow();
  });

  it('connects to the pinned address, never resolving the name, and keeps the name in Host', async () => {
    const before = received.length;
    const agent = pinnedAgent(['127.0.0.1']);
    try {
      // .invalid never resolves (RFC 6761): reaching the server proves the name was not looked up.
      const res = await fetch(`http://hooks.invalid:${port}/in`, { method: 'POST', body: '{}', dispatcher: agent });
      expect(res.status).toBe(204);
    } finally {
      await agent.close();
    }
    expect(received.length).toBe(before + 1);
    expect(received[received.length - 1].headers.host).toBe(`hooks.invalid:${port}`);
  });

  it('a name that answers a public address to the check and a private one afterwards (rebinding) never reaches the private one', async () => {
    // The name is `localhost`: the check's resolver answers a public address first, the machine's
    // DNS (which an unpinned connection would ask) answers 127.0.0.1, where the receiver listens.
    const before = received.length;
    const answers = [['93.184.215.14'], ['127.0.0.1']];
    let lookups = 0;
    const rebinding: Resolver = async () => answers[Math.min(lookups++, answers.length - 1)];
    const post = { url: `http://localhost:${port}/in`, headers: { 'content-type': 'application/json' }, body: '{}' };
    const result = await postWebhook(post, { allowPrivate: false, resolve: rebinding, timeoutMs: 2_000 });
    // The check looked once and saw the public address; the connection went there (and found no
    // receiver), not to the loopback server a second lookup names.
    expect(lookups).toBe(1);
    expect(result).toMatchObject({ ok: false, statusCode: null });
    expect(received.length).toBe(before);
    // The same resolver, asked again, names the private address: the check refuses it outright.
    const again = await postWebhook(post, { allowPrivate: false, resolve: rebinding, timeoutMs: 2_000 });
    expect(again).toMatchObject({ ok: false, statusCode: null });
    expect(again.error).toContain('127.0.0.1');
    expect(received.length).toBe(before);
  });
});
