import * as fc from 'fast-check';
import { isIPv6 } from 'net';
import { HOST_ADDRESS } from '../../model/patterns';

describe('HOST_ADDRESS', () => {
  const ipv6 = (t: string): boolean => t.includes(':');

  test.each(['::', '::1', '1::', '2001:db8::1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::ffff:10.0.0.1', '1:2:3:4:5:6:10.0.0.1', '::1:2:3:4:5:6:7'])(
    'accepts the IPv6 address %s, as Node does',
    (a) => {
      expect(isIPv6(a)).toBe(true);
      expect(HOST_ADDRESS.pattern.test(a)).toBe(true);
    },
  );

  test.each(['1:2:3:4:5:6:7:8:9', '1::2::3', '2001:db8::g', '1:2:3:4:5:6:7::8', ':1', '1:', '12345::', '1:2:3:4:5:6:7:10.0.0.1', '::10.0.0.256'])(
    'fails when an IPv6 address breaks RFC 4291 (%s), as Node says',
    (a) => {
      expect(isIPv6(a)).toBe(false);
      expect(HOST_ADDRESS.pattern.test(a)).toBe(false);
    },
  );

  test('fails when an IPv6 address carries a zone (fe80::1%eth0): Ansible hosts are reached without one', () => {
    expect(HOST_ADDRESS.pattern.test('fe80::1%eth0')).toBe(false);
  });

  test('agrees with net.isIPv6 on generated addresses and their one-character edits', () => {
    const edit = fc.tuple(fc.ipV6(), fc.nat(), fc.constantFrom('', ':', '::', '0', 'g', '.', '1.2.3.4', 'ffff:'), fc.boolean());
    fc.assert(
      fc.property(edit, ([a, at, ins, drop]) => {
        const i = at % (a.length + 1);
        const t = a.slice(0, i) + ins + a.slice(drop ? i + 1 : i);
        if (!ipv6(t)) return true; // without a colon it is an IPv4 address or a DNS name, tested elsewhere
        return HOST_ADDRESS.pattern.test(t) === isIPv6(t.toLowerCase());
      }),
      { numRuns: 3000 },
    );
    fc.assert(fc.property(fc.ipV6(), (a) => HOST_ADDRESS.pattern.test(a)));
  });
});
