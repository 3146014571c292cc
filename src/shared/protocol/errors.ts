// Errors that cross the worker boundary: a code the UI branches on, and the person's message.

const CODES = [
  'storage-full',
  'diverged',
  'locked',
  'bad-input',
  'read-only',
  'not-found',
  'no-session',
  'internal',
] as const;

/** What went wrong, for the UI to branch on; the message is only for the person. */
export type ErrorCode = (typeof CODES)[number];

/** An error with a code; the workers throw it, and the page gets it back with the same code. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The code of any thrown value: its own when it has one, `internal` otherwise. */
export function errorCode(e: unknown): ErrorCode {
  const code = (e as { code?: unknown } | null)?.code;
  return CODES.find((c) => c === code) ?? 'internal';
}

/** The message of any thrown value, for the person. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
