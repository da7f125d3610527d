import { Module } from '@nestjs/common';
import { AddonCatalogueHandler } from './addon-catalogue.handler';
import { AddonCatalogueRepository } from './addon-catalogue.repository';
import { AddonCatalogueService } from './addon-catalogue.service';

/** Add-on services: the catalogue with its terms versions, and purchases. */
@Module({
  controllers: [AddonCatalogueHandler],
  providers: [AddonCatalogueRepository, AddonCatalogueService],
  exports: [AddonCatalogueService],
})
export class AddonsModule {}
