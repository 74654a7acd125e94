/**
 * Signed tree heads and record MACs.
 *
 * A signed tree head (STH) says "log L had N records whose Merkle tree head was R at time
 * T", signed with Ed25519. The signed bytes are plain text, so anyone can rebuild them:
 *
 *   concord-audit-tree-head/v1\n<log id>\n<tree size>\n<root hash, hex>\n<timestamp, ms since 1970>\n
 *
 * A record MAC is HMAC-SHA-256, under a key derived from the signing key, of the log id,
 * the record's sequence number and its leaf hash: it binds a record to its place.
 */
import { createHmac, type KeyObject, sign, verify } from 'node:crypto';
import { HASH_SIZE } from './merkle.ts';
import type { SigningKey } from './signing-key.ts';

export const TREE_HEAD_FORMAT = 'concord-audit-tree-head/v1';

export interface TreeHead {
  logId: string;
  treeSize: number;
  rootHash: Buffer;
  /** Milliseconds since 1970-01-01 UTC. */
  timestamp: number;
  /** SHA-256 of the signing public key (hex). */
  keyId: string;
  signature: Buffer;
}

export type UnsignedTreeHead = Pick<TreeHead, 'logId' | 'treeSize' | 'rootHash' | 'timestamp'>;

export function treeHeadMessage(head: UnsignedTreeHead): Buffer {
  return Buffer.from(`${TREE_HEAD_FORMAT}\n${head.logId}\n${head.treeSize}\n${head.rootHash.toString('hex')}\n${head.timestamp}\n`, 'utf8');
}

export function signTreeHead(key: SigningKey, head: UnsignedTreeHead): TreeHead {
  return { ...head, keyId: key.keyId, signature: sign(null, treeHeadMessage(head), key.privateKey) };
}

export function verifyTreeHead(publicKey: KeyObject, head: TreeHead): boolean {
  if (head.signature.length !== 64 || head.rootHash.length !== HASH_SIZE) return false;
  return verify(null, treeHeadMessage(head), publicKey, head.signature);
}

/** Two heads are the same statement, signature included. */
export function sameTreeHead(a: TreeHead, b: TreeHead): boolean {
  return (
    a.logId === b.logId &&
    a.treeSize === b.treeSize &&
    a.timestamp === b.timestamp &&
    a.rootHash.equals(b.rootHash) &&
    a.signature.equals(b.signature)
  );
}

const uuidBytes = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex');

export function recordMac(macKey: Buffer, logId: string, seq: number, leaf: Uint8Array): Buffer {
  const place = Buffer.alloc(8);
  place.writeBigUInt64BE(BigInt(seq));
  return createHmac('sha256', macKey).update(uuidBytes(logId)).update(place).update(leaf).digest();
}

/** A tree head as one JSON object: a line of the checkpoint file, an item of the API. */
export interface TreeHeadJson {
  logId: string;
  treeSize: number;
  rootHash: string;
  timestamp: number;
  keyId: string;
  signature: string;
}

export function treeHeadToJson(head: TreeHead): TreeHeadJson {
  return {
    logId: head.logId,
    treeSize: head.treeSize,
    rootHash: head.rootHash.toString('hex'),
    timestamp: head.timestamp,
    keyId: head.keyId,
    signature: head.signature.toString('base64'),
  };
}

/** Reads a head back; null when the object is not one. */
export function treeHeadFromJson(value: unknown): TreeHead | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (
    typeof v.logId !== 'string' ||
    !Number.isSafeInteger(v.treeSize) ||
    typeof v.rootHash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(v.rootHash) ||
    !Number.isSafeInteger(v.timestamp) ||
    typeof v.keyId !== 'string' ||
    typeof v.signature !== 'string'
  ) {
    return null;
  }
  return {
    logId: v.logId,
    treeSize: v.treeSize as number,
    rootHash: Buffer.from(v.rootHash, 'hex'),
    timestamp: v.timestamp as number,
    keyId: v.keyId,
    signature: Buffer.from(v.signature, 'base64'),
  };
}
