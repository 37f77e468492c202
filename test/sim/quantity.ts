/**
 * @module sim/quantity
 * Just enough Kubernetes resource.Quantity handling for the simulator: parse the quantity
 * strings it serves ("100m", "128Mi", "5M", "1") and format byte counts as "Ki".
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Parse a quantity into its base unit (cores or bytes); milli ("m") suffix allowed. */
export function parseQuantity(quantity: string): number {
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(quantity);
  if (!match) throw new Error(`unsupported quantity: ${quantity}`);
  const value = Number(match[1]);
  const suffix = match[2] ?? '';
  if (suffix === '') return value;
  if (suffix === 'm') return value / 1000;
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  if (factor === undefined) throw new Error(`unsupported quantity suffix: ${quantity}`);
  return value * factor;
}

/** CPU quantity → millicores (integer). */
export function cpuMillicores(quantity: string | undefined): number {
  return quantity === undefined ? 0 : Math.round(parseQuantity(quantity) * 1000);
}

/** Memory / storage quantity → bytes (integer). */
export function bytes(quantity: string | undefined): number {
  return quantity === undefined ? 0 : Math.round(parseQuantity(quantity));
}

/** Bytes → "<n>Ki", the form real kubelets report memory capacity in. */
export function kibibytes(byteCount: number): string {
  return `${Math.floor(byteCount / 1024)}Ki`;
}
