import { HealthCheckResult } from '../platform/observability';
import { CallCenterConsumerStatus } from './callcenter.consumer';
import { OutboundRelayStatus } from './outbound.relay';

/** a relay further behind than this is reported degraded */
export const RELAY_LAG_DEGRADED = 10_000;
/** a send waiting longer than this for the broker means the broker is not there */
export const SEND_STUCK_MS = 10_000;

/**
 * The `kafka` check of /health: the 10086 consumer (connected to its group or
 * not) and the outbound relay (running, its lag). Kafka is not critical: with
 * the broker gone, commands still work and the messages wait (10086's on the
 * broker, ours in the log), so the worst this reports is `down` of a
 * non-critical check, which makes the service `degraded`.
 */
export function kafkaHealth(consumer: CallCenterConsumerStatus, relay: OutboundRelayStatus, relayLag: number, now: number): HealthCheckResult {
  const consumerLag = [...consumer.lag.values()].reduce((sum, lag) => sum + lag, 0);
  const consumerPart =
    consumer.state === 'connected'
      ? `consumer connected (${consumer.detail ?? 'in its group'}), lag ${consumerLag}`
      : `consumer ${consumer.state}${consumer.detail ? `: ${consumer.detail}` : ''}`;
  const stuck = relay.sendingSince !== undefined && now - relay.sendingSince > SEND_STUCK_MS;
  const relayPart = stuck
    ? `relay waiting ${Math.round((now - relay.sendingSince!) / 1000)} s for the broker, lag ${relayLag} events`
    : relay.state === 'elsewhere'
      ? 'relay runs on another instance (it holds the lease)'
      : `relay ${relay.state}${relay.lastError ? ` (${relay.lastError})` : ''}, lag ${relayLag} events`;
  const detail = `${consumerPart}; ${relayPart}`;

  if (consumer.state === 'crashed' || consumer.state === 'stopped' || relay.state === 'failing' || relay.state === 'stopped' || stuck) {
    return { status: 'down', detail };
  }
  if (consumer.state === 'starting' || relay.state === 'starting' || relayLag > RELAY_LAG_DEGRADED) return { status: 'degraded', detail };
  return { status: 'ok', detail };
}
