/**
 * The audit log's signing key, kept outside the database: an Ed25519 private key in a
 * PKCS#8 PEM file that only its owner may read (mode 0600). By default it sits in the data
 * directory (`audit-signing-key.pem`); CONCORD_AUDIT_KEY_FILE names another place, which
 * several servers sharing one database must all point at. The sealer creates the key on
 * first start; verification only ever reads it.
 *
 * From the same secret comes the key of the per-record MAC (HKDF-SHA-256), so whoever holds
 * the key file can say which record was touched, not only that the tree no longer matches.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../../config.ts';

export interface AuditFiles {
  /** The private signing key (PKCS#8 PEM, mode 0600). */
  keyFile: string;
  /** Every signed tree head, one JSON line each, appended as the sealer signs them. */
  checkpointFile: string;
  /** The last tree this server's verification found intact, to verify from next time. */
  verifiedFile: string;
}

/** Where the audit log's files live: the data directory unless the environment names a place. */
export function auditFiles(config: Pick<Config, 'dataDir'>, env: NodeJS.ProcessEnv = process.env): AuditFiles {
  return {
    keyFile: env.CONCORD_AUDIT_KEY_FILE ? resolve(env.CONCORD_AUDIT_KEY_FILE) : join(config.dataDir, 'audit-signing-key.pem'),
    checkpointFile: env.CONCORD_AUDIT_CHECKPOINT_FILE
      ? resolve(env.CONCORD_AUDIT_CHECKPOINT_FILE)
      : join(config.dataDir, 'audit-checkpoints.jsonl'),
    verifiedFile: join(config.dataDir, 'audit-verified.json'),
  };
}

export class AuditKeyError extends Error {}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SubjectPublicKeyInfo PEM: what anyone needs to check a signed tree head. */
  publicKeyPem: string;
  /** SHA-256 of the public key's DER form, in hex: names the key in every head. */
  keyId: string;
  /** The key of the per-record MAC. */
  macKey: Buffer;
}

const MAC_INFO = 'concord audit record mac v1';

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function fromPrivateKey(privateKey: KeyObject, file: string): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new AuditKeyError(`${file} holds a ${privateKey.asymmetricKeyType} key; the audit log is signed with an Ed25519 key.`);
  }
  const publicKey = createPublicKey(privateKey);
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url');
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    keyId: keyIdOf(publicKey),
    macKey: Buffer.from(hkdfSync('sha256', seed, Buffer.alloc(0), MAC_INFO, 32)),
  };
}

function readKey(file: string): SigningKey {
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new AuditKeyError(
      `The audit signing key ${file} can be read by other users (mode ${mode.toString(8)}). Make it readable by its owner only: chmod 600 ${file}`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  } catch {
    throw new AuditKeyError(`${file} does not hold a PEM private key.`);
  }
  return fromPrivateKey(privateKey, file);
}

/** The signing key, or null when there is none yet (verification never creates one). */
export function readSigningKey(file: string): SigningKey | null {
  try {
    statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return readKey(file);
}

/** The signing key, made on first use: a new Ed25519 key written with mode 0600. */
export function loadOrCreateSigningKey(file: string): SigningKey {
  const existing = readSigningKey(file);
  if (existing) return existing;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    // 'wx': never overwrite a key another process wrote a moment ago.
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readKey(file);
}
