import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';

/** Observable types the hub accepts, each with its check and its normal form (what is stored and compared). */
export const OBSERVABLE_TYPES = [
  'ipv4',
  'ipv6',
  'domain',
  'url',
  'email',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  'asn',
  'cve',
  'mac',
  'filename',
] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];

type Normaliser = (raw: string) => string | null;

const HEX_LENGTH: Partial<Record<ObservableType, number>> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

function domain(raw: string): string | null {
  const ascii = domainToASCII(raw.trim().replace(/\.$/, '').toLowerCase());
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2) return null;
  const ok = labels.every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label) || /^xn--[a-z0-9-]{1,59}$/.test(label));
  return ok && !/^\d+$/.test(labels[labels.length - 1]) ? ascii : null;
}

const NORMALISERS: Record<ObservableType, Normaliser> = {
  ipv4: (raw) => (isIPv4(raw.trim()) ? raw.trim() : null),
  // The URL parser writes IPv6 in its canonical compressed, lower-case form. A zone id (`%eth0`) names an
  // interface of one host, meaningless to another organisation, and the URL parser refuses it: not a value.
  ipv6: (raw) => (isIPv6(raw.trim()) && !raw.includes('%') ? new URL(`http://[${raw.trim()}]/`).hostname.slice(1, -1) : null),
  domain,
  url: (raw) => {
    try {
      const url = new URL(raw.trim());
      return ['http:', 'https:', 'ftp:'].includes(url.protocol) && url.hostname ? url.href : null;
    } catch {
      return null;
    }
  },
  email: (raw) => {
    const match = /^([^\s@]{1,64})@([^\s@]+)$/.exec(raw.trim());
    const host = match ? domain(match[2]) : null;
    return match && host ? `${match[1]}@${host}` : null;
  },
  md5: (raw) => hex(raw, 'md5'),
  sha1: (raw) => hex(raw, 'sha1'),
  sha256: (raw) => hex(raw, 'sha256'),
  sha512: (raw) => hex(raw, 'sha512'),
  asn: (raw) => {
    const match = /^(?:AS)?(\d{1,10})$/i.exec(raw.trim());
    return match && Number(match[1]) <= 4_294_967_295 ? `AS${Number(match[1])}` : null;
  },
  cve: (raw) => (/^CVE-\d{4}-\d{4,7}$/i.test(raw.trim()) ? raw.trim().toUpperCase() : null),
  mac: (raw) => {
    const hexDigits = raw.trim().toLowerCase().replace(/[:.-]/g, '');
    return /^[0-9a-f]{12}$/.test(hexDigits) ? hexDigits.match(/../g)!.join(':') : null;
  },
  filename: (raw) => (raw.length <= 255 && !/[/\\\u0000]/.test(raw) && raw.trim() !== '' ? raw : null),
};

function hex(raw: string, type: ObservableType): string | null {
  const value = raw.trim().toLowerCase();
  return new RegExp(`^[0-9a-f]{${HEX_LENGTH[type]}}$`).test(value) ? value : null;
}

/** The normal form of a value, or null when it is not a valid value of that type. */
export function normaliseObservable(type: ObservableType, raw: string): string | null {
  return NORMALISERS[type](raw);
}
