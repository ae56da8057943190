export * from './ci-access';
