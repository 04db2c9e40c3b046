/**
 * f32 arithmetic as torch and C++ do it, on JavaScript doubles: one IEEE f32 operation on f32 operands
 * equals the f64 operation rounded once to f32 (f64 carries more than 2·24 + 2 bits, so the double
 * rounding is harmless for +, -, *, /).
 */
export const f32 = Math.fround;

/** Source of the bitsandbytes code this package matches bit for bit. */
export const BNB_SOURCE =
  'bitsandbytes-foundation/bitsandbytes@95f9af309d4d5793847169c39288dcd3fcbdf564';
