import { Injectable } from '@nestjs/common';

/**
 * What the server tells an operator about itself at start-up. The module
 * that opens the event store describes it, usually in its constructor or
 * `onModuleInit`:
 *
 *     serverDescription.describeStore(`sqlite ${join(config.dataDir, 'events.sqlite')}`);
 *
 * and main prints it in the "listening on" line.
 */
@Injectable()
export class ServerDescription {
  private storeDescription?: string;

  describeStore(description: string): void {
    this.storeDescription = description;
  }

  get store(): string {
    return this.storeDescription ?? 'none configured';
  }
}
