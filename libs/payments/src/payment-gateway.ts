/** The payment providers a PaymentGateway can be. */
export const PAYMENT_GATEWAY_NAMES = ['stripe', 'sandbox'] as const;
export type PaymentGatewayName = (typeof PAYMENT_GATEWAY_NAMES)[number];

/** What a payment is for; webhooks route on it (credits: billing's ledger, addon: add-on purchases, …). */
export type PaymentPurpose = 'credits' | 'addon' | 'subscription';

export interface PaymentRequest {
  /** Integer minor units of `currency` (cents for USD). */
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
  orgId: string;
  purpose: PaymentPurpose;
  /** Links the payment to our record, e.g. `{transactionId}`; returned by every retrieve and webhook. */
  metadata: Record<string, string>;
  paymentMethodId?: string;
  description?: string;
  /** Forwarded to the provider so a retried create makes one payment. */
  idempotencyKey?: string;
}

export interface CreatedPayment {
  paymentId: string;
  /** Handed to the browser for client-side confirmation (Stripe Elements). */
  clientSecret: string;
  state: PaymentState;
}

/**
 * Where a payment stands, as the provider says:
 * - pending: not finished (awaiting confirmation, 3-D Secure, processing);
 * - succeeded: the money was taken (`amountReceived` of `currency`);
 * - failed: declined or cancelled; `failureReason` says why. Nothing was taken.
 */
export type PaymentState = 'pending' | 'succeeded' | 'failed';

export interface VerifiedPayment {
  paymentId: string;
  state: PaymentState;
  /** What the payment was created for, in minor units. */
  amount: number;
  /** What the provider says was received, in minor units: the only amount to credit. */
  amountReceived: number;
  /** ISO 4217, upper case. */
  currency: string;
  /** Our metadata plus `orgId` and `purpose`, as the provider stored it. */
  metadata: Record<string, string>;
  failureReason: string | null;
}

/** A verified webhook: the payment it concerns, when it concerns one. */
export interface PaymentWebhookEvent {
  id: string;
  type: string;
  paymentId: string | null;
  metadata: Record<string, string>;
}

/**
 * One interface for every payment provider. Amounts are integer minor units; currencies upper case.
 * Callers never trust the client's word about a payment: they `retrievePayment` server-side.
 * Failures are AppErrors: UNPROCESSABLE (the provider refused the request, e.g. an unknown payment
 * method), SERVICE_UNAVAILABLE (the provider did not answer), VALIDATION_FAILED (bad webhook signature).
 */
export interface PaymentGateway {
  readonly name: PaymentGatewayName;
  createPayment(request: PaymentRequest): Promise<CreatedPayment>;
  /** The payment as the provider knows it now; null when the provider has no such payment. */
  retrievePayment(paymentId: string): Promise<VerifiedPayment | null>;
  /**
   * Makes a payment we consider failed unable to succeed later (a declined Stripe intent can still be
   * confirmed with another card): cancels it unless it already succeeded or was cancelled. Returns
   * the payment as it stands afterwards (null when unknown).
   */
  cancelPayment(paymentId: string): Promise<VerifiedPayment | null>;
  /** Verifies the signature over the raw body and parses the event; a bad signature is VALIDATION_FAILED. */
  parseWebhook(rawBody: string, signatureHeader: string | undefined): PaymentWebhookEvent;
}
