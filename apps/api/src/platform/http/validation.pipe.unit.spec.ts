import { Type } from 'class-transformer';
import { IsArray, IsIn, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { RequestValidationFailed } from './problem.exception';
import { createValidationPipe } from './validation.pipe';

class CustomerDto {
  @IsString() @Length(11, 11) msisdn!: string;
  @IsOptional() @IsIn(['personal', 'corporate']) accountType?: string;
}

class ContactDto {
  @IsString() phone!: string;
}

class RegisterDto {
  @IsString() channel!: string;
  @ValidateNested() @Type(() => CustomerDto) customer!: CustomerDto;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => ContactDto) contacts?: ContactDto[];
}

async function validate(value: unknown): Promise<unknown> {
  return createValidationPipe().transform(value, { type: 'body', metatype: RegisterDto });
}

async function fieldErrors(value: unknown) {
  try {
    await validate(value);
  } catch (error) {
    if (error instanceof RequestValidationFailed) return error.errors;
    throw error;
  }
  throw new Error('expected the body to be refused');
}

describe('the validation pipe', () => {
  it('turns a valid body into the DTO', async () => {
    const dto = await validate({ channel: 'desk', customer: { msisdn: '13800000000' } });
    expect(dto).toBeInstanceOf(RegisterDto);
    expect((dto as RegisterDto).customer).toBeInstanceOf(CustomerDto);
  });

  it('names every bad field once, by its full path, with all its broken rules,, unknown properties included', async () => {
    expect(
      await fieldErrors({ customer: { msisdn: 138, accountType: 'vip', age: 3 }, contacts: [{ phone: '1' }, { phone: 2, fax: '3' }], extra: 1 }),
    ).toEqual([
      { field: 'extra', message: 'property extra should not exist' },
      { field: 'channel', message: 'channel must be a string' },
      { field: 'customer.age', message: 'property age should not exist' },
      { field: 'customer.msisdn', message: 'msisdn must be longer than or equal to 11 and shorter than or equal to 11 characters; msisdn must be a string' },
      { field: 'customer.accountType', message: 'accountType must be one of the following values: personal, corporate' },
      { field: 'contacts[1].fax', message: 'property fax should not exist' },
      { field: 'contacts[1].phone', message: 'phone must be a string' },
    ]);
  });

  it('refuses a missing body field by field rather than crashing', async () => {
    // class-validator skips @ValidateNested on an absent value: a required
    // nested object needs @IsDefined() (or @IsObject()) in its DTO as well.
    expect(await fieldErrors(undefined)).toEqual([{ field: 'channel', message: 'channel must be a string' }]);
  });
});
