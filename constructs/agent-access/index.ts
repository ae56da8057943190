export * from './agent-access';
