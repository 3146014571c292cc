// The kill test of issue #6, in-process: a "worker" is a char-LSTM API with its own database
// connection. Killing it aborts every transaction it has in flight, refuses every later one and
// abandons its loop, which is what the browser does to a terminated worker's IndexedDB work. A fresh
// API on the same database then plays the restarted worker.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { TrainProgress } from '../../src/shared/protocol';
import { Rng } from '../../src/shared/rng';
import { loadCheckpoint } from '../../src/storage/checkpoints/store';
import { openAppDb, type AppDatabase } from '../../src/storage/db';
import { createCharLstmApi } from '../../src/workers/text/api';
import { decodeTensorList } from '../../src/storage/checkpoints/snapshot';

const TEXT = 'it was the best of times, it was the worst of times. '.repeat(20);
const AUTOSAVE = { everySteps: 25, everySeconds: 1e9 };
const KILLS = 20;

/** A database connection that can be killed, optionally right inside the n-th checkpoint write. */
function killable(factory: IDBFactory, killInsideWrite: number | null) {
  let killed = false;
  let writes = 0;
  const live: IDBTransaction[] = [];
  const kill = () => {
    killed = true;
    for (const tx of live) {
      try {
        tx.abort();
      } catch {
        // Already committed: that write landed before the kill.
      }
    }
  };
  const open = async (): Promise<AppDatabase> => {
    const db = await openAppDb('kill', factory);
    return new Proxy(db, {
      get(target, prop, receiver) {
        if (prop !== 'transaction') return Reflect.get(target, prop, receiver);
        return (...args: Parameters<AppDatabase['transaction']>) => {
          if (killed) throw new DOMException('The worker was terminated', 'InvalidStateError');
          const tx = target.transaction(...args);
          live.push(tx as unknown as IDBTransaction);
          if (args[1] === 'readwrite' && ++writes === killInsideWrite) {
            // After the first put was issued, before the transaction commits.
            queueMicrotask(kill);
          }
          return tx;
        };
      },
    });
  };
  return { open, kill, killed: () => killed };
}

async function finiteWeights(db: AppDatabase, id: string): Promise<boolean> {
  const ckpt = await loadCheckpoint(db, id);
  const list = decodeTensorList(ckpt!.weights.model);
  const values = await Promise.all(list.map((n) => n.tensor.data()));
  tf.dispose(list.map((n) => n.tensor));
  return values.every((v) => Array.from(v).every(Number.isFinite));
}

describe('kill test', () => {
  it(`${KILLS} kills at seeded random moments, half inside checkpoint writes, lose at most one autosave interval`, async () => {
    await tf.setBackend('cpu');
    const factory = new IDBFactory();
    const rng = new Rng(2026);
    const inspect = await openAppDb('kill', factory);
    let id = '';
    let maxLost = 0;
    let insideWrites = 0;
    for (let k = 0; k < KILLS; k++) {
      const insideWrite = k % 2 === 1 ? 1 + Math.floor(rng.next() * 3) : null;
      const conn = killable(factory, insideWrite);
      const api = createCharLstmApi({ openDb: conn.open, loadBundled: async () => TEXT });
      await api.init('cpu');
      api.setAutosave(AUTOSAVE);
      let reached = 0;
      const onProgress = (p: TrainProgress) => {
        if (!conn.killed()) reached = Math.max(reached, p.step);
      };
      if (k === 0) {
        const meta = await api.startNew(
          {
            corpus: { kind: 'bundled', name: 'kill' },
            config: { units: 8, batchSize: 8, maxLen: 10 },
            seed: 5,
          },
          onProgress,
        );
        id = meta.id;
      } else {
        const meta = await api.resume(id, onProgress);
        reached = meta.step;
      }
      if (insideWrite === null) {
        await new Promise((r) => setTimeout(r, 50 + rng.next() * 2500));
        conn.kill();
      } else {
        while (!conn.killed()) await new Promise((r) => setTimeout(r, 20));
        insideWrites++;
      }
      // The dead worker's loop may still be scheduled; stop it without letting it write.
      await api.pause().catch(() => undefined);

      const meta = await inspect.get('sessions', id);
      const ckpt = await loadCheckpoint(inspect, id);
      expect(meta, `kill ${k}: session row`).toBeDefined();
      expect(ckpt?.step, `kill ${k}: checkpoint matches its row`).toBe(meta!.step);
      expect(reached - meta!.step, `kill ${k}: steps lost`).toBeLessThanOrEqual(
        AUTOSAVE.everySteps,
      );
      expect(await finiteWeights(inspect, id), `kill ${k}: finite weights`).toBe(true);
      maxLost = Math.max(maxLost, reached - meta!.step);
    }
    console.log(
      `kills ${KILLS}, inside checkpoint writes ${insideWrites}, recovered ${KILLS}, max steps lost ${maxLost}`,
    );
    expect(insideWrites).toBe(KILLS / 2);
  });
});
