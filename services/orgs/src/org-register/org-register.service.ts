import { Inject, Injectable } from '@nestjs/common';
import { AppError, isOperator, OrgRegistered, OrgRegisterWithSignup, Principal } from '@org-mgmt/contracts';
import { AppConfig, CONFIG, Knex } from '@org-mgmt/runtime';
import { OrganizationRepository } from '../profile/organization.repository';
import { SignupService } from '../signups/signup.service';
import { OrgCreation } from './org-creation';
import { PlanStartClient } from './plan-start.client';

/**
 * org-register and pre-approved signups. A given `signupCode` must be usable and is consumed. Without
 * one, an entry pre-approving the owner's email is consumed when there is one; it is required when
 * the platform is invitation-only (SIGNUPS_INVITATION_ONLY) and the caller is not a root operator
 * (the self-service signup flow registers as System). Consumption happens in the registration's
 * transaction: a failed registration uses nothing, a spent code registers nothing.
 */
@Injectable()
export class OrgRegisterService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly creation: OrgCreation,
    private readonly organizations: OrganizationRepository,
    private readonly signups: SignupService,
    private readonly plans: PlanStartClient,
  ) {}

  /**
   * A requested `plan` (already checked against the catalogue by the contract) is started by
   * subscriptions before this answers, so the answer and the very next request see its flags; it
   * also travels on org.created, from which subscriptions starts it should that call not get through.
   */
  async orgRegister(input: OrgRegisterWithSignup, principal: Principal, requestId?: string): Promise<OrgRegistered> {
    const { ownerEmail, platformEmail, signupCode, ...fields } = input;
    const preApprovalRequired = this.config.SIGNUPS_INVITATION_ONLY && !isOperator(principal, this.config.ROOT_ORG_ID);
    const consumeSignup = async (trx: Knex.Transaction, orgId: string) => {
      if (signupCode) {
        if (!(await this.signups.consume(trx, { code: signupCode }, orgId)))
          throw unusableCode(this.config.SIGNUPS_INVITATION_ONLY);
        return;
      }
      const consumed = await this.signups.consume(trx, { email: ownerEmail }, orgId);
      if (!consumed && preApprovalRequired)
        throw notPreApproved('body.ownerEmail', 'not pre-approved; send a signupCode');
    };
    const org = await this.creation.create(
      { ...fields, ownerEmail, platformEmail: platformEmail ?? ownerEmail },
      principal.sub,
      consumeSignup,
    );
    if (!fields.plan) return { ...org, plan: null };
    await this.plans.start({ orgId: org.id, ...fields.plan, changedBy: principal.sub }, requestId);
    return { ...(await this.organizations.find(org.id))!, plan: fields.plan };
  }
}

function notPreApproved(path: string, message: string): AppError {
  return new AppError('UNPROCESSABLE', 'Signups are by invitation: this registration is not pre-approved', {
    fields: [{ path, message }],
  });
}

/** A spent, expired or removed code; only an invitation-only platform says signups need one. */
function unusableCode(invitationOnly: boolean): AppError {
  if (invitationOnly) return notPreApproved('body.signupCode', 'not a usable signup code');
  return new AppError('UNPROCESSABLE', 'The signup code is not usable: it is spent, expired or removed', {
    fields: [{ path: 'body.signupCode', message: 'not a usable signup code' }],
  });
}
