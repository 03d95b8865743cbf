import { normaliseObservable } from './observable-types.js';

describe('observable values', () => {
  it.each([
    ['ipv4', '192.0.2.10', '192.0.2.10'],
    ['ipv6', '2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['domain', 'Example.COM.', 'example.com'],
    ['domain', 'bücher.example', 'xn--bcher-kva.example'],
    ['url', 'HTTPS://Example.com/a b', 'https://example.com/a%20b'],
    ['email', 'Alice@Example.COM', 'Alice@example.com'],
    ['sha256', 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['asn', 'as64496', 'AS64496'],
    ['cve', 'cve-2024-3094', 'CVE-2024-3094'],
    ['mac', '00-1A-2B-3C-4D-5E', '00:1a:2b:3c:4d:5e'],
  ] as const)('normalises %s %s', (type, raw, normal) => {
    expect(normaliseObservable(type, raw)).toBe(normal);
  });

  it.each([
    ['ipv4', '192.168.1.256'],
    ['ipv4', '010.0.0.1'],
    ['ipv6', '2001:db8::g'],
    ['domain', 'localhost'],
    ['domain', '-bad-.example'],
    ['url', 'javascript:alert(1)'],
    ['email', 'no-at-sign'],
    ['md5', 'abc'],
    ['sha1', 'z'.repeat(40)],
    ['asn', 'AS99999999999'],
    ['cve', 'CVE-24-1'],
    ['mac', '00:11:22'],
    ['filename', '../etc/passwd'],
  ] as const)('refuses %s %s', (type, raw) => {
    expect(normaliseObservable(type, raw)).toBeNull();
  });
});
