import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

export const FAKE_STRIPE_SECRET_KEY = 'sk_test_fake_0123456789';
export const FAKE_STRIPE_WEBHOOK_SECRET = 'whsec_fake_0123456789abcdef';

/** The fields of a Stripe PaymentIntent our code reads, as the fake keeps them. */
export interface FakePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: 'requires_payment_method' | 'requires_confirmation' | 'processing' | 'succeeded' | 'canceled';
  client_secret: string;
  payment_method: string | null;
  description: string | null;
  metadata: Record<string, string>;
  last_payment_error: { code: string; decline_code: string; message: string } | null;
  cancellation_reason: string | null;
  created: number;
  livemode: false;
}

/**
 * What the customer's confirmation did, set by a test:
 * succeeded (optionally receiving a different amount or currency), declined, canceled, processing.
 */
export type IntentOutcome =
  | { status: 'succeeded'; amountReceived?: number; currency?: string }
  | { status: 'declined' }
  | { status: 'canceled' }
  | { status: 'processing' };

/**
 * An HTTP-level fake of the Stripe PaymentIntent endpoints we call (create, retrieve), for the
 * official SDK pointed at it by host/port/protocol. The one third party we cannot reach in tests.
 */
export class StripeFake {
  readonly intents = new Map<string, FakePaymentIntent>();
  /** Requests received, as `METHOD /path`, for assertions on how often Stripe was called. */
  readonly requests: string[] = [];
  private readonly idempotent = new Map<string, { params: string; response: unknown }>();
  /** Runs when a cancel request arrives, before it is applied: lets a test play a race with the customer. */
  beforeCancel?: (intent: FakePaymentIntent) => void;
  private server?: Server;
  port = 0;

  static async start(): Promise<StripeFake> {
    const fake = new StripeFake();
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server!.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** The environment that points the stripe gateway at this fake. */
  env(): Record<string, string> {
    return {
      PAYMENT_GATEWAY: 'stripe',
      STRIPE_SECRET_KEY: FAKE_STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: FAKE_STRIPE_WEBHOOK_SECRET,
      STRIPE_API_HOST: '127.0.0.1',
      STRIPE_API_PORT: String(this.port),
      STRIPE_API_PROTOCOL: 'http',
    };
  }

  /** Plays the customer confirming the intent in the browser. */
  settle(intentId: string, outcome: IntentOutcome): FakePaymentIntent {
    const intent = this.intents.get(intentId);
    if (!intent) throw new Error(`No fake payment intent ${intentId}`);
    intent.last_payment_error = null;
    switch (outcome.status) {
      case 'succeeded':
        intent.status = 'succeeded';
        intent.amount_received = outcome.amountReceived ?? intent.amount;
        if (outcome.currency) intent.currency = outcome.currency.toLowerCase();
        break;
      case 'declined':
        intent.status = 'requires_payment_method';
        intent.last_payment_error = {
          code: 'card_declined',
          decline_code: 'generic_decline',
          message: 'Your card was declined.',
        };
        break;
      case 'canceled':
        intent.status = 'canceled';
        intent.cancellation_reason = 'abandoned';
        break;
      case 'processing':
        intent.status = 'processing';
        break;
    }
    return intent;
  }

  /** A webhook event about an intent, signed with the SDK's own test-header helper. */
  signedEvent(
    type: string,
    intentId: string,
    secret = FAKE_STRIPE_WEBHOOK_SECRET,
  ): { payload: string; signature: string } {
    const intent = this.intents.get(intentId);
    if (!intent) throw new Error(`No fake payment intent ${intentId}`);
    const payload = JSON.stringify({
      id: `evt_${randomBytes(12).toString('hex')}`,
      object: 'event',
      type,
      api_version: Stripe.API_VERSION,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: { object: intent },
    });
    return { payload, signature: Stripe.webhooks.generateTestHeaderString({ payload, secret }) };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? '').split('?')[0];
    this.requests.push(`${req.method} ${path}`);
    if (req.headers.authorization !== `Bearer ${FAKE_STRIPE_SECRET_KEY}`) {
      return send(res, 401, stripeError('invalid_request_error', 'api_key_invalid', 'Invalid API Key provided'));
    }
    if (req.method === 'POST' && path === '/v1/payment_intents') return this.create(req, body, res);
    const cancel = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path);
    if (req.method === 'POST' && cancel) return this.cancel(decodeURIComponent(cancel[1]), res);
    const match = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && match) {
      const intent = this.intents.get(decodeURIComponent(match[1]));
      if (!intent)
        return send(
          res,
          404,
          stripeError('invalid_request_error', 'resource_missing', `No such payment_intent: '${match[1]}'`),
        );
      return send(res, 200, intent);
    }
    send(
      res,
      404,
      stripeError('invalid_request_error', 'resource_missing', `Unrecognized request URL (${req.method}: ${path})`),
    );
  }

  /** Stripe refuses to cancel an intent that succeeded or was already cancelled. */
  private cancel(id: string, res: ServerResponse): void {
    const intent = this.intents.get(id);
    if (!intent)
      return send(
        res,
        404,
        stripeError('invalid_request_error', 'resource_missing', `No such payment_intent: '${id}'`),
      );
    this.beforeCancel?.(intent);
    if (intent.status === 'succeeded' || intent.status === 'canceled') {
      return send(
        res,
        400,
        stripeError(
          'invalid_request_error',
          'payment_intent_unexpected_state',
          `This PaymentIntent's status is ${intent.status}.`,
        ),
      );
    }
    intent.status = 'canceled';
    intent.cancellation_reason = 'requested_by_customer';
    send(res, 200, intent);
  }

  private create(req: IncomingMessage, body: string, res: ServerResponse): void {
    const key = req.headers['idempotency-key'];
    if (typeof key === 'string') {
      const earlier = this.idempotent.get(key);
      if (earlier && earlier.params !== body) {
        return send(
          res,
          400,
          stripeError(
            'idempotency_error',
            'idempotency_key_in_use',
            'Keys for idempotent requests can only be used with the same parameters they were first used with.',
          ),
        );
      }
      if (earlier) return send(res, 200, earlier.response);
    }
    const params = formFields(body);
    const amount = Number(params.amount);
    if (!Number.isInteger(amount) || amount < 1 || !params.currency) {
      return send(
        res,
        400,
        stripeError('invalid_request_error', 'parameter_invalid_integer', 'Invalid amount or currency'),
      );
    }
    const id = `pi_${randomBytes(12).toString('hex')}`;
    const intent: FakePaymentIntent = {
      id,
      object: 'payment_intent',
      amount,
      amount_received: 0,
      currency: params.currency,
      status: params.payment_method ? 'requires_confirmation' : 'requires_payment_method',
      client_secret: `${id}_secret_${randomBytes(8).toString('hex')}`,
      payment_method: params.payment_method ?? null,
      description: params.description ?? null,
      metadata: metadataOf(params),
      last_payment_error: null,
      cancellation_reason: null,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
    };
    this.intents.set(id, intent);
    if (typeof key === 'string') this.idempotent.set(key, { params: body, response: structuredClone(intent) });
    send(res, 200, intent);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The SDK form-encodes parameters; nested objects as `metadata[key]=value`. */
function formFields(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body).entries());
}

function metadataOf(params: Record<string, string>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    const match = /^metadata\[(.+)\]$/.exec(name);
    if (match) metadata[match[1]] = value;
  }
  return metadata;
}

function stripeError(type: string, code: string, message: string) {
  return { error: { type, code, message } };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(6).toString('hex')}` });
  res.end(JSON.stringify(body));
}
