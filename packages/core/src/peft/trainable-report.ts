/**
 * PEFT's `print_trainable_parameters` line:
 * `trainable params: 1,234 || all params: 5,678 || trainable%: 21.7329`.
 */
export function trainableParametersLine(trainable: number, all: number): string {
  return (
    `trainable params: ${grouped(trainable)} || all params: ${grouped(all)} ` +
    `|| trainable%: ${fixed4((100 * trainable) / all)}`
  );
}

/** Python's `f"{n:,d}"`. */
function grouped(n: number): string {
  return n.toLocaleString('en-US', { useGrouping: true, maximumFractionDigits: 0 });
}

/**
 * Python's `f"{x:.4f}"`. Both round the exact binary value, but an exact tie goes to even in Python
 * and up in `toFixed`. A double is a tie at 4 decimals only if it is a multiple of 1/32 (then x * 32
 * and x * 10^4 are exact), e.g. 1 trainable parameter of 3,200.
 */
function fixed4(x: number): string {
  const scaled = x * 10_000;
  const floor = Math.floor(scaled);
  const tie = Number.isInteger(x * 32) && scaled - floor === 0.5;
  if (tie) return ((floor % 2 === 0 ? floor : floor + 1) / 10_000).toFixed(4);
  return x.toFixed(4);
}
