/** The response XML builder keeps every document well-formed, whatever text a client sent. */
import { describe, expect, it } from "vitest";
import { escapeXml, xmlDocument } from "../../shared/xml.ts";
import { xmlProblem } from "../e2e/harness/xml.ts";

describe("escapeXml", () => {
  it("escapes the markup characters", () => {
    expect(escapeXml(`a<b>&"c'`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;");
  });

  it("writes C0 controls as &#x..; references, as S3 does, tab/LF/CR included", () => {
    expect(escapeXml("a\u0001b\u001fc")).toBe("a&#x1;b&#x1F;c");
    expect(escapeXml("\t\n\r")).toBe("&#x9;&#xA;&#xD;");
  });

  it("replaces what XML cannot carry even as a reference with U+FFFD", () => {
    expect(escapeXml("a\u0000b\ufffe\uffff")).toBe("a\ufffdb\ufffd\ufffd");
    expect(escapeXml("x\ud800y\udc00")).toBe("x\ufffdy\ufffd");
    expect(escapeXml("😀é€")).toBe("😀é€");
  });

  it("keeps a document with every BMP character well-formed", () => {
    let all = "";
    for (let code = 0; code < 0x10000; code++) all += String.fromCharCode(code);
    const doc = xmlDocument("Error", [
      ["Key", all],
      ["Resource", `/b/${all}`],
    ]);
    expect(xmlProblem(doc)).toBeNull();
  });
});
