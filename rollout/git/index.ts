export * from './git';
export * from './synth-ref';
export * from './worktree';
