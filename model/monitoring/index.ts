export * from './burn-rate';
export * from './duration';
export * from './load';
export * from './query';
export * from './resolve';
export * from './schema';
export * from './types';
