import { BadRequestException, ConflictException } from '@nestjs/common';
import { CommandRefused, NotFound } from '@complaints/domain/shared/domain-error';
import { Forbidden, PreconditionFailed, RequestValidationFailed, ResourceNotFound } from '../http/problem.exception';
import { commandOutcomeOf } from './command-outcome';

describe('commandOutcomeOf', () => {
  it.each([
    [new CommandRefused('work_order.already_replied', 'already answered'), 'refused'],
    [new NotFound('complaint.not_found', 'no complaint C9'), 'not_found'],
    [new ResourceNotFound('no complaint C9'), 'not_found'],
    [new PreconditionFailed(4), 'conflict'],
    [new ConflictException('kept changing'), 'conflict'],
    [new Forbidden('not your branch'), 'forbidden'],
    [new RequestValidationFailed([]), 'invalid'],
    [new BadRequestException(), 'invalid'],
    [new Error('disk full'), 'error'],
    ['thrown string', 'error'],
  ])('%s is %s', (error, outcome) => {
    expect(commandOutcomeOf(error)).toBe(outcome);
  });
});
