import { Injectable } from '@nestjs/common';
import { OrgState } from '@org-mgmt/contracts';
import { FeatureFlagsService } from '../features/feature-flags.service';
import { OrganizationRepository } from '../profile/organization.repository';
import { orgNotFound } from '../org-not-found';

/** What the gateway caches per org: status, current suspension type, effective feature flags. */
@Injectable()
export class OrgStateService {
  constructor(
    private readonly organizations: OrganizationRepository,
    private readonly featureFlags: FeatureFlagsService,
  ) {}

  async get(orgId: string): Promise<OrgState> {
    const org = await this.organizations.find(orgId);
    if (!org) throw orgNotFound(orgId);
    const current = org.serviceStatusHistory?.find((record) => record.isCurrent);
    return {
      orgId,
      serviceStatus: org.serviceStatus,
      suspensionType: org.serviceStatus === 'SUSPENDED' ? (current?.suspensionType ?? null) : null,
      features: await this.featureFlags.effectiveFlags(orgId),
    };
  }
}
