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
  let text: string;
  try {
    text = fs.readFileSync(full, 'utf8');
  } catch (e) {
    return problem(`a file that could not be read (${reason(e)})`, `${what} this user may read`);
  }
  // Bytes that are not UTF-8 decode to U+FFFD; a NUL byte means a binary file. Either way the values would be garbled.
  const bad = [text.indexOf('\uFFFD'), text.indexOf('\u0000')].filter((i) => i >= 0).sort((a, b) => a - b)[0] ?? -1;
  if (bad >= 0) {
    const line = text.slice(0, bad).split('\n').length;
    return { problem: { file: rel, line, path: '', got: 'bytes that are not UTF-8 text', expected: `${what} in UTF-8` } };
  }
  return { text };
}

/** The entries of the directory `full` (shown as `rel`), or the problem that stops it being listed. */
export function listConfigDir(full: string, rel: string, what: string): { names: string[] } | { problem: Problem } {
  try {
    return { names: fs.readdirSync(full) };
  } catch (e) {
    return { problem: { file: rel, line: 1, path: '', got: `a directory that could not be listed (${reason(e)})`, expected: `${what} this user may read` } };
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
    case 'ENOTDIR':
      return 'it is not a directory';
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
