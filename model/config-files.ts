/**
 * Reading configuration files so that nothing escapes the problem format: a
 * directory or a dangling symbolic link where a file should be, or a file
 * this user may not read, is one located problem in words, never a raw Node
 * error code.
 */
import * as fs from 'fs';
import type { Problem } from './errors';

/** The text of `full` (shown as `rel`), or the problem that stops it being read. */
export function readConfigFile(full: string, rel: string, what: string): { text: string } | { problem: Problem } {
  const problem = (got: string, expected: string): { problem: Problem } => ({ problem: { file: rel, line: 1, path: '', got, expected } });
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch (e) {
    if (errorCode(e) === 'ENOENT' && isSymlink(full)) return problem(`a symbolic link to ${JSON.stringify(linkTarget(full))}, which does not exist`, what);
    return problem(`a file that could not be opened (${reason(e)})`, what);
  }
  if (stat.isDirectory()) return problem('a directory', what);
  if (!stat.isFile()) return problem('something other than a regular file (a device, socket or pipe)', what);
  try {
    return { text: fs.readFileSync(full, 'utf8') };
  } catch (e) {
    return problem(`a file that could not be read (${reason(e)})`, `${what} this user may read`);
  }
}

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** A Node file error in words (the codes mean nothing to most readers). */
function reason(e: unknown): string {
  switch (errorCode(e)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'it does not exist';
    case 'ELOOP':
      return 'a loop of symbolic links';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'EIO':
      return 'an input/output error of the disk';
    default:
      return 'the system refused it';
  }
}

function isSymlink(full: string): boolean {
  try {
    return fs.lstatSync(full).isSymbolicLink();
  } catch {
    return false;
  }
}

function linkTarget(full: string): string {
  try {
    return fs.readlinkSync(full);
  } catch {
    return '?';
  }
}
