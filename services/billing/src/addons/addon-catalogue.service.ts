import { Injectable } from '@nestjs/common';
import { Addon, AddonCategory, AddonPricing, AddonTermsEntry, AppError } from '@org-mgmt/contracts';
import { AddonCatalogueRepository } from './addon-catalogue.repository';

@Injectable()
export class AddonCatalogueService {
  constructor(private readonly catalogue: AddonCatalogueRepository) {}

  list(category?: AddonCategory): Promise<Addon[]> {
    return this.catalogue.list(category);
  }

  async get(addonName: string): Promise<Addon> {
    const addon = await this.catalogue.find(addonName);
    if (!addon) throw unknownAddon(addonName);
    return addon;
  }

  async pricing(addonName: string): Promise<AddonPricing> {
    const addon = await this.get(addonName);
    const terms = (await this.catalogue.currentTerms([addonName])).get(addonName) ?? null;
    return { ...addon, terms };
  }

  /** Terms of the named add-ons (all when none are named); unknown names are left out. */
  async terms(addonNames?: readonly string[]): Promise<AddonTermsEntry[]> {
    const [addons, terms] = await Promise.all([this.catalogue.list(), this.catalogue.currentTerms(addonNames)]);
    return addons
      .filter((a) => !addonNames || addonNames.includes(a.serviceName))
      .map((a) => ({
        serviceName: a.serviceName,
        name: a.name,
        requiresAgreement: a.requiresAgreement,
        terms: terms.get(a.serviceName) ?? null,
      }));
  }
}

export function unknownAddon(addonName: string): AppError {
  return new AppError('NOT_FOUND', `No add-on service named ${addonName}`);
}
