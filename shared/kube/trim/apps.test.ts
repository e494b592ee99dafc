import { describe, expect, test } from 'vitest';
import { redactArgs } from './apps.ts';

describe('redactArgs', () => {
  test.each([
    [['--token=abc'], ['--token=<redacted>']],
    [['--bootstrap-token', 'abc', '--v=2'], ['--bootstrap-token', '<redacted>', '--v=2']],
    [['--password', '--next'], ['--password', '--next']],
    [['--proxy-mode=ipvs', '--cluster-cidr=10.244.0.0/16'], ['--proxy-mode=ipvs', '--cluster-cidr=10.244.0.0/16']],
    [['--etcd-servers=https://u:p@etcd:2379'], ['--etcd-servers=https://<redacted>@etcd:2379']],
    [['--oidc-client-secret="a b c"'], ['--oidc-client-secret=<redacted>']],
    [['sh', '-c', 'AWS_SECRET_ACCESS_KEY=abc run --api-key xyz'], ['sh', '-c', 'AWS_SECRET_ACCESS_KEY=<redacted> run --api-key <redacted>']],
  ])('%j → %j', (args, expected) => {
    expect(redactArgs(args)).toEqual(expected);
  });
});
