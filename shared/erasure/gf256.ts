/**
 * Arithmetic in GF(2^8) with the primitive polynomial 0x11D
 * (x^8 + x^4 + x^3 + x^2 + 1) and generator 2: log/exp tables and a full
 * 256×256 multiplication table. Stored data depends on these choices; they
 * never change.
 */

export const EXP = new Uint8Array(512);
export const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
}

/** MUL[a * 256 + b] = a·b in GF(2^8). */
export const MUL = new Uint8Array(256 * 256);
for (let a = 1; a < 256; a++) {
  for (let b = 1; b < 256; b++) MUL[a * 256 + b] = EXP[LOG[a] + LOG[b]];
}

export function gfMul(a: number, b: number): number {
  return MUL[(a << 8) | b];
}

export function gfInv(a: number): number {
  if (a === 0) throw new RangeError("0 has no inverse in GF(2^8)");
  return EXP[255 - LOG[a]];
}

/** a^n in GF(2^8) (0^0 = 1). */
export function gfPow(a: number, n: number): number {
  if (n === 0) return 1;
  if (a === 0) return 0;
  return EXP[(LOG[a] * n) % 255];
}
