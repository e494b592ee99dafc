import { describe, expect, test } from 'vitest';
import { redact } from './kube-error.ts';

const key = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun', 'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK', '-----END RSA PRIVATE KEY-----'].join('\n');
const basic = Buffer.from('admin:hunter2').toString('base64');

describe('redact', () => {
  test.each([
    ['URL userinfo', 'Get "https://admin:hunter2@10.0.0.1:6443/api": dial tcp: refused', 'Get "https://…@10.0.0.1:6443/api": dial tcp: refused'],
    ['an Authorization header', `request header Authorization: Basic ${basic} was refused`, 'request header Authorization: Basic … was refused'],
    ['a JSON Authorization header', `{"headers":{"Authorization":"Bearer abc.def"}}`, '{"headers":{"Authorization":"Bearer …"}}'],
    ['Basic credentials on their own', `sent Basic ${basic}`, 'sent Basic …'],
    ['a bearer token', 'Bearer sha256~abcdef', 'Bearer …'],
    ['client-key-data (YAML)', 'users:\n- user:\n    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=\n    client-certificate-data: LS0tLS1C', 'users:\n- user:\n    client-key-data: …\n    client-certificate-data: …'],
    ['a password in JSON', '{"username":"admin","password":"hunter2"}', '{"username":"admin","password":"…"}'],
    ['a secret with escapes in JSON', '{"client_secret": "a\\"b c"}', '{"client_secret": "…"}'],
    ['a token in YAML', 'token: short', 'token: …'],
    ['an apiKey and a secret key', "apiKey: 'k1' aws_secret_access_key=k2", "apiKey: '…' aws_secret_access_key=…"],
    ['env and query strings', 'DB_PASSWORD=pw1 GET /x?access_token=t1&watch=1', 'DB_PASSWORD=… GET /x?access_token=…&watch=1'],
    ['a PEM private key', `bad key:\n${key}\ntrailing`, 'bad key:\n-----BEGIN RSA PRIVATE KEY-----…-----END RSA PRIVATE KEY-----\ntrailing'],
    ['a PEM block cut short', `${key.slice(0, 80)}`, '-----BEGIN RSA PRIVATE KEY-----…-----END RSA PRIVATE KEY-----'],
    ['a JWT', 'id-token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl expired', 'id-token … expired'],
  ])('%s', (_what, text, expected) => {
    expect(redact(text)).toBe(expected);
    expect(redact(expected)).toBe(expected);
  });

  test('what is not a credential stays', () => {
    for (const text of [
      'Cannot reach https://10.0.0.1:6443: connection refused.',
      "Check the user's client-certificate and client-key (or their -data forms): they may have expired.",
      'Use basic authentication, or set insecure-skip-tls-verify: true on the cluster entry.',
      'pods is forbidden: User "system:serviceaccount:default:reader" cannot list resource "pods"',
      'Services unavailable: 500 Internal Server Error after 3 tries',
    ]) {
      expect(redact(text)).toBe(text);
    }
  });
});
