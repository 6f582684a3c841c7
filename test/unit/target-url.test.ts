/**
 * The remote-target URL decision (shared/net/target-url.ts), as a table of
 * URLs: only the decision is computed; nothing here opens a connection.
 */
import { describe, expect, it } from "vitest";
import {
  EMPTY_ALLOWLIST,
  checkTargetUrl,
  parseCidr,
  parseIpv6,
  parseTargetAllowlist,
} from "../../shared/net/target-url.ts";

const LOCAL = parseTargetAllowlist("127.0.0.0/8,::1,localhost");

const refused: [string, RegExp][] = [
  // Schemes, userinfo and parser tricks.
  ["ftp://example.com/", /only http and https/],
  ["file:///etc/passwd", /only http and https/],
  ["gopher://example.com:70/", /only http and https/],
  ["javascript:alert(1)", /only http and https/],
  ["not a url", /whitespace/],
  ["example.com", /not valid/],
  ["http://", /not valid/],
  ["http://user:pass@example.com/", /user name or password/],
  ["http://example.com@127.0.0.1/", /user name or password/],
  ["http://127.0.0.1:80@example.com/", /user name or password/],
  ["http://example.com\\@127.0.0.1/", /backslash/],
  ["http://exa mple.com/", /whitespace/],
  ["http://example.com/\n", /whitespace/],
  // IPv4 loopback in every spelling the URL parser accepts.
  ["http://127.0.0.1/", /loopback/],
  ["http://127.1/", /loopback/],
  ["http://127.0.1/", /loopback/],
  ["http://2130706433/", /loopback/],
  ["http://0x7f000001/", /loopback/],
  ["http://0x7f.1/", /loopback/],
  ["http://0x7F.0.0.1/", /loopback/],
  ["http://0177.0.0.1/", /loopback/],
  ["http://017700000001/", /loopback/],
  ["http://127.000.000.001/", /loopback/],
  ["http://%31%32%37.0.0.1/", /loopback/],
  ["http://127.255.255.254:9000/", /loopback/],
  ["http://127.0.0.1./", /loopback/],
  // Unspecified, private, CGNAT, link-local and metadata addresses.
  ["http://0.0.0.0/", /unspecified/],
  ["http://0/", /unspecified/],
  ["http://10.0.0.1/", /private/],
  ["http://10.255.255.255/", /private/],
  ["http://172.16.0.1/", /private/],
  ["http://172.31.255.255/", /private/],
  ["http://192.168.1.1/", /private/],
  ["http://100.64.0.1/", /carrier-grade NAT/],
  ["http://100.127.255.255/", /carrier-grade NAT/],
  ["http://169.254.169.254/latest/meta-data/", /link-local/],
  ["http://169.254.170.2/", /link-local/],
  ["http://0xa9fea9fe/", /link-local/],
  ["http://2852039166/", /link-local/],
  ["http://224.0.0.1/", /multicast/],
  ["http://255.255.255.255/", /broadcast/],
  ["http://240.0.0.1/", /reserved/],
  ["http://192.0.2.10/", /documentation/],
  ["http://198.18.0.1/", /benchmarking/],
  // IPv6.
  ["http://[::1]/", /loopback/],
  ["http://[0:0:0:0:0:0:0:1]:8787/", /loopback/],
  ["http://[::]/", /unspecified/],
  ["http://[::ffff:127.0.0.1]/", /IPv4-mapped/],
  ["http://[::ffff:7f00:1]/", /IPv4-mapped/],
  ["http://[::ffff:169.254.169.254]/", /IPv4-mapped/],
  ["http://[::ffff:8.8.8.8]/", /IPv4-mapped/],
  ["http://[::127.0.0.1]/", /IPv4-compatible/],
  ["http://[fe80::1]/", /link-local/],
  ["http://[febf::1]/", /link-local/],
  ["http://[fc00::1]/", /unique-local/],
  ["http://[fd00:ec2::254]/", /unique-local/],
  ["http://[fec0::1]/", /site-local/],
  ["http://[ff02::1]/", /multicast/],
  ["http://[2001:db8::1]/", /documentation/],
  ["http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", /Teredo/],
  ["http://[64:ff9b::7f00:1]/", /NAT64 form of a loopback/],
  ["http://[64:ff9b::10.0.0.1]/", /NAT64 form of a private/],
  ["http://[64:ff9b:1::1]/", /local NAT64/],
  ["http://[2002:7f00:1::1]/", /6to4 form of a loopback/],
  ["http://[2002:a9fe:a9fe::]/", /6to4 form of a link-local/],
  // Names that are local by convention, and numeric names that are no address.
  ["http://localhost/", /single-label/],
  ["http://LOCALHOST:8787/", /single-label/],
  ["http://localhost./", /single-label/],
  ["http://foo.localhost/", /local or internal/],
  ["http://metadata.google.internal/computeMetadata/v1/", /local or internal/],
  ["http://metadata/", /single-label/],
  ["http://instance-data/", /single-label/],
  ["http://instance-data.ec2.internal/", /local or internal/],
  ["http://printer.local/", /local or internal/],
  ["http://router.home.arpa/", /local or internal/],
  ["http://1.0.0.127.in-addr.arpa/", /local or internal/],
  ["http://box.localdomain/", /local or internal/],
  ["http://intranet/", /single-label/],
];

const accepted: [string, string][] = [
  ["https://s3.example.com", "https://s3.example.com"],
  ["https://s3.example.com/some/path?x=1#y", "https://s3.example.com"],
  ["http://site-b.example.net:9000/", "http://site-b.example.net:9000"],
  ["https://S3.EXAMPLE.COM./", "https://s3.example.com."],
  ["http://8.8.8.8/", "http://8.8.8.8"],
  ["http://1.1.1.1:8443/", "http://1.1.1.1:8443"],
  ["http://172.32.0.1/", "http://172.32.0.1"],
  ["http://100.128.0.1/", "http://100.128.0.1"],
  ["http://[2606:4700::1111]/", "http://[2606:4700::1111]"],
  ["http://[64:ff9b::8.8.8.8]/", "http://[64:ff9b::808:808]"],
  ["http://[2002:808:808::1]/", "http://[2002:808:808::1]"],
  ["https://xn--bcher-kva.example/", "https://xn--bcher-kva.example"],
];

describe("remote target URLs", () => {
  it.each(refused)("refuses %s", (url, reason) => {
    const decision = checkTargetUrl(url, EMPTY_ALLOWLIST);
    expect(decision.ok).toBe(false);
    if (!decision.ok) expect(decision.reason).toMatch(reason);
  });

  it.each(accepted)("accepts %s as %s", (url, origin) => {
    expect(checkTargetUrl(url, EMPTY_ALLOWLIST)).toMatchObject({ ok: true, origin });
  });

  it("names the allowlist in a refusal", () => {
    expect(checkTargetUrl("http://127.0.0.1:8787/", EMPTY_ALLOWLIST)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("FLOE_TARGET_ALLOWLIST"),
    });
  });

  it("lets the allowlist open loopback for local sites, and nothing more", () => {
    for (const url of [
      "http://127.0.0.1:8787/",
      "http://2130706433:8787/",
      "http://0x7f.1/",
      "http://[::1]:8787/",
      "http://localhost:8787/",
    ])
      expect(checkTargetUrl(url, LOCAL), url).toMatchObject({ ok: true });
    for (const url of [
      "http://169.254.169.254/",
      "http://10.0.0.1/",
      "http://[::ffff:127.0.0.1]/",
      "http://foo.localhost/",
      "http://user:pw@127.0.0.1/",
      "file:///etc/passwd",
    ])
      expect(checkTargetUrl(url, LOCAL).ok, url).toBe(false);
  });

  it("matches allowlisted CIDRs and name suffixes", () => {
    const allow = parseTargetAllowlist(" 10.1.0.0/16 , fd00::/8, *.corp.internal, vault ");
    expect(checkTargetUrl("http://10.1.200.3/", allow).ok).toBe(true);
    expect(checkTargetUrl("http://10.2.0.1/", allow).ok).toBe(false);
    expect(checkTargetUrl("http://[fd12::1]/", allow).ok).toBe(true);
    expect(checkTargetUrl("http://s3.corp.internal/", allow).ok).toBe(true);
    expect(checkTargetUrl("http://corp.internal/", allow).ok).toBe(false);
    expect(checkTargetUrl("http://evilcorp.internal/", allow).ok).toBe(false);
    expect(checkTargetUrl("http://vault/", allow).ok).toBe(true);
  });
});

describe("the allowlist and address parsers", () => {
  it("parses allowlists and refuses entries that are neither CIDR nor name", () => {
    expect(parseTargetAllowlist("")).toEqual(EMPTY_ALLOWLIST);
    expect(parseTargetAllowlist(" , ").cidrs).toHaveLength(0);
    expect(parseTargetAllowlist("127.0.0.0/8,::1,localhost").hosts).toEqual(["localhost"]);
    for (const bad of ["10.0.0.0/33", "::1/129", "http://x", "a b", "1.2.3.4/x", "-bad.com"])
      expect(() => parseTargetAllowlist(bad), bad).toThrow(/neither a CIDR nor a host name/);
  });

  it("parses IPv6 in its compressed, full and dotted forms", () => {
    expect(parseIpv6("::")).toEqual(new Uint8Array(16));
    expect(parseIpv6("::ffff:1.2.3.4")?.slice(10)).toEqual(
      new Uint8Array([0xff, 0xff, 1, 2, 3, 4]),
    );
    expect(parseIpv6("1:2:3:4:5:6:7:8")?.[15]).toBe(8);
    for (const bad of ["1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "::1.2.3", "g::1", ":::"])
      expect(parseIpv6(bad), bad).toBeNull();
    expect(parseCidr("192.168.0.0/16")?.prefix).toBe(16);
    expect(parseCidr("::1")?.prefix).toBe(128);
  });
});
