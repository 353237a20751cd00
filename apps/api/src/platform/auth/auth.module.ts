import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { JwtAuthGuard } from './jwt-auth.guard';
import { RolesGuard } from './roles.guard';
import { TokenService } from './token.service';

/**
 * Authentication and role checks for every route. Guards run in the order
 * listed: who is calling, then whether that role may call.
 */
@Module({
  providers: [
    { provide: TokenService, useFactory: (config: AppConfig) => new TokenService(config.jwtSecret), inject: [APP_CONFIG] },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [TokenService],
})
export class AuthModule {}
