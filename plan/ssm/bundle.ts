/**
 * The playbook bundle State Manager downloads: a zip of the Ansible tree, the
 * same bytes for the same content whoever builds it and when. Entries are
 * sorted by path, stored (no compression, so no zlib version changes the
 * bytes), dated 1980-01-01 00:00 (the zip epoch) and marked mode 0644; the
 * object key is the SHA-256 of the bytes, so a changed playbook is a new key
 * in the synth diff and an unchanged one is no change at all.
 *
 * Format: PKWARE APPNOTE.TXT 6.3.10, sections 4.3.7 (local file header),
 * 4.3.12 (central directory header), 4.3.16 (end of central directory) and
 * 4.4.4 (general purpose bit 11: names are UTF-8),
 * https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT.
 * The stage's SSM document (plan/ssm/ssm-document.ts) downloads it, checks
 * its SHA-256 against the key, and unpacks it with Python's zipfile before
 * running playbooks/ssm-apply.yml (a path inside the zip), as
 * AWS-ApplyAnsiblePlaybooks does with a .zip source:
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-state-manager-ansible.html.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** One file of the bundle: its path inside the zip (`/`-separated, relative) and its bytes. */
export interface BundleFile {
  readonly path: string;
  readonly bytes: Buffer;
}

/** A built bundle: the zip, its SHA-256 (hex) and the S3 key derived from it. */
export interface PlaybookBundle {
  readonly bytes: Buffer;
  readonly sha256: string;
  /** `bundles/<sha256>.zip` */
  readonly key: string;
  /** Paths inside the zip, sorted. */
  readonly paths: readonly string[];
}

/** Prefix of the bundles in a stage's SSM bucket (the hosts may read only this prefix). */
export const BUNDLE_PREFIX = 'bundles/';

/** MS-DOS date of 1980-01-01 (the zip epoch): ((1980 - 1980) << 9) | (1 << 5) | 1; the time is 00:00:00 (0). */
const DOS_DATE_1980_01_01 = 0x0021;
/** Version needed to extract: 2.0 (stored entries, UTF-8 names). */
const VERSION_NEEDED = 20;
/** Version made by: 3 (UNIX) in the high byte, so the external attributes carry a mode; 2.0 in the low byte. */
const VERSION_MADE_BY = (3 << 8) | 20;
/** General purpose bit 11: the name is UTF-8. */
const FLAG_UTF8 = 1 << 11;
/** External attributes of a regular file, mode 0644, in the UNIX high half. */
const EXTERNAL_ATTRS = (0o100644 << 16) >>> 0;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC, the zip checksum) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A stored (uncompressed) zip of `files` in the order given; throws on a path the zip cannot hold. */
export function zipStored(files: readonly BundleFile[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.path, 'utf8');
    if (file.path.length === 0 || file.path.startsWith('/') || file.path.split('/').includes('..') || name.length > 0xffff) {
      throw new Error(`zipStored: path: got ${JSON.stringify(file.path)}, expected a relative path without ".." of at most 65535 bytes`);
    }
    if (file.bytes.length > 0xfffffffe || offset > 0xfffffffe) throw new Error(`zipStored: ${file.path}: got more than 4 GiB, expected a bundle without zip64`);
    const crc = crc32(file.bytes);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(FLAG_UTF8, 6);
    local.writeUInt16LE(0, 8); // method: stored
    local.writeUInt16LE(0, 10); // time 00:00:00
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(file.bytes.length, 18);
    local.writeUInt32LE(file.bytes.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // no extra field (no timestamps, uid or gid)
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(VERSION_MADE_BY, 4);
    central.writeUInt16LE(VERSION_NEEDED, 6);
    central.writeUInt16LE(FLAG_UTF8, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(DOS_DATE_1980_01_01, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(file.bytes.length, 20);
    central.writeUInt32LE(file.bytes.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number, internal attributes: 0
    central.writeUInt32LE(EXTERNAL_ATTRS, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, file.bytes);
    centrals.push(central, name);
    offset += local.length + name.length + file.bytes.length;
  }
  if (files.length > 0xffff) throw new Error(`zipStored: got ${files.length} files, expected at most 65535 without zip64`);
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The bundle of `files`: sorted by path (byte order), zipped, hashed, keyed. Throws on a path given twice. */
export function playbookBundle(files: readonly BundleFile[]): PlaybookBundle {
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8')));
  sorted.forEach((file, i) => {
    if (i > 0 && sorted[i - 1].path === file.path) throw new Error(`playbookBundle: path ${file.path}: got it twice, expected each path once`);
  });
  const bytes = zipStored(sorted);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { bytes, sha256, key: `${BUNDLE_PREFIX}${sha256}.zip`, paths: sorted.map((f) => f.path) };
}

/** Names never bundled: version-control and editor leftovers, Python caches, Ansible retry files. */
function skipped(name: string): boolean {
  return name.startsWith('.') || name === '__pycache__' || name.endsWith('.retry') || name.endsWith('.pyc');
}

/**
 * The regular files under `dir` (relative `/` paths), without those whose
 * relative path `exclude` names and without skipped names. Symbolic links
 * are refused: their target is not content of the tree.
 */
export function readBundleFiles(dir: string, exclude: (relative: string) => boolean = () => false): BundleFile[] {
  const out: BundleFile[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (skipped(entry.name) || exclude(child)) continue;
      if (entry.isSymbolicLink()) throw new Error(`readBundleFiles: ${path.join(dir, child)}: got a symbolic link, expected regular files and directories`);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push({ path: child, bytes: fs.readFileSync(path.join(dir, child)) });
    }
  };
  walk('');
  return out;
}
