import { Module } from '@nestjs/common';
import { LogShippingService } from './log-shipping.service';

@Module({ providers: [LogShippingService], exports: [LogShippingService] })
export class LogShippingModule {}
