import { AppConfig } from '@org-mgmt/runtime';
import { PaymentGateway, PaymentGatewayName } from './payment-gateway';
import { SandboxPaymentGateway } from './sandbox-gateway';
import { StripePaymentGateway } from './stripe-gateway';

/** Injection token of the configured PaymentGateway. */
export const PAYMENT_GATEWAY = Symbol('PAYMENT_GATEWAY');

/** PAYMENT_GATEWAY when set; else stripe in production and the sandbox everywhere else. */
export function configuredGatewayName(config: AppConfig): PaymentGatewayName {
  return config.PAYMENT_GATEWAY ?? (config.NODE_ENV === 'production' ? 'stripe' : 'sandbox');
}

/** The gateway the environment configures (see README "Configuration"). */
export function createPaymentGateway(config: AppConfig): PaymentGateway {
  if (configuredGatewayName(config) === 'sandbox') return new SandboxPaymentGateway(config.NODE_ENV);
  if (!config.STRIPE_SECRET_KEY) throw new Error('STRIPE_SECRET_KEY is required for the stripe payment gateway');
  return new StripePaymentGateway({
    secretKey: config.STRIPE_SECRET_KEY,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    host: config.STRIPE_API_HOST,
    port: config.STRIPE_API_PORT,
    protocol: config.STRIPE_API_PROTOCOL,
  });
}
