import { BadRequestException, ConflictException, HttpException, InternalServerErrorException, NotFoundException, PayloadTooLargeException, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { CommandRefused, NotFound } from '@complaints/domain/shared/domain-error';
import { Forbidden, PreconditionFailed, ProblemException, RequestValidationFailed, ResourceNotFound, Unauthenticated } from './problem.exception';
import { INTERNAL_ERROR_DETAIL, toProblem } from './problem-mapping';

describe('toProblem', () => {
  it('maps a domain refusal to 409 with its reason and code', () => {
    expect(toProblem(new CommandRefused('work_order.already_replied', 'work order W1 is already answered'), '/api/work-orders/W1/reply')).toEqual({
      body: {
        type: 'about:blank',
        title: 'Conflict',
        status: 409,
        detail: 'work order W1 is already answered',
        code: 'work_order.already_replied',
        instance: '/api/work-orders/W1/reply',
      },
      headers: {},
      unexpected: false,
    });
  });

  it('maps a domain NotFound to 404', () => {
    expect(toProblem(new NotFound('complaint.not_found', 'no complaint C9')).body).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'no complaint C9',
      code: 'complaint.not_found',
    });
  });

  it('maps a stale revision to 412 with the current revision and its ETag', () => {
    const { body, headers } = toProblem(new PreconditionFailed(7));
    expect(body).toMatchObject({ status: 412, title: 'Precondition Failed', code: 'precondition_failed', currentRevision: 7 });
    expect(body.detail).toBe('the resource has changed: it is at revision 7');
    expect(headers).toEqual({ ETag: '"7"' });
  });

  it.each([
    [new Forbidden('the analyst role may not register complaints'), 403, 'Forbidden', 'forbidden'],
    [new ResourceNotFound('no work order W9'), 404, 'Not Found', 'not_found'],
    [new Unauthenticated('the token is malformed'), 401, 'Unauthorized', 'unauthenticated'],
    [new ProblemException({ status: 409, detail: 'kept changing', code: 'concurrent_update' }), 409, 'Conflict', 'concurrent_update'],
  ])('maps %s to its status', (error, status, title, code) => {
    expect(toProblem(error).body).toMatchObject({ type: 'about:blank', status, title, code, detail: error.problem.detail });
  });

  it('lists the field errors of a 400', () => {
    const errors = [
      { field: 'customer.msisdn', message: 'msisdn must be a string' },
      { field: 'extra', message: 'property extra should not exist' },
    ];
    expect(toProblem(new RequestValidationFailed(errors)).body).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'the request is invalid: 2 fields are wrong',
      code: 'validation_failed',
      errors,
    });
  });

  it('challenges for a bearer token on every 401', () => {
    expect(toProblem(new Unauthenticated('no token')).headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
    expect(toProblem(new UnauthorizedException()).headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
  });

  it.each([
    [new NotFoundException('Cannot GET /api/nothing'), 404, 'Cannot GET /api/nothing', 'not_found'],
    [new BadRequestException(['a is wrong', 'b is wrong']), 400, 'a is wrong; b is wrong', 'bad_request'],
    [new ConflictException(), 409, 'Conflict', 'conflict'],
    // how Nest hands over Fastify's own errors
    [new HttpException("Body is not valid JSON but content-type is set to 'application/json'", 400), 400, "Body is not valid JSON but content-type is set to 'application/json'", 'bad_request'],
    [new HttpException('Unsupported Media Type', 415), 415, 'Unsupported Media Type', 'unsupported_media_type'],
    [new PayloadTooLargeException('Request body is too large'), 413, 'Request body is too large', 'payload_too_large'],
    [new ServiceUnavailableException('the event store is closing'), 503, 'the event store is closing', 'unavailable'],
  ])('maps Nest and Fastify HTTP errors: %s', (error, status, detail, code) => {
    expect(toProblem(error).body).toMatchObject({ status, detail, code });
  });

  it('answers anything else with a bare 500, flagged as unexpected', () => {
    expect(toProblem(new TypeError("Cannot read properties of undefined (reading 'revision')"), '/api/x')).toEqual({
      body: { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: INTERNAL_ERROR_DETAIL, code: 'internal_error', instance: '/api/x' },
      headers: {},
      unexpected: true,
    });
    expect(toProblem('a thrown string').unexpected).toBe(true);
  });

  it('does not repeat the message of a 500 HttpException either', () => {
    expect(toProblem(new InternalServerErrorException('connection to db-3.internal:5432 refused')).body.detail).toBe(INTERNAL_ERROR_DETAIL);
  });
});
