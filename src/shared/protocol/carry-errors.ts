// Comlink's own 'throw' handler sends only an Error's message, name and stack: this one adds its code.
import { transferHandlers, type TransferHandler } from 'comlink';
import { AppError, errorCode, type ErrorCode } from './errors';

interface Thrown {
  isError: boolean;
  value: unknown;
}

let installed = false;

/** Makes Comlink carry an error's code across the worker boundary; the worker and the page each call it. */
export function carryErrorCodes(): void {
  if (installed) return;
  installed = true;
  const base = transferHandlers.get('throw') as TransferHandler<unknown, Thrown>;
  transferHandlers.set('throw', {
    canHandle: (value): value is unknown => base.canHandle(value),
    serialize(thrown) {
      const error = (thrown as { value: unknown }).value;
      if (!(error instanceof Error)) return base.serialize(thrown);
      return [{ isError: true, value: { message: error.message, code: errorCode(error) } }, []];
    },
    deserialize(serialized) {
      if (!serialized.isError) return base.deserialize(serialized);
      const { message, code } = serialized.value as { message: string; code: ErrorCode };
      throw new AppError(code, message);
    },
  } satisfies TransferHandler<unknown, Thrown>);
}
