export * from './aws-provider';
export * from './datadog-provider';
