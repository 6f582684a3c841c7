/** Sealed secrets: round trip, fresh IVs, bound to their owner and master key. */
import { describe, expect, it } from "vitest";
import { secretBox } from "../../shared/crypto/secret-box.ts";

describe("secret box", () => {
  const box = secretBox("a-master-key-of-some-length", "iam");

  it("opens what it sealed, and never shows the plain text", async () => {
    const sealed = await box.seal("wJalrXUtnFEMI/K7MDENG", "alice");
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain("wJalrXUtnFEMI");
    expect(await box.open(sealed, "alice")).toBe("wJalrXUtnFEMI/K7MDENG");
  });

  it("seals the same secret differently each time", async () => {
    expect(await box.seal("same", "alice")).not.toBe(await box.seal("same", "alice"));
  });

  it("refuses a sealed value moved to another owner, or opened with another key or purpose", async () => {
    const sealed = await box.seal("secret", "alice");
    await expect(box.open(sealed, "bob")).rejects.toThrow();
    await expect(
      secretBox("another-master-key-entirely", "iam").open(sealed, "alice"),
    ).rejects.toThrow();
    await expect(
      secretBox("a-master-key-of-some-length", "targets").open(sealed, "alice"),
    ).rejects.toThrow();
  });

  it("refuses short master keys", () => {
    expect(() => secretBox("short", "iam")).toThrow();
  });
});
