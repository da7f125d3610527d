import { AppError } from '@org-mgmt/contracts';
import { createHash, randomBytes } from 'node:crypto';
import {
  CreatedPayment,
  PaymentGateway,
  PaymentRequest,
  PaymentWebhookEvent,
  VerifiedPayment,
} from './payment-gateway';

/** Stripe's test cards the sandbox honours: what confirming with each one does. */
export const SANDBOX_CARDS = {
  pm_card_visa: { state: 'succeeded', failureReason: null },
  pm_card_chargeDeclined: { state: 'failed', failureReason: 'generic_decline' },
} as const;

type SandboxCard = keyof typeof SANDBOX_CARDS;

/** What a sandbox payment id carries: the card, the request, and a nonce telling apart equal requests. */
type EncodedPayment = [
  card: SandboxCard,
  amount: number,
  currency: string,
  orgId: string,
  purpose: string,
  metadata: Record<string, string>,
  nonce: string,
];

const ID_PREFIX = 'pi_sandbox_';

/**
 * A payment provider for development and the embedded default: the payment is confirmed at once
 * with the test card named, as if the browser had confirmed it. Refused in production. It keeps no
 * state: a payment id encodes the payment, so a restarted process or another replica retrieves it
 * (a sandbox that forgot its payments on restart failed paid purchases as `unknown_payment`).
 */
export class SandboxPaymentGateway implements PaymentGateway {
  readonly name = 'sandbox' as const;

  constructor(nodeEnv: string) {
    if (nodeEnv === 'production')
      throw new AppError('INTERNAL', 'The sandbox payment gateway is refused in production');
  }

  async createPayment(request: PaymentRequest): Promise<CreatedPayment> {
    const card = request.paymentMethodId as SandboxCard | undefined;
    if (!card || !Object.hasOwn(SANDBOX_CARDS, card)) {
      throw new AppError(
        'UNPROCESSABLE',
        `The sandbox accepts the test cards ${Object.keys(SANDBOX_CARDS).join(', ')}`,
        {
          fields: [{ path: 'body.paymentMethodId', message: 'not a sandbox test card' }],
        },
      );
    }
    // Like Stripe, a retried create with the same idempotency key is the same payment.
    const nonce = request.idempotencyKey
      ? createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 8)
      : randomBytes(4).toString('hex');
    const encoded: EncodedPayment = [
      card,
      request.amount,
      request.currency.toUpperCase(),
      request.orgId,
      request.purpose,
      request.metadata,
      nonce,
    ];
    const paymentId = ID_PREFIX + toBase36(Buffer.from(JSON.stringify(encoded)));
    return {
      paymentId,
      clientSecret: `${paymentId}_secret_${randomBytes(8).toString('hex')}`,
      state: SANDBOX_CARDS[card].state,
    };
  }

  async retrievePayment(paymentId: string): Promise<VerifiedPayment | null> {
    const decoded = decodePayment(paymentId);
    if (!decoded) return null;
    const [card, amount, currency, orgId, purpose, metadata] = decoded;
    const { state, failureReason } = SANDBOX_CARDS[card];
    return {
      paymentId,
      state,
      amount,
      amountReceived: state === 'succeeded' ? amount : 0,
      currency,
      metadata: { ...metadata, orgId, purpose },
      failureReason,
    };
  }

  /** Sandbox payments are final at creation (succeeded or declined): cancelling changes nothing. */
  async cancelPayment(paymentId: string): Promise<VerifiedPayment | null> {
    return this.retrievePayment(paymentId);
  }

  /** The sandbox confirms payments at once and sends no webhooks: anything claiming to be one is refused. */
  parseWebhook(): PaymentWebhookEvent {
    throw new AppError('VALIDATION_FAILED', 'The sandbox payment gateway receives no webhooks');
  }
}

function decodePayment(paymentId: string): EncodedPayment | null {
  const digits = paymentId.startsWith(ID_PREFIX) ? paymentId.slice(ID_PREFIX.length) : '';
  if (!/^[0-9a-z]+$/.test(digits)) return null;
  try {
    const decoded = JSON.parse(fromBase36(digits).toString('utf8')) as EncodedPayment;
    return Array.isArray(decoded) && Object.hasOwn(SANDBOX_CARDS, decoded[0]) ? decoded : null;
  } catch {
    return null;
  }
}

/** Base 36 keeps the id inside Stripe's id alphabet (letters, digits, underscores). */
function toBase36(bytes: Buffer): string {
  return BigInt(`0x${bytes.toString('hex')}`).toString(36);
}

function fromBase36(digits: string): Buffer {
  let n = 0n;
  for (const digit of digits) n = n * 36n + BigInt(parseInt(digit, 36));
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}
