import { Injectable } from '@nestjs/common';
import { AppError, Organization, OrgState } from '@org-mgmt/contracts';
import { OrganizationRepository } from '../profile/organization.repository';

/** What the gateway caches per org: status, current suspension type, effective feature flags. */
@Injectable()
export class OrgStateService {
  constructor(private readonly organizations: OrganizationRepository) {}

  async get(orgId: string): Promise<OrgState> {
    const org = await this.organizations.find(orgId);
    if (!org) throw new AppError('NOT_FOUND', `Organisation ${orgId} not found`);
    const current = org.serviceStatusHistory?.find((record) => record.isCurrent);
    return {
      orgId,
      serviceStatus: org.serviceStatus,
      suspensionType: org.serviceStatus === 'SUSPENDED' ? (current?.suspensionType ?? null) : null,
      features: await this.effectiveFeatures(org),
    };
  }

  /** The org's stored flags until the plan-aware effectiveFlags(orgId) of services/orgs/src/features lands. */
  private async effectiveFeatures(org: Organization): Promise<string[]> {
    return org.features;
  }
}
