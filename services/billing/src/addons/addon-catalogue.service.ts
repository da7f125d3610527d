import { Injectable } from '@nestjs/common';
import { Addon, AddonCategory, AddonPricing, AddonTermsEntry, AppError } from '@org-mgmt/contracts';
import { AddonCatalogueRepository } from './addon-catalogue.repository';

@Injectable()
export class AddonCatalogueService {
  constructor(private readonly catalogue: AddonCatalogueRepository) {}

  list(category?: AddonCategory): Promise<Addon[]> {
    return this.catalogue.list(category);
  }

  async get(serviceName: string): Promise<Addon> {
    const addon = await this.catalogue.find(serviceName);
    if (!addon) throw unknownAddon(serviceName);
    return addon;
  }

  async pricing(serviceName: string): Promise<AddonPricing> {
    const addon = await this.get(serviceName);
    const terms = (await this.catalogue.currentTerms([serviceName])).get(serviceName) ?? null;
    return { ...addon, terms };
  }

  /** Terms of the named add-ons (all when none are named); unknown names are left out. */
  async terms(serviceNames?: readonly string[]): Promise<AddonTermsEntry[]> {
    const [addons, terms] = await Promise.all([this.catalogue.list(), this.catalogue.currentTerms(serviceNames)]);
    return addons
      .filter((a) => !serviceNames || serviceNames.includes(a.serviceName))
      .map((a) => ({
        serviceName: a.serviceName,
        name: a.name,
        requiresAgreement: a.requiresAgreement,
        terms: terms.get(a.serviceName) ?? null,
      }));
  }
}

export function unknownAddon(serviceName: string): AppError {
  return new AppError('NOT_FOUND', `No add-on service named ${serviceName}`);
}
