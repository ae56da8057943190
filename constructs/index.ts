export * from './agent-access';
export * from './fleet';
export * from './providers';
export * from './state-backend';
