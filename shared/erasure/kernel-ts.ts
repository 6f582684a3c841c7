/**
 * The pure-TypeScript kernel: out[o] = Σ coefficients[o][i] · inputs[i]
 * over GF(2^8), byte by byte through the multiplication table rows.
 */
import { MUL } from "./gf256.ts";

/** Computes each output as the GF(2^8) combination of the inputs. */
export function mulAddTs(
  coefficients: Uint8Array[],
  inputs: Uint8Array[],
  outputs: Uint8Array[],
  length: number,
): void {
  outputs.forEach((out, o) => {
    out.fill(0, 0, length);
    coefficients[o].forEach((coefficient, i) => {
      if (coefficient === 0) return;
      const input = inputs[i];
      if (coefficient === 1) {
        for (let b = 0; b < length; b++) out[b] ^= input[b];
        return;
      }
      const row = MUL.subarray(coefficient * 256, coefficient * 256 + 256);
      for (let b = 0; b < length; b++) out[b] ^= row[input[b]];
    });
  });
}
