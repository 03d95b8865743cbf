import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantDatabase } from './tenant-database.js';

export interface DatabaseModuleOptions {
  /** The application role's URL; migrations run elsewhere, as the owner. */
  appUrl: string;
  poolSize?: number;
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.appUrl,
          autoLoadEntities: true,
          synchronize: false,
          migrationsRun: false,
          logging: false,
          extra: { max: options.poolSize ?? 20, application_name: 'hub' },
        }),
      ],
      providers: [TenantDatabase],
      exports: [TenantDatabase],
    };
  }
}
