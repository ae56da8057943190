export * from './batches';
export * from './inventory';
export * from './outputs';
