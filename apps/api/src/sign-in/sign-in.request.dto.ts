import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class SignInRequest {
  @ApiProperty({ example: 'desk-007' })
  @IsString()
  @IsNotEmpty({ message: 'username is required' })
  @MaxLength(64)
  username!: string;

  @ApiProperty({ example: 'demo-agent', format: 'password' })
  @IsString()
  @IsNotEmpty({ message: 'password is required' })
  // bcrypt reads 72 bytes at most; a longer "password" is a mistake or an attack on the hashing time
  @MaxLength(72)
  password!: string;
}
