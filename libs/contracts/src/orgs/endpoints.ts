import { z } from 'zod';
import { endpoint } from '../common/endpoint';
import { CONFIG_ADMIN, MEMBER, otherOrgOnlyBy, rolesOnly, rootOrgRoles } from '../permissions';
import * as l from './lifecycle-schemas';
import * as g from './agreement-schemas';
import * as o from './ownership';
import * as s from './schemas';

const orgs = 'orgs' as const;

export const OrgsEndpoints = {
  checkOrgName: endpoint({
    method: 'GET', path: '/check-org-name/:orgName', service: orgs, pattern: 'orgs.org-name.check', access: MEMBER,
    summary: 'Is this company name still free? (case- and space-insensitive)',
    params: s.CheckOrgNameParamsSchema, response: s.CheckOrgNameResponseSchema,
  }),
  addressesList: endpoint({
    method: 'GET', path: '/profile/addresses', service: orgs, pattern: 'orgs.address.list', access: otherOrgOnlyBy(MEMBER, 'RootAdmin'),
    summary: "The owner's address book (billing, shipping, mailing), newest first.",
    query: s.AddressListQuerySchema, response: s.AddressPageSchema,
  }),
  addressesCreate: endpoint({
    method: 'POST', path: '/profile/addresses', service: orgs, pattern: 'orgs.address.create', access: CONFIG_ADMIN,
    summary: "Adds an address to the owner's address book.", body: s.AddressCreateBodySchema, response: s.AddressSchema,
    successStatus: 201,
  }),
  profileGet: endpoint({
    // The spec: "View other org's profile: RootAdmin (root org only)"; it holds the owner's personal data.
    method: 'GET', path: '/profile{/:orgId}', service: orgs, pattern: 'orgs.profile.get', access: otherOrgOnlyBy(MEMBER, 'RootAdmin'),
    summary: 'Company record, customer (owner) record and default address. RootAdmin of the root org may name any org.',
    params: s.ProfileParamsSchema, response: s.ProfileSchema,
  }),
  profileUpdate: endpoint({
    method: 'POST', path: '/profile/update', service: orgs, pattern: 'orgs.profile.update', access: CONFIG_ADMIN,
    summary: 'Updates company fields; `features` overrides need a root role.', body: s.ProfileUpdateBodySchema,
    response: s.ProfileSchema,
  }),
  customerUpdate: endpoint({
    method: 'PUT', path: '/profile/customer', service: orgs, pattern: 'orgs.customer.update', access: CONFIG_ADMIN,
    summary: "Updates the owner's personal profile.", body: s.CustomerUpdateBodySchema, response: s.CustomerSchema,
  }),
  statusSuspend: endpoint({
    method: 'POST', path: '/service-status/suspend', service: orgs, pattern: 'orgs.status.suspend',
    access: rolesOnly('RootAdmin', 'RootPowerUser'),
    summary: 'Operator: suspends the org named by the orgid header (MANUAL or POLICY_VIOLATION) with a reason.',
    body: l.StatusSuspendBodySchema, response: l.ServiceStatusViewSchema,
  }),
  statusLift: endpoint({
    method: 'POST', path: '/service-status/lift', service: orgs, pattern: 'orgs.status.lift',
    access: rolesOnly('RootAdmin', 'RootPowerUser'),
    summary: 'Operator: lifts the suspension of the org named by the orgid header (any suspension type).',
    body: l.StatusLiftBodySchema, response: l.ServiceStatusViewSchema,
  }),
  ownerChange: endpoint({
    method: 'POST', path: '/internal/owner-change', service: orgs, pattern: 'orgs.owner.change', access: rolesOnly('System'),
    summary: 'Replaces the owner record in one transaction; emits org.ownership_transferred (transfers service, NATS only).',
    internal: true, body: o.OwnerChangeBodySchema, response: o.OwnerChangeResultSchema,
  }),
  primaryEmailChange: endpoint({
    method: 'POST', path: '/internal/primary-email-change', service: orgs, pattern: 'orgs.primary-email.change',
    access: rolesOnly('System'), summary: 'Changes the primary email; emits org.email_changed (transfers service, NATS only).',
    internal: true, body: o.EmailChangeBodySchema, response: o.EmailChangeResultSchema,
  }),
  orgLookup: endpoint({
    method: 'POST', path: '/internal/org-lookup', service: orgs, pattern: 'orgs.org.lookup', access: rolesOnly('System'),
    summary: 'Which of these orgs exist, with their status (NATS only).',
    internal: true, body: o.OrgLookupBodySchema, response: o.OrgLookupResultSchema,
  }),
  accountCancel: endpoint({
    method: 'POST', path: '/account/cancel', service: orgs, pattern: 'orgs.account.cancel', access: CONFIG_ADMIN,
    summary: 'Cancels the account: subscription cancelled (by subscriptions, on org.status_changed), optional data-deletion request, API access stopped (INACTIVE).',
    body: l.AccountCancelBodySchema, response: l.AccountStateSchema,
  }),
  accountReactivate: endpoint({
    method: 'PUT', path: '/account/reactivate', service: orgs, pattern: 'orgs.account.reactivate',
    access: rolesOnly('RootAdmin', 'RootPowerUser'),
    summary: 'Reverses a cancellation (back to ACTIVE); the subscription is not re-created.',
    body: l.AccountReactivateBodySchema, response: l.AccountStateSchema,
  }),
  signupCreate: endpoint({
    method: 'POST', path: '/pre-approved-signups', service: orgs, pattern: 'orgs.signup.create',
    access: rootOrgRoles('RootAdmin', 'ConfigAdmin'), summary: 'Allowlists an email or a generated signup code.',
    body: l.SignupCreateBodySchema, response: l.PreApprovedSignupSchema, successStatus: 201,
  }),
  signupRemove: endpoint({
    method: 'POST', path: '/pre-approved-signups/remove', service: orgs, pattern: 'orgs.signup.remove',
    access: rootOrgRoles('RootAdmin', 'ConfigAdmin'), summary: 'Removes an allowlist entry (it can no longer be used).',
    body: l.SignupRemoveBodySchema, response: l.PreApprovedSignupSchema,
  }),
  signupList: endpoint({
    method: 'GET', path: '/pre-approved-signups', service: orgs, pattern: 'orgs.signup.list',
    access: rootOrgRoles('RootAdmin', 'ConfigAdmin'), summary: 'Lists allowlist entries, newest first, filterable by kind, state, email.',
    query: l.SignupListQuerySchema, response: l.SignupPageSchema,
  }),
  signupValidate: endpoint({
    method: 'POST', path: '/pre-approved-signups/validate', service: orgs, pattern: 'orgs.signup.validate',
    access: { kind: 'public' }, summary: 'Is this email or code allowed to sign up? (rate-limited per client IP)',
    body: l.SignupValidateBodySchema, response: l.SignupValidateResponseSchema,
  }),
  orgRegister: endpoint({
    method: 'POST', path: '/org-register', service: orgs, pattern: 'orgs.org.register',
    access: rolesOnly('System', 'RootAdmin', 'RootPowerUser'),
    summary: 'Registers an organisation and its owner (created ACTIVE), consuming a pre-approved signup when one applies; ' +
      'an optional `plan` starts its subscription shortly after (on org.created).',
    body: l.OrgRegisterWithSignupBodySchema, response: l.OrgRegisteredSchema, successStatus: 201,
  }),
  orgState: endpoint({
    method: 'GET', path: '/internal/org-state/:orgId', service: orgs, pattern: 'orgs.state.get', access: rolesOnly('System'),
    summary: "Service status and effective feature flags of an org, for the gateway's cache (NATS only).",
    internal: true, params: z.strictObject({ orgId: s.OrgIdSchema }), response: s.OrgStateSchema,
  }),
  featuresApply: endpoint({
    method: 'POST', path: '/internal/features/apply', service: orgs, pattern: 'orgs.features.apply', access: rolesOnly('System'),
    summary: 'Applies one subscription.changed before the change answers (NATS only; subscriptions calls it). Once per event id with the event.',
    internal: true, body: l.SubscriptionChangeDeliveryBodySchema, response: l.SubscriptionChangeDeliveryResultSchema,
  }),
  orgDelete: endpoint({
    method: 'POST', path: '/delete', service: orgs, pattern: 'orgs.org.delete',
    access: rolesOnly('System', 'RootAdmin', 'RootPowerUser'),
    summary: 'Deletes the organisation `orgId` (INACTIVE for good) and emits org.deleted with the teardown options.',
    body: l.OrgDeleteBodySchema, response: l.TeardownStatusSchema, bodyOrgFields: ['orgId'],
  }),
  teardownGet: endpoint({
    method: 'GET', path: '/delete/:orgId', service: orgs, pattern: 'orgs.teardown.get',
    access: rolesOnly('System', 'RootAdmin', 'RootPowerUser'),
    summary: "A deleted org's deletion and the teardown status of each requested resource kind.",
    params: l.TeardownParamsSchema, response: l.TeardownStatusSchema,
  }),
  agreementsList: endpoint({
    method: 'GET', path: '/services/agreements', service: orgs, pattern: 'orgs.agreement.list', access: MEMBER,
    summary: "The org's service agreements: one entry per service it ever accepted, with its status.",
    response: g.AgreementListSchema, errors: ['NOT_FOUND'],
  }),
  agreementGet: endpoint({
    method: 'GET', path: '/services/agreement/:serviceName', service: orgs, pattern: 'orgs.agreement.get', access: MEMBER,
    summary: "The org's agreement for one service: status, current terms and every record.",
    params: g.AgreementParamsSchema, response: g.AgreementDetailSchema, errors: ['NOT_FOUND'],
  }),
  agreementAccept: endpoint({
    method: 'POST', path: '/services/agreement/accept/:serviceName', service: orgs, pattern: 'orgs.agreement.accept',
    access: CONFIG_ADMIN, summary: 'Accepts the current terms of a service; records who, when, version, IP and user agent.',
    params: g.AgreementParamsSchema, body: g.AgreementAcceptBodySchema, response: g.AgreementDetailSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  agreementRevoke: endpoint({
    method: 'POST', path: '/services/agreement/revoke/:serviceName', service: orgs, pattern: 'orgs.agreement.revoke',
    access: CONFIG_ADMIN, summary: 'Revokes the acceptance of a service’s terms; the add-on stops being available.',
    params: g.AgreementParamsSchema, body: g.AgreementRevokeBodySchema, response: g.AgreementDetailSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  agreementStatus: endpoint({
    method: 'GET', path: '/services/internal/agreement-status', service: orgs, pattern: 'orgs.agreement.status',
    access: rolesOnly('System'), summary: "An org's latest agreement record per service, for billing (NATS only).",
    internal: true, body: g.AgreementStatusQuerySchema, response: g.AgreementStatusListSchema,
  }),
};
