export * from './errors';
export * from './hash';
export * from './load';
export * from './stage';
export * from './stage-schema';
