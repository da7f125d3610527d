import { AppError } from '@org-mgmt/contracts';
import Stripe from 'stripe';
import {
  CreatedPayment,
  PaymentGateway,
  PaymentRequest,
  PaymentState,
  PaymentWebhookEvent,
  VerifiedPayment,
} from './payment-gateway';

export interface StripeGatewayOptions {
  secretKey: string;
  webhookSecret?: string;
  /** Where the API lives; tests point these at a local HTTP fake. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  timeoutMs?: number;
}

/** PaymentIntents through the official SDK: one intent per payment, our record linked by metadata. */
export class StripePaymentGateway implements PaymentGateway {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;

  constructor(private readonly options: StripeGatewayOptions) {
    this.stripe = new Stripe(options.secretKey, {
      host: options.host,
      port: options.port,
      protocol: options.protocol,
      timeout: options.timeoutMs ?? 10_000,
      maxNetworkRetries: 2,
      appInfo: { name: 'org-management' },
    });
  }

  async createPayment(request: PaymentRequest): Promise<CreatedPayment> {
    const intent = await this.call(() =>
      this.stripe.paymentIntents.create(
        {
          amount: request.amount,
          currency: request.currency.toLowerCase(),
          payment_method: request.paymentMethodId,
          description: request.description,
          metadata: { ...request.metadata, orgId: request.orgId, purpose: request.purpose },
        },
        request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : undefined,
      ),
    );
    if (!intent.client_secret)
      throw new AppError('SERVICE_UNAVAILABLE', 'Stripe returned a payment intent without a client secret');
    return { paymentId: intent.id, clientSecret: intent.client_secret, state: stateOf(intent) };
  }

  async retrievePayment(paymentId: string): Promise<VerifiedPayment | null> {
    try {
      return toVerified(await this.call(() => this.stripe.paymentIntents.retrieve(paymentId)));
    } catch (err) {
      if (
        err instanceof AppError &&
        err.code === 'UNPROCESSABLE' &&
        (err.details as { stripeCode?: string })?.stripeCode === 'resource_missing'
      ) {
        return null;
      }
      throw err;
    }
  }

  async cancelPayment(paymentId: string): Promise<VerifiedPayment | null> {
    const current = await this.retrievePayment(paymentId);
    if (!current || current.state === 'succeeded' || current.failureReason?.startsWith('canceled')) return current;
    try {
      return toVerified(await this.call(() => this.stripe.paymentIntents.cancel(paymentId)));
    } catch (err) {
      // It moved on meanwhile (e.g. succeeded): report where it stands now.
      if (err instanceof AppError && err.code === 'UNPROCESSABLE') return this.retrievePayment(paymentId);
      throw err;
    }
  }

  parseWebhook(rawBody: string, signatureHeader: string | undefined): PaymentWebhookEvent {
    if (!this.options.webhookSecret)
      throw new AppError('SERVICE_UNAVAILABLE', 'STRIPE_WEBHOOK_SECRET is not configured');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signatureHeader ?? '', this.options.webhookSecret);
    } catch (err) {
      throw new AppError('VALIDATION_FAILED', 'The Stripe-Signature header does not verify', {
        fields: [{ path: 'headers.stripe-signature', message: (err as Error).message }],
      });
    }
    const object = event.data.object as { object?: string; id?: string; metadata?: Record<string, string> };
    const isIntent = object.object === 'payment_intent';
    return {
      id: event.id,
      type: event.type,
      paymentId: isIntent ? (object.id ?? null) : null,
      metadata: isIntent ? (object.metadata ?? {}) : {},
    };
  }

  /** SDK failures become AppErrors: Stripe refusing the request is 422, Stripe not answering is 503. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError || err instanceof Stripe.errors.StripeCardError) {
        throw new AppError('UNPROCESSABLE', `Stripe refused the request: ${err.message}`, {
          stripeCode: err.code ?? null,
        });
      }
      if (err instanceof Stripe.errors.StripeError) {
        throw new AppError('SERVICE_UNAVAILABLE', `Stripe did not complete the request: ${err.message}`);
      }
      throw err;
    }
  }
}

function stateOf(intent: Stripe.PaymentIntent): PaymentState {
  switch (intent.status) {
    case 'succeeded':
      return 'succeeded';
    case 'canceled':
      return 'failed';
    case 'requires_payment_method':
      // A confirmation attempt was declined; before any attempt the intent only waits for a card.
      return intent.last_payment_error ? 'failed' : 'pending';
    default:
      return 'pending';
  }
}

function toVerified(intent: Stripe.PaymentIntent): VerifiedPayment {
  const state = stateOf(intent);
  return {
    paymentId: intent.id,
    state,
    amount: intent.amount,
    amountReceived: intent.amount_received,
    currency: intent.currency.toUpperCase(),
    metadata: { ...intent.metadata },
    failureReason:
      state !== 'failed'
        ? null
        : intent.status === 'canceled'
          ? `canceled${intent.cancellation_reason ? `: ${intent.cancellation_reason}` : ''}`
          : (intent.last_payment_error?.decline_code ?? intent.last_payment_error?.code ?? 'declined'),
  };
}
