// Which addresses an outbound webhook may not reach. A user-supplied URL must not become a way
// to probe or call the services next to Heartbeats (SSRF): loopback, private networks, link-local
// (cloud metadata at 169.254.169.254), CGNAT, multicast, reserved space and the IPv6 forms that
// wrap an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo). Pure, so the same rule serves
// the save-time check, the delivery-time check and every redirect hop.

import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

// The address classes come from ipaddr.js, which keeps IANA's special-purpose registries
// (loopback, private, link-local, CGNAT 100.64/10, multicast, broadcast, reserved,
// documentation, benchmarking, unique-local, discard, ORCHID, ...): only what it calls global
// "unicast" may be reached.

/** The IPv4 address an IPv6 one stands for, where its form embeds one. */
function embeddedV4(a: ipaddr.IPv6): ipaddr.IPv4 | null {
  const b = a.toByteArray();
  const v4 = (bytes: number[]) => new ipaddr.IPv4(bytes);
  switch (a.range()) {
    case "ipv4Mapped": // ::ffff:a.b.c.d
    case "rfc6145": // ::ffff:0:a.b.c.d, SIIT
    case "rfc6052": // 64:ff9b::/96 and 64:ff9b:1::/48, NAT64
      return v4(b.slice(12));
    case "6to4": // 2002:AABB:CCDD::/48
      return v4(b.slice(2, 6));
    case "teredo": // 2001:0::/32: the client's address, bit-inverted, in the last 32 bits
      return v4(b.slice(12).map((x) => x ^ 0xff));
  }
  // ::a.b.c.d, the deprecated IPv4-compatible form (:: and ::1 included)
  return b.slice(0, 12).every((x) => x === 0) ? v4(b.slice(12)) : null;
}

/** True when `ip` must not be connected to; anything that is not a plain IP address counts as private. */
export function isPrivateAddress(ip: string): boolean {
  let s = ip.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  s = s.replace(/%.*$/, ""); // an IPv6 zone id names an interface, not another address
  // node:net accepts only the canonical spellings; the odd ones (127.1, 0x7f000001) are the URL
  // parser's business (refusedHost), and a resolver never answers with them.
  if (!isIP(s)) return true;
  const a = ipaddr.parse(s);
  if (a.kind() === "ipv4") return a.range() !== "unicast";
  const v4 = embeddedV4(a as ipaddr.IPv6);
  return v4 ? v4.range() !== "unicast" : a.range() !== "unicast";
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
  if (isIP(h) && isPrivateAddress(h)) return `${h} is a private, loopback or reserved address`;
  return null;
}
