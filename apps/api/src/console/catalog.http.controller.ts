import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ACCOUNT_TYPES, COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, ComplaintPolicy, CONTACT_METHODS, MIIT_CLASS_NAMES } from '@complaints/domain';
import { COMPLAINT_POLICY } from '../complaints/complaint-policy.provider';

/**
 * What the console's forms offer: departments, routing, categories, channels
 * and the MIIT classes, from the policy in force. Departments and routing are
 * configuration (DOMAIN.md), so the console asks rather than knowing them.
 */
@ApiTags('console')
@ApiBearerAuth()
@Controller('api/catalog')
export class CatalogHttpController {
  constructor(@Inject(COMPLAINT_POLICY) private readonly policy: ComplaintPolicy) {}

  @Get()
  @ApiOperation({ summary: 'The departments, routing, categories, channels, contact methods, account types and MIIT classes of the policy in force' })
  @ApiOkResponse({ description: '`{ policyVersion, departments: [{ id, name, nameZh }], routing, categories, channels, contactMethods, accountTypes, miitClasses }`' })
  catalog() {
    return {
      policyVersion: this.policy.version,
      departments: Object.entries(this.policy.departments).map(([id, d]) => ({ id, name: d.name, nameZh: d.nameZh })),
      routing: this.policy.routing,
      categories: COMPLAINT_CATEGORIES,
      channels: COMPLAINT_CHANNELS,
      contactMethods: CONTACT_METHODS,
      accountTypes: ACCOUNT_TYPES,
      miitClasses: MIIT_CLASS_NAMES,
      miitClassOfCategory: this.policy.miitClasses.byCategory,
    };
  }
}
