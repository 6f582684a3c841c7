/**
 * Matrices over GF(2^8) for Reed-Solomon. The encoding matrix is the
 * (k+m)×k Vandermonde matrix V[r][c] = r^c multiplied by the inverse of its
 * top k×k square, so its top k rows are the identity (systematic: data
 * shards are stored as is) and any k rows are invertible (MDS).
 */
import { gfInv, gfMul, gfPow } from "./gf256.ts";

export type Matrix = Uint8Array[];

export function identity(n: number): Matrix {
  return Array.from({ length: n }, (_, r) => {
    const row = new Uint8Array(n);
    row[r] = 1;
    return row;
  });
}

export function multiply(a: Matrix, b: Matrix): Matrix {
  const cols = b[0].length;
  return a.map((row) => {
    const out = new Uint8Array(cols);
    for (let c = 0; c < cols; c++) {
      let v = 0;
      for (let i = 0; i < row.length; i++) v ^= gfMul(row[i], b[i][c]);
      out[c] = v;
    }
    return out;
  });
}

/** Inverse of a square matrix (Gauss-Jordan); throws when singular. */
export function invert(m: Matrix): Matrix {
  const n = m.length;
  const a = m.map((row) => Uint8Array.from(row));
  const inv = identity(n);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    while (pivot < n && a[pivot][col] === 0) pivot++;
    if (pivot === n) throw new Error("singular matrix");
    [a[col], a[pivot]] = [a[pivot], a[col]];
    [inv[col], inv[pivot]] = [inv[pivot], inv[col]];
    const scale = gfInv(a[col][col]);
    for (let c = 0; c < n; c++) {
      a[col][c] = gfMul(a[col][c], scale);
      inv[col][c] = gfMul(inv[col][c], scale);
    }
    for (let r = 0; r < n; r++) {
      if (r === col || a[r][col] === 0) continue;
      const factor = a[r][col];
      for (let c = 0; c < n; c++) {
        a[r][c] ^= gfMul(factor, a[col][c]);
        inv[r][c] ^= gfMul(factor, inv[col][c]);
      }
    }
  }
  return inv;
}

/** The systematic (k+m)×k encoding matrix. */
export function encodingMatrix(k: number, m: number): Matrix {
  const vandermonde = Array.from({ length: k + m }, (_, r) =>
    Uint8Array.from({ length: k }, (_, c) => gfPow(r, c)),
  );
  return multiply(vandermonde, invert(vandermonde.slice(0, k)));
}
