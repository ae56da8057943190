export * from './s3-backend';
export * from './state-storage';
