import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  newId,
  PreApprovedSignup,
  Principal,
  SignupCreate,
  SignupListQuery,
  SignupValidate,
} from '@org-mgmt/contracts';
import { CLOCK, Clock, isUniqueViolation, Knex } from '@org-mgmt/runtime';
import { randomInt } from 'node:crypto';
import { SignupKey, SignupRepository } from './signup.repository';
import { ValidationRateLimit } from './validation-rate-limit';

/** No 0/O, 1/I/L: codes are read out and typed by people. */
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

export function generateSignupCode(): string {
  const groups = Array.from({ length: 3 }, () =>
    Array.from({ length: 4 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join(''),
  );
  return groups.join('-');
}

@Injectable()
export class SignupService {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly signups: SignupRepository,
    private readonly rateLimit: ValidationRateLimit,
  ) {}

  async create(input: SignupCreate, principal: Principal): Promise<PreApprovedSignup> {
    const now = this.clock.now();
    if (input.expiresAt !== null && input.expiresAt <= now) {
      throw new AppError('VALIDATION_FAILED', 'Invalid body', {
        fields: [{ path: 'body.expiresAt', message: 'must lie in the future' }],
      });
    }
    const entry = {
      id: newId('signup'),
      kind: input.kind,
      email: input.kind === 'email' ? input.email : null,
      code: input.kind === 'code' ? generateSignupCode() : null,
      maxUses: input.maxUses,
      expiresAt: input.expiresAt,
      note: input.note,
      createdBy: principal.sub,
      createdAt: now,
    };
    try {
      return await this.signups.insert(entry, now);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (input.kind === 'code') return this.signups.insert({ ...entry, code: generateSignupCode() }, now);
      throw new AppError('CONFLICT', 'This email is already pre-approved; remove that entry first', {
        fields: [{ path: 'body.email', message: 'already pre-approved' }],
      });
    }
  }

  async remove(id: string, principal: Principal): Promise<PreApprovedSignup> {
    const removed = await this.signups.remove(id, principal.sub, this.clock.now());
    if (!removed) throw new AppError('NOT_FOUND', `Pre-approved signup ${id} not found`);
    return removed;
  }

  list(query: SignupListQuery) {
    return this.signups.page(query, this.clock.now());
  }

  /** Valid or not, nothing more: the answer never says whether an entry exists but is spent, expired or removed. */
  async validate(input: SignupValidate, clientIp: string | undefined): Promise<{ valid: boolean }> {
    await this.rateLimit.take(`ip:${clientIp ?? 'unknown'}`);
    return { valid: await this.signups.isUsable(input, this.clock.now()) };
  }

  consume(trx: Knex.Transaction, key: SignupKey, orgId: string): Promise<string | null> {
    return this.signups.consume(trx, key, orgId, this.clock.now());
  }
}
