/**
 * Sealing of secrets at rest (IAM secret keys, remote-target credentials):
 * AES-256-GCM under a key derived with HKDF-SHA256 from the deployment's
 * master key (the FLOE_MASTER_KEY secret), a fresh 96-bit IV per seal, and
 * the owner's name (e.g. the access key) as additional data, so a sealed
 * value moved to another row does not open. Sealed form:
 * `v1.<base64 iv>.<base64 ciphertext+tag>`.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const keys = new Map<string, Promise<CryptoKey>>();

/** The AES key for `purpose`, derived from the master key (cached per isolate). */
function derivedKey(masterKey: string, purpose: string): Promise<CryptoKey> {
  const id = `${purpose}\u0000${masterKey}`;
  let key = keys.get(id);
  if (!key) {
    key = (async () => {
      const base = await crypto.subtle.importKey("raw", encoder.encode(masterKey), "HKDF", false, [
        "deriveKey",
      ]);
      return crypto.subtle.deriveKey(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: encoder.encode("floe-secret-box"),
          info: encoder.encode(purpose),
        },
        base,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"],
      );
    })();
    keys.set(id, key);
  }
  return key;
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** A box that seals and opens secrets for one purpose (e.g. "iam"). */
export interface SecretBox {
  seal(plain: string, owner: string): Promise<string>;
  open(sealed: string, owner: string): Promise<string>;
}

export function secretBox(masterKey: string, purpose: string): SecretBox {
  if (masterKey.length < 16) throw new Error("The master key must be at least 16 characters.");
  return {
    async seal(plain, owner) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const key = await derivedKey(masterKey, purpose);
      const sealed = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(owner) },
        key,
        encoder.encode(plain),
      );
      return `v1.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
    },
    async open(sealed, owner) {
      const [version, iv, data] = sealed.split(".");
      if (version !== "v1" || !iv || !data) throw new Error("Unknown sealed secret format.");
      const key = await derivedKey(masterKey, purpose);
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64(iv), additionalData: encoder.encode(owner) },
        key,
        fromBase64(data),
      );
      return decoder.decode(plain);
    },
  };
}
