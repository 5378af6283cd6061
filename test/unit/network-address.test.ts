import { test } from "node:test";
import assert from "node:assert/strict";
import ipaddr from "ipaddr.js";
import { isPrivateAddress, refusedHost } from "../../core/security/network-address.ts";

test("private, loopback, link-local, CGNAT and reserved IPv4 ranges are refused at their edges", () => {
  const refused = [
    "0.0.0.0",
    "0.255.255.255",
    "10.0.0.1",
    "10.255.255.255",
    "100.64.0.0",
    "100.127.255.255",
    "127.0.0.1",
    "127.255.255.254",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.0.0.1",
    "192.168.0.1",
    "192.168.255.255",
    "198.18.0.1",
    "198.19.255.255",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
  ];
  for (const ip of refused) assert.equal(isPrivateAddress(ip), true, ip);
  const allowed = [
    "1.1.1.1",
    "8.8.8.8",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "126.255.255.255",
    "128.0.0.1",
    "169.253.255.255",
    "172.15.255.255",
    "172.32.0.0",
    "192.0.1.1",
    "192.167.255.255",
    "192.169.0.0",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
  ];
  for (const ip of allowed) assert.equal(isPrivateAddress(ip), false, ip);
});

test("IPv6 loopback, unspecified, unique-local, link-local and multicast are refused", () => {
  for (const ip of [
    "::",
    "::1",
    "0:0:0:0:0:0:0:1",
    "fc00::1",
    "fd12:3456:789a::1",
    "fe80::1",
    "fe80::1%eth0",
    "febf::1",
    "ff02::1",
    "[::1]",
  ]) {
    assert.equal(isPrivateAddress(ip), true, ip);
  }
  for (const ip of ["2001:4860:4860::8888", "2606:4700:4700::1111", "fec0::1".replace("fec0", "2a00")])
    assert.equal(isPrivateAddress(ip), false, ip);
});

test("IPv6 forms that carry an IPv4 address are judged by the IPv4 rule", () => {
  for (const ip of [
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.1.2.3",
    "::FFFF:169.254.169.254",
    "64:ff9b::10.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "::127.0.0.1",
    "2002:7f00:1::1",
  ]) {
    assert.equal(isPrivateAddress(ip), true, ip);
  }
  for (const ip of ["::ffff:8.8.8.8", "::ffff:808:808", "64:ff9b::1.1.1.1", "2002:808:808::1"])
    assert.equal(isPrivateAddress(ip), false, ip);
});

test("anything that is not an IP address is refused", () => {
  for (const s of ["", "localhost", "example.com", "1.2.3", "1.2.3.4.5", "256.1.1.1", "::g", "1:2:3:4:5:6:7:8:9"])
    assert.equal(isPrivateAddress(s), true, JSON.stringify(s));
});

test("refusedHost names localhost and literal private addresses, and leaves names to delivery time", () => {
  for (const h of [
    "localhost",
    "LOCALHOST.",
    "api.localhost",
    "127.0.0.1",
    "10.0.0.5",
    "[::1]",
    "::1",
    "[fe80::1]",
    "169.254.169.254",
    "2130706433",
    "0x7f.1",
    "127.1",
  ]) {
    const reason = refusedHost(h);
    assert.equal(typeof reason, "string", h);
    assert.ok(reason!.length > 0 && reason!.length < 100, reason!);
  }
  for (const h of ["hooks.slack.com", "example.com", "8.8.8.8", "[2001:4860:4860::8888]", "localhost.example.com"])
    assert.equal(refusedHost(h), null, h);
});

test("every special-purpose range ipaddr.js knows is refused at both ends; the next addresses outside are judged on their own", () => {
  // The table is the library's (IANA's registries), so a range it adds is refused with no change here.
  const v4 = (ipaddr.IPv4.prototype as unknown as { SpecialRanges: Record<string, [ipaddr.IPv4, number][]> })
    .SpecialRanges;
  let checked = 0;
  for (const [name, ranges] of Object.entries(v4)) {
    for (const [net, bits] of ranges) {
      const cidr = ipaddr.IPv4.networkAddressFromCIDR(`${net.toString()}/${bits}`).toString();
      const last = ipaddr.IPv4.broadcastAddressFromCIDR(`${net.toString()}/${bits}`).toString();
      assert.equal(isPrivateAddress(cidr), true, `${name} ${cidr}`);
      assert.equal(isPrivateAddress(last), true, `${name} ${last}`);
      checked++;
    }
  }
  const v6 = (ipaddr.IPv6.prototype as unknown as { SpecialRanges: Record<string, unknown> }).SpecialRanges;
  for (const [name, value] of Object.entries(v6)) {
    const ranges = (Array.isArray((value as unknown[])[0]) ? value : [value]) as [ipaddr.IPv6, number][];
    for (const [net, bits] of ranges) {
      const first = ipaddr.IPv6.networkAddressFromCIDR(`${net.toString()}/${bits}`).toString();
      // Forms embedding an IPv4 address are judged by it: here the embedded address is 0.0.0.0.
      assert.equal(isPrivateAddress(first), true, `${name} ${first}`);
      checked++;
    }
  }
  assert.ok(checked > 30, `${checked} ranges`);
});

test("Teredo, NAT64 local-use, SIIT and documentation addresses are refused; their public forms are not", () => {
  // Teredo keeps the client's IPv4 address bit-inverted in the last 32 bits: 127.0.0.1 is 80ff:fffe.
  for (const ip of [
    "2001:0:4136:e378:8000:63bf:80ff:fffe",
    "2001:0:4136:e378:8000:63bf:f5ff:fffe", // 10.0.0.1
    "64:ff9b:1::10.0.0.1",
    "64:ff9b:1::a9fe:a9fe",
    "::ffff:0:a00:1",
    "192.0.2.1",
    "198.51.100.7",
    "203.0.113.200",
    "2001:db8::1",
    "192.88.99.1",
  ])
    assert.equal(isPrivateAddress(ip), true, ip);
  for (const ip of ["2001:0:4136:e378:8000:63bf:f7f7:f7f7", "64:ff9b:1::8.8.8.8", "::ffff:0:808:808"])
    assert.equal(isPrivateAddress(ip), false, ip);
});
