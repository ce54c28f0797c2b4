import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@/common/auth/public.decorator';
import { InstanceInfoResponseDto } from './info.dto';
import { InfoService } from './info.service';

@ApiTags('info')
@Controller(['api', 'query'])
export class InfoController {
  constructor(private readonly info: InfoService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Instance information', description: 'Name, owner, status and uptime; public.' })
  @ApiOkResponse({ type: InstanceInfoResponseDto })
  instanceInfo(): Promise<InstanceInfoResponseDto> {
    return this.info.instanceInfo();
  }
}
