import type { Client } from 'pg';
import { pg } from '../infrastructure/pg-driver';
import type { Logger } from 'pino';

export interface PgListenerOptions {
  connectionString: string;
  /** channel names as given to pg_notify */
  channels: readonly string[];
  onNotification: (channel: string, payload: string) => void;
  /** listening again after the connection was lost: notifications sent meanwhile were missed */
  onReconnected?: () => void;
  logger: Logger;
  /** wait before connecting again; default 1000 ms */
  reconnectDelayMs?: number;
}

/**
 * LISTEN on a connection of its own, connecting again (after a delay) when
 * the connection fails. Notifications are hints: whoever uses them also
 * looks for itself now and then, so one lost while reconnecting costs time,
 * not correctness.
 */
export class PgListener {
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: PgListenerOptions) {}

  /** Listens, or fails when the first connection cannot be made. */
  async start(): Promise<void> {
    await this.listen();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new (pg().Client)({ connectionString: this.options.connectionString, application_name: 'complaints-listener', keepAlive: true });
    client.on('notification', ({ channel, payload }) => this.options.onNotification(channel, payload ?? ''));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of this.options.channels) await client.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private lost(client: Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.options.logger.warn({ err: error, channels: this.options.channels }, 'the LISTEN connection was lost; listening again');
    this.retry();
  }

  private retry(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed) return;
      this.listen().then(
        () => this.options.onReconnected?.(),
        () => this.retry(),
      );
    }, this.options.reconnectDelayMs ?? 1000);
  }
}
