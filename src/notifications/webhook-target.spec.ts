import { describe, expect, it } from '@jest/globals';
import { checkWebhookTarget, type Resolver } from './webhook-target.js';

const dnsOf =
  (table: Record<string, string[]>): Resolver =>
  async (host) => {
    if (!(host in table)) throw new Error('ENOTFOUND');
    return table[host];
  };

const resolve = dnsOf({
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'rebind.example.com': ['93.184.215.14', '127.0.0.1'],
  'internal.example.com': ['10.0.0.7'],
  'metadata.example.com': ['169.254.169.254'],
  'v6local.example.com': ['fd00::1'],
});

describe('checkWebhookTarget', () => {
  it('allows a public host', async () => {
    expect(await checkWebhookTarget('https://hooks.example.com/in', { allowPrivate: false, resolve })).toMatchObject({ ok: true });
  });

  it.each([
    ['http://127.0.0.1:8080/', 'private'],
    ['http://[::1]/', 'private'],
    ['http://localhost.localdomain.invalid/', 'unresolvable'],
    ['https://internal.example.com/', 'private'],
    ['https://metadata.example.com/latest/meta-data', 'private'],
    ['https://v6local.example.com/', 'private'],
    ['https://rebind.example.com/', 'private'],
    ['ftp://hooks.example.com/', 'invalid'],
  ])('refuses %s (%s)', async (url, reason) => {
    expect(await checkWebhookTarget(url, { allowPrivate: false, resolve })).toMatchObject({ ok: false, reason });
  });

  it('allows private targets only when configured to', async () => {
    expect(await checkWebhookTarget('http://127.0.0.1:8080/', { allowPrivate: true, resolve })).toMatchObject({ ok: true });
    expect(await checkWebhookTarget('ftp://127.0.0.1/', { allowPrivate: true, resolve })).toMatchObject({ ok: false, reason: 'invalid' });
  });
});
