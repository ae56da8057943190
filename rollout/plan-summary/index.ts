export * from './plan';
export * from './render';
export * from './summary';
