// How Docker's (cgroup v1 shaped) resource values map onto cgroup v2 files, with runc 1.1's
// formulas (the runc on this machine) so a value reads back as runc itself would have written it.

/** cpu.shares (2..262144, default 1024) → cpu.weight (1..10000, default 100). 0 means "not set". */
export function cpuSharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** blkio.weight (10..1000, default 500) → io.weight (1..10000, default 100). 0 means "not set". */
export function blkioWeightToIoWeight(weight: number): number {
  if (weight === 0) return 0;
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/**
 * The OCI memory.swap value is memory+swap (cgroup v1's memsw); cgroup v2's memory.swap.max is
 * swap alone. Returns the memory.swap.max value: -1 for "max", 0 for "leave it", or bytes.
 * Throws runc's messages for combinations v2 cannot express.
 */
export function memorySwapToV2(memorySwap: number, memory: number): number {
  // Unlimited memory without a swap value means unlimited swap too, as on v1.
  if (memory === -1 && memorySwap === 0) return -1;
  if (memorySwap === -1 || memorySwap === 0) return memorySwap;
  if (memory === 0 || memory === -1) throw new Error('unable to set swap limit without memory limit');
  if (memory < 0) throw new Error(`invalid memory value: ${memory}`);
  if (memorySwap < memory) throw new Error('memory+swap limit should be >= memory limit');
  return memorySwap - memory;
}

/** v1's "unlimited" in memory.limit_in_bytes: LONG_MAX rounded down to the page size. */
export const v1MemoryUnlimited = 9223372036854771712;

/** A v1 byte limit as a Docker value: -1 for the kernel's unlimited ceiling. */
export function v1Limit(value: number): number {
  return value >= v1MemoryUnlimited ? -1 : value;
}
