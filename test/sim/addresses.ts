/**
 * @module sim/addresses
 * Loopback addresses for the simulated kubelets. Linux routes all of 127.0.0.0/8 to `lo`, so
 * any of them can be bound without setup. 127.0.0.1 is left to the API server; last octets
 * 0, 1 and 255 are skipped so no address looks like a network or broadcast address.
 */

const PER_BLOCK = 253; // last octet 2..254

/** The `index`-th kubelet address: 127.0.0.2, 127.0.0.3, … 127.0.0.254, 127.0.1.2, … */
export function kubeletAddress(index: number): string {
  const block = Math.floor(index / PER_BLOCK);
  const last = 2 + (index % PER_BLOCK);
  const second = Math.floor(block / 256);
  if (second > 255) throw new Error(`too many kubelet addresses: ${index}`);
  return `127.${second}.${block % 256}.${last}`;
}

/** Addresses for `count` kubelets; all 127.0.0.1 when `sameAddress` (they differ by port). */
export function kubeletAddresses(count: number, sameAddress: boolean): string[] {
  return Array.from({ length: count }, (_, i) => (sameAddress ? '127.0.0.1' : kubeletAddress(i)));
}
