// Which addresses an outbound webhook may not reach. A user-supplied URL must not become a way
// to probe or call the services next to Heartbeats (SSRF): loopback, private networks, link-local
// (cloud metadata at 169.254.169.254), CGNAT, multicast and the IPv6 forms that wrap an IPv4
// address. Pure, so the same rule serves the save-time check and the delivery-time check.

import { isIPv4, isIPv6 } from "node:net";

/** IPv4 ranges refused, as [first octets as a 32-bit number, prefix length]. */
const V4_BLOCKS: [string, number][] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 3], // multicast, reserved and broadcast: everything from 224 up
];

function v4Number(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

const V4_MASKS = V4_BLOCKS.map(([base, bits]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { net: (v4Number(base) & mask) >>> 0, mask };
});

function privateV4(n: number): boolean {
  return V4_MASKS.some(({ net, mask }) => (n & mask) >>> 0 === net);
}

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted IPv4 part included). */
function v6Groups(ip: string): number[] {
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (dotted) {
    const n = v4Number(dotted[2]);
    ip = `${dotted[1]}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  if (!ip.includes("::")) return parse(ip);
  const [head, rest] = ip.split("::");
  const left = parse(head),
    right = parse(rest);
  return [...left, ...new Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0), ...right];
}

function privateV6(ip: string): boolean {
  const g = v6Groups(ip);
  if (g.length !== 8) return true;
  const embeddedV4 = ((g[6] << 16) >>> 0) + g[7];
  // ::/96 holds ::, ::1 and the deprecated IPv4-compatible form; ::ffff:0:0/96 is IPv4-mapped:
  // both reach the IPv4 address, so the IPv4 rule decides (0.0.0.0 and 0.0.0.1 are refused).
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0 || g[5] === 0xffff)) return privateV4(embeddedV4);
  // 64:ff9b::/96: NAT64 translates to the embedded IPv4 address
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return privateV4(embeddedV4);
  // 2002::/16: 6to4 carries an IPv4 address in groups 1 and 2
  if (g[0] === 0x2002) return privateV4(((g[1] << 16) >>> 0) + g[2]);
  if ((g[0] & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((g[0] & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g[0] & 0xffc0) === 0xfec0) return true; // fec0::/10 deprecated site-local
  if ((g[0] & 0xff00) === 0xff00) return true; // ff00::/8 multicast
  return false;
}

/** True when `ip` must not be connected to; anything that is not a plain IP address counts as private. */
export function isPrivateAddress(ip: string): boolean {
  let s = ip.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  s = s.replace(/%.*$/, ""); // an IPv6 zone id names an interface, not another address
  if (isIPv4(s)) return privateV4(v4Number(s));
  if (isIPv6(s)) return privateV6(s.toLowerCase());
  return true;
}

/**
 * Why a URL's host is refused at save time, or null. Only what is certain without DNS: names
 * are checked again, after resolution, on every delivery.
 */
export function refusedHost(hostname: string): string | null {
  let h = hostname.trim().toLowerCase().replace(/\.$/, "");
  if (h === "") return "the host is empty";
  if (h === "localhost" || h.endsWith(".localhost")) return `${h} is this machine (localhost)`;
  // Let the URL parser normalise the odd IPv4 spellings (2130706433, 0x7f.1, 127.1) it accepts.
  const bare = h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h;
  try {
    const normal = new URL(`http://${bare.includes(":") ? `[${bare}]` : bare}/`).hostname;
    h = normal.startsWith("[") ? normal.slice(1, -1) : normal;
  } catch {
    return `${hostname} is not a valid host name`;
  }
  if ((isIPv4(h) || isIPv6(h)) && isPrivateAddress(h)) return `${h} is a private, loopback or reserved address`;
  return null;
}
