import { describe, expect, it } from '@jest/globals';
import { isPublicAddress, parseWebhookUrl } from './address-policy.js';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '198.18.0.1',
    '192.0.2.1',
    '::1',
    '::',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '2001:db8::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
    '::127.0.0.1',
    'localhost',
    'example.com',
    '',
    '1.2.3',
    '999.1.1.1',
  ])('refuses %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.15.255.255',
    '172.32.0.1',
    '192.169.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('allows %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });
});

describe('parseWebhookUrl', () => {
  it('takes http and https URLs and strips IPv6 brackets', () => {
    expect(parseWebhookUrl('https://hooks.example.com/x?y=1')).toMatchObject({ host: 'hooks.example.com' });
    expect(parseWebhookUrl('http://[::1]:8080/')).toMatchObject({ host: '::1' });
    // WHATWG parsing canonicalises numeric hosts, so 2130706433 is judged as 127.0.0.1.
    expect(parseWebhookUrl('http://2130706433/')).toMatchObject({ host: '127.0.0.1' });
  });

  it.each([
    'ftp://example.com/',
    'file:///etc/passwd',
    'gopher://x/',
    'javascript:alert(1)',
    'not a url',
    '/relative',
    'https://user:pw@example.com/',
  ])('refuses %s', (raw) => {
    expect(parseWebhookUrl(raw)).toHaveProperty('problem');
  });
});
