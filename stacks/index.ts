export * from './app';
export * from './infra-stack';
export * from './observability-stack';
export * from './state-stack';
export * from './tags';
