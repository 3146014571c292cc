import { vi } from 'vitest';
import { installKernels, uninstallKernels } from '../../src/models/kernels';
import type { FastKernel } from '../../src/models/kernels/types';

/** Runs `f` on our kernels with a spy on each fast path of `tables`; the calls each one answered rather than handed to the stock kernel. */
export async function countAnswered<T>(
  tables: Record<string, FastKernel>[],
  f: () => Promise<T>,
): Promise<{ result: T; answered: Record<string, number> }> {
  uninstallKernels();
  const spies = tables.flatMap((table) =>
    Object.keys(table).map((name) => [name, vi.spyOn(table, name)] as const),
  );
  installKernels();
  try {
    const result = await f();
    const answered = Object.fromEntries(
      spies.map(([name, spy]) => [name, spy.mock.results.filter((r) => r.value !== null).length]),
    );
    return { result, answered };
  } finally {
    uninstallKernels();
    for (const [, spy] of spies) spy.mockRestore();
    installKernels();
  }
}
