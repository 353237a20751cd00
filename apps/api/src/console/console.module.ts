import { Module } from '@nestjs/common';
import { complaintPolicyProvider } from '../complaints/complaint-policy.provider';
import { LiveUpdatesHttpController } from '../live-updates/live-updates.http.controller';
import { LiveUpdates } from '../live-updates/live-updates.service';
import { CatalogHttpController } from './catalog.http.controller';

/**
 * What the web console needs of the server besides API.md: the catalog of
 * its forms and the live-update stream. (The console's files are served by
 * console-static.ts; its sign-in is the SignInModule.)
 */
@Module({
  controllers: [CatalogHttpController, LiveUpdatesHttpController],
  providers: [complaintPolicyProvider, LiveUpdates],
})
export class ConsoleModule {}
