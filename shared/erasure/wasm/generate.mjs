// Generates the WebAssembly text of Floe's GF(2^8) multiply-accumulate
// kernel (SIMD128). For every 16-byte column p and every group of four
// outputs o..o+3:  out[o+j][p] = XOR over inputs i of  c[o+j][i] · in[i][p],
// where each product is two 16-entry table lookups (i8x16.swizzle) on the
// low and high nibbles of the input bytes, the way ISA-L uses PSHUFB.
// Memory layout is the caller's: tables (32 bytes per output×input: the low
// nibble table then the high nibble table, outputs padded to a multiple of
// four with zero tables), inputs and outputs at `stride` bytes apart.
// Columns are processed two vectors (32 bytes) at a time.

/** The kernel's WAT source. */
export function kernelWat() {
  const acc = (j, h) => `$a${j}${h}`;
  const locals = [];
  for (let j = 0; j < 4; j++) for (let h = 0; h < 2; h++) locals.push(`(local ${acc(j, h)} v128)`);
  const step = (j) => {
    const base = j === 0 ? "(local.get $t)" : `(i32.add (local.get $t) (local.get $ts${j}))`;
    return `
        (local.set $tlo (v128.load ${base}))
        (local.set $thi (v128.load offset=16 ${base}))
        (local.set ${acc(j, 0)} (v128.xor (local.get ${acc(j, 0)})
          (v128.xor (i8x16.swizzle (local.get $tlo) (local.get $lo0)) (i8x16.swizzle (local.get $thi) (local.get $hi0)))))
        (local.set ${acc(j, 1)} (v128.xor (local.get ${acc(j, 1)})
          (v128.xor (i8x16.swizzle (local.get $tlo) (local.get $lo1)) (i8x16.swizzle (local.get $thi) (local.get $hi1)))))`;
  };
  const stores = [0, 1, 2, 3]
    .map((j) => {
      const at = j === 0 ? "(local.get $out)" : `(i32.add (local.get $out) (local.get $os${j}))`;
      return `
        (v128.store ${at} (local.get ${acc(j, 0)}))
        (v128.store offset=16 ${at} (local.get ${acc(j, 1)}))`;
    })
    .join("");
  const zero = locals
    .map((_, n) => `(local.set ${acc(n >> 1, n & 1)} (v128.const i64x2 0 0))`)
    .join("\n        ");
  return `(module
  (memory (export "memory") 1)
  ;; mul_add(tables, inputs, nIn, outputs, nOutPadded, stride, len): len is a multiple of 32
  (func (export "mul_add")
    (param $tables i32) (param $inputs i32) (param $nIn i32) (param $outputs i32)
    (param $nOut i32) (param $stride i32) (param $len i32)
    (local $o i32) (local $p i32) (local $i i32) (local $t i32) (local $inp i32) (local $out i32)
    (local $tstride i32) (local $ts2 i32) (local $ts3 i32) (local $ts1 i32)
    (local $os1 i32) (local $os2 i32) (local $os3 i32)
    (local $v0 v128) (local $v1 v128) (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128)
    (local $tlo v128) (local $thi v128) (local $mask v128)
    ${locals.join(" ")}
    (local.set $mask (i8x16.splat (i32.const 15)))
    (local.set $tstride (i32.mul (local.get $nIn) (i32.const 32)))
    (local.set $ts1 (local.get $tstride))
    (local.set $ts2 (i32.mul (local.get $tstride) (i32.const 2)))
    (local.set $ts3 (i32.mul (local.get $tstride) (i32.const 3)))
    (local.set $os1 (local.get $stride))
    (local.set $os2 (i32.mul (local.get $stride) (i32.const 2)))
    (local.set $os3 (i32.mul (local.get $stride) (i32.const 3)))
    (local.set $o (i32.const 0))
    (block $outputs_done
      (loop $outputs
        (br_if $outputs_done (i32.ge_u (local.get $o) (local.get $nOut)))
        (local.set $p (i32.const 0))
        (block $columns_done
          (loop $columns
            (br_if $columns_done (i32.ge_u (local.get $p) (local.get $len)))
            ${zero}
            (local.set $inp (i32.add (local.get $inputs) (local.get $p)))
            (local.set $t (i32.add (local.get $tables) (i32.mul (local.get $o) (local.get $tstride))))
            (local.set $i (i32.const 0))
            (block $inputs_done
              (loop $inputs
                (br_if $inputs_done (i32.ge_u (local.get $i) (local.get $nIn)))
                (local.set $v0 (v128.load (local.get $inp)))
                (local.set $v1 (v128.load offset=16 (local.get $inp)))
                (local.set $lo0 (v128.and (local.get $v0) (local.get $mask)))
                (local.set $hi0 (v128.and (i16x8.shr_u (local.get $v0) (i32.const 4)) (local.get $mask)))
                (local.set $lo1 (v128.and (local.get $v1) (local.get $mask)))
                (local.set $hi1 (v128.and (i16x8.shr_u (local.get $v1) (i32.const 4)) (local.get $mask)))
                ${[0, 1, 2, 3].map(step).join("")}
                (local.set $inp (i32.add (local.get $inp) (local.get $stride)))
                (local.set $t (i32.add (local.get $t) (i32.const 32)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $inputs)))
            (local.set $out (i32.add (i32.add (local.get $outputs) (i32.mul (local.get $o) (local.get $stride))) (local.get $p)))
            ${stores}
            (local.set $p (i32.add (local.get $p) (i32.const 32)))
            (br $columns)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $outputs))))
)
`;
}
