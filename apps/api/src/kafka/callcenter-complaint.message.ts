import { PickType } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, IsIn, IsISO8601, IsOptional, Matches, validate } from 'class-validator';
import { ComplaintChannel } from '@complaints/domain';
import { CustomerDto, RegisterComplaintRequest } from '../complaints/dto/register-complaint.request.dto';
import { flattenValidationErrors } from '../platform/http/validation.pipe';
import { cacheValidationMetadata } from '../platform/http/validation-metadata.cache';

/** The channels a 10086 message may name (API.md): the hotline, green-net transfers, the GM hotline, special channels. */
export const CALLCENTER_CHANNELS = ['10086', 'green_net', 'gm_hotline', 'special'] as const satisfies readonly ComplaintChannel[];

/** A call-center ticket number: what the 10086 system keys its messages by. */
export const TICKET_NO_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * A complaint handed over by 10086 on `callcenter.complaints.v1` (API.md).
 * The customer, branch, category, subcategory and description are the HTTP
 * registration's own fields with their own rules (PickType carries the
 * class-validator and class-transformer metadata over), so a complaint is
 * judged the same whichever way it arrives.
 */
export class CallCenterComplaintMessage extends PickType(RegisterComplaintRequest, ['customer', 'branch', 'category', 'subcategory', 'description'] as const) {
  @Matches(TICKET_NO_PATTERN, { message: 'ticketNo must be the ticket number: 1 to 64 letters, digits, or . _ : -' })
  ticketNo!: string;

  /** when 10086 took the call; kept as told, the level clock starts at registration */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'receivedAt must be an ISO-8601 time' })
  receivedAt?: string;

  @IsIn(CALLCENTER_CHANNELS)
  channel!: (typeof CALLCENTER_CHANNELS)[number];
}

/** the properties a class declares for validation: with whitelisting, every other one is refused */
function validatedProperties(target: new () => object): ReadonlySet<string> {
  return new Set(getMetadataStorage().getTargetValidationMetadatas(target, '', true, false).map((m) => m.propertyName));
}

let knownProperties: { message: ReadonlySet<string>; customer: ReadonlySet<string> } | undefined;

const isPrimitive = (value: unknown) => value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/**
 * The message as class-transformer's plainToInstance makes it, without its
 * cost (a third of a message's parsing), for the usual message: nothing but
 * declared properties, with primitive values, and a customer object of the
 * same kind. There plainToInstance copies each value as it is into a new
 * instance (and the customer into a CustomerDto), which is what this does.
 * Anything else (unknown or missing-by-shape properties, nested values, a
 * customer that is not a plain object) takes plainToInstance itself: the
 * validation, and so every answer, is the same either way.
 */
export function toMessageInstance(json: Record<string, unknown>): CallCenterComplaintMessage {
  knownProperties ??= { message: validatedProperties(CallCenterComplaintMessage), customer: validatedProperties(CustomerDto) };
  const customer = json.customer;
  const plain =
    typeof customer === 'object' &&
    customer !== null &&
    !Array.isArray(customer) &&
    Object.getPrototypeOf(customer) === Object.prototype &&
    Object.entries(json).every(([key, value]) => knownProperties!.message.has(key) && (key === 'customer' || isPrimitive(value))) &&
    Object.entries(customer).every(([key, value]) => knownProperties!.customer.has(key) && isPrimitive(value));
  if (!plain) return plainToInstance(CallCenterComplaintMessage, json);
  const message = Object.assign(new CallCenterComplaintMessage(), json);
  message.customer = Object.assign(new CustomerDto(), customer);
  return message;
}

export type ParsedCallCenterMessage =
  | { ok: true; message: CallCenterComplaintMessage }
  | { ok: false; error: string; ticketNo?: string };

/**
 * A message value as received → the message, or why it is refused (the DLQ's
 * `error` header): not JSON, not an object, or every invalid field at once,
 * one entry per field as the HTTP API's 400 lists them. The same policy as the
 * HTTP validation pipe: unknown properties are errors too.
 */
export async function parseCallCenterMessage(value: Buffer | null): Promise<ParsedCallCenterMessage> {
  if (value === null || value.length === 0) return { ok: false, error: 'the message has no value' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, error: `the value is not JSON: ${(error as Error).message}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, error: `the value is JSON but not an object (${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json})` };
  }
  cacheValidationMetadata();
  const message = toMessageInstance(json as Record<string, unknown>);
  const errors = await validate(message, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
  if (errors.length > 0) {
    const fields = flattenValidationErrors(errors);
    const ticketNo = (json as { ticketNo?: unknown }).ticketNo;
    return {
      ok: false,
      error: `the message is invalid: ${fields.map((f) => `${f.field}: ${f.message}`).join(' | ')}`,
      ticketNo: typeof ticketNo === 'string' ? ticketNo : undefined,
    };
  }
  return { ok: true, message };
}
