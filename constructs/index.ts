export * from './agent-access';
export * from './ci-access';
export * from './fleet';
export * from './monitoring';
export * from './providers';
export * from './state-backend';
