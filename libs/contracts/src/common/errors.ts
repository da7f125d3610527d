import { z } from 'zod';

/** Every error code the API can answer with, and the one table mapping it to HTTP. */
export const ERROR_HTTP_STATUS = {
  VALIDATION_FAILED: 400,
  MALFORMED_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ORG_SUSPENDED: 403,
  ORG_INACTIVE: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  INSUFFICIENT_BALANCE: 409,
  AGREEMENT_REQUIRED: 409,
  LEDGER_CLOSED: 409,
  PAYMENT_FAILED: 402,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  SERVICE_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;
export const ErrorCodeSchema = z.enum(Object.keys(ERROR_HTTP_STATUS) as [ErrorCode, ...ErrorCode[]]);

export const ErrorBodySchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** The one error envelope of the HTTP API. */
export const ErrorEnvelopeSchema = z.object({ error: ErrorBodySchema });

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_HTTP_STATUS[code] ?? 500;
}

/** A failure with a code from this table; services throw it, the RPC layer turns it into a failure message. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromBody(body: ErrorBody): AppError {
    return new AppError(body.code, body.message, body.details);
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** Turns zod issues into the `details` of a VALIDATION_FAILED error: one entry per failing field. */
export function validationError(issues: ReadonlyArray<z.core.$ZodIssue>, location: string): AppError {
  const fields: FieldIssue[] = issues.map((issue) => ({
    path: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  return new AppError('VALIDATION_FAILED', `Invalid ${location}`, { fields });
}
