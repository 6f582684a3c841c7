import { describe, expect, it } from "vitest";
import { S3Error } from "../../shared/s3-errors.ts";
import { parseXml } from "../../shared/xml.ts";

const key = (body: string): unknown => {
  const doc = parseXml(`<Delete><Object><Key>${body}</Key></Object></Delete>`, ["Object"]);
  return (doc.Delete as { Object: { Key: unknown }[] }).Object[0]?.Key;
};

describe("XML request bodies: character references", () => {
  it("decodes the five predefined entities", () => {
    expect(key("&lt;&gt;&amp;&apos;&quot;")).toBe(`<>&'"`);
  });
  it("decodes decimal and hexadecimal references", () => {
    expect(key("&#34;etag&#x22;")).toBe('"etag"');
    expect(key("&#60;&#x3C;&#x3c;&#9;&#10;&#13;")).toBe("<<<\t\n\r");
    expect(key("&#x1F600;&#233;")).toBe("😀é");
    expect(key("&#0000000060;&#x000003c;")).toBe("<<");
  });
  it("decodes once: an escaped reference stays literal", () => {
    expect(key("&amp;amp;&amp;#60;")).toBe("&amp;&#60;");
  });
  it("leaves CDATA as written", () => {
    expect(key("<![CDATA[&amp;<x>]]>")).toBe("&amp;<x>");
  });
  it("keeps literal tab and unicode", () => {
    expect(key("a\tb/ü")).toBe("a\tb/ü");
  });
  it("allows C0 controls by reference only in an XML 1.1 document", () => {
    const doc = parseXml(
      '<?xml version="1.1"?><Delete><Object><Key>a&#1;b</Key></Object></Delete>',
      ["Object"],
    );
    expect((doc.Delete as { Object: { Key: string }[] }).Object[0]?.Key).toBe("a\u0001b");
  });
  it("refuses references XML does not define", () => {
    for (const body of [
      "&nbsp;",
      "&#0;",
      "&#1;",
      "&#xD800;",
      "&#x110000;",
      "&#99999999999999999999999;",
      "&#;",
      "&#x;",
      "&#X41;",
      "&#-1;",
      "&e;",
      "a\u0001b",
    ]) {
      expect(() => key(body), body).toThrow(S3Error);
    }
  });
  it("refuses a DOCTYPE, so custom entities are never expanded", () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE Delete [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>' +
      "<Delete><Object><Key>&a;</Key></Object></Delete>";
    for (const text of [
      lol,
      '<!DOCTYPE Delete [<!ENTITY e "boom">]><Delete><Object><Key>x</Key></Object></Delete>',
      '<Delete><!DOCTYPE Delete [<!ENTITY e "boom">]><Object><Key>&e;</Key></Object></Delete>',
      '<!DOCTYPE Delete SYSTEM "file:///etc/passwd"><Delete><Object><Key>x</Key></Object></Delete>',
    ]) {
      expect(() => parseXml(text, ["Object"]), text).toThrow(S3Error);
      try {
        parseXml(text, ["Object"]);
      } catch (error) {
        expect((error as S3Error).code).toBe("MalformedXML");
      }
    }
  });
});
