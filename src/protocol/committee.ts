// The zk path's committee: members hold Baby Jubjub EdDSA keys (Poseidon flavour, as circomlib's
// EdDSAPoseidonVerifier checks), the committee is committed to by the Poseidon Merkle root of its
// members' public keys, and members sign statements of 6 field elements: the root of an epoch's tree of
// every rollup's checkpoint (protocol/epoch.ts) or the hand-over to the next committee. Twin of
// circuits/committee.circom and ZkVerifier.sol.
import { buildEddsa, buildPoseidon, type Eddsa, type Poseidon } from "circomlibjs";
import { type Hex, hexToBigInt, hexToBytes, keccak256, toHex } from "viem";

/** Circuit constants: 4 members (depth 2), up to 3 signatures, 6 statement fields. */
export const COMMITTEE_DEPTH = 2;
export const COMMITTEE_SIZE = 2 ** COMMITTEE_DEPTH;
export const SIGNATURE_SLOTS = 3;
export const STATEMENT_FIELDS = 6;
export const STATEMENT_EPOCH = 1n;
export const STATEMENT_ROTATION = 2n;

const LOW_128 = (1n << 128n) - 1n;

type Crypto = { eddsa: Eddsa; poseidon: Poseidon };
let crypto: Promise<Crypto> | undefined;

/** circomlibjs builds its hashers from WebAssembly once; every caller shares them. */
export function zkCrypto(): Promise<Crypto> {
  crypto ??= Promise.all([buildEddsa(), buildPoseidon()]).then(([eddsa, poseidon]) => ({ eddsa, poseidon }));
  return crypto;
}

export type Member = { privateKey: Hex; Ax: bigint; Ay: bigint };
export type Committee = { members: Member[]; leaves: bigint[]; levels: bigint[][]; root: bigint };
export type MemberSignature = { memberIndex: number; R8x: bigint; R8y: bigint; S: bigint };

export class CommitteeError extends Error {
  override name = "CommitteeError" as const;
}

/** Deterministic development keys for a committee: never use them outside a devnet. */
export function devCommitteeKeys(label: string, size = COMMITTEE_SIZE): Hex[] {
  return Array.from({ length: size }, (_, i) => keccak256(toHex(`junction devnet committee ${label} ${i}`)));
}

export async function buildCommittee(privateKeys: readonly Hex[]): Promise<Committee> {
  if (privateKeys.length === 0 || privateKeys.length > COMMITTEE_SIZE) {
    throw new CommitteeError(`a committee has 1 to ${COMMITTEE_SIZE} members, got ${privateKeys.length}`);
  }
  const { eddsa, poseidon } = await zkCrypto();
  const F = eddsa.F;
  const members = privateKeys.map((privateKey) => {
    const [x, y] = eddsa.prv2pub(hexToBytes(privateKey));
    return { privateKey, Ax: F.toObject(x), Ay: F.toObject(y) };
  });
  const hash = (inputs: bigint[]) => poseidon.F.toObject(poseidon(inputs));
  // Empty seats are zero leaves: no key hashes to zero, so nobody can prove membership of one.
  const leaves = Array.from({ length: COMMITTEE_SIZE }, (_, i) => {
    const member = members[i];
    return member ? hash([member.Ax, member.Ay]) : 0n;
  });
  const levels: bigint[][] = [leaves];
  for (let level = 0; level < COMMITTEE_DEPTH; level++) {
    const below = levels[level] as bigint[];
    const above: bigint[] = [];
    for (let i = 0; i < below.length; i += 2) above.push(hash([below[i] as bigint, below[i + 1] as bigint]));
    levels.push(above);
  }
  return { members, leaves, levels, root: (levels[COMMITTEE_DEPTH] as bigint[])[0] as bigint };
}

/** A bytes32 split into the two 128-bit halves the circuit hashes (one field element cannot hold 256 bits). */
export function splitRoot(root: Hex): [bigint, bigint] {
  const value = hexToBigInt(root);
  return [value >> 128n, value & LOW_128];
}

/**
 * Statement of one epoch: the root of its tree of every rollup's checkpoint (protocol/epoch.ts), its
 * number (strictly above the committee's last imported one) and its domain: the ZkVerifier's address,
 * the same on every destination of a deployment, so the statement is never taken by another deployment.
 */
export function epochStatement(epoch: { root: Hex; number: bigint; verifier: Hex }): bigint[] {
  if (epoch.number <= 0n || epoch.number >= 1n << 64n) {
    throw new CommitteeError(`an epoch number is 1 to 2^64 - 1, got ${epoch.number}`);
  }
  return [STATEMENT_EPOCH, ...splitRoot(epoch.root), epoch.number, hexToBigInt(epoch.verifier), 0n];
}

/**
 * Statement handing `sourceChainId`'s committee `currentRoot` over to `nextRoot` with `nextThreshold`,
 * as `epoch`. Naming the outgoing committee stops a replay against another committee at that epoch.
 */
export function rotationStatement(rotation: {
  sourceChainId: bigint;
  currentRoot: bigint;
  nextRoot: bigint;
  nextThreshold: bigint;
  epoch: bigint;
}): bigint[] {
  const { sourceChainId, currentRoot, nextRoot, nextThreshold, epoch } = rotation;
  return [STATEMENT_ROTATION, sourceChainId, nextRoot, nextThreshold, epoch, currentRoot];
}

export async function signStatement(
  committee: Committee,
  memberIndex: number,
  fields: readonly bigint[],
): Promise<MemberSignature> {
  const member = committee.members[memberIndex];
  if (!member) throw new CommitteeError(`no committee member ${memberIndex}`);
  const { eddsa, poseidon } = await zkCrypto();
  const message = poseidon([...fields]);
  const signature = eddsa.signPoseidon(hexToBytes(member.privateKey), message);
  const F = eddsa.F;
  return { memberIndex, R8x: F.toObject(signature.R8[0]), R8y: F.toObject(signature.R8[1]), S: signature.S };
}

/** The circuit's input: signatures in increasing member order in the first slots, the rest disabled. */
export function witnessInput(
  committee: Committee,
  fields: readonly bigint[],
  signatures: readonly MemberSignature[],
) {
  if (fields.length !== STATEMENT_FIELDS)
    throw new CommitteeError(`a statement has ${STATEMENT_FIELDS} fields`);
  if (signatures.length === 0 || signatures.length > SIGNATURE_SLOTS) {
    throw new CommitteeError(`1 to ${SIGNATURE_SLOTS} signatures fit one proof, got ${signatures.length}`);
  }
  const sorted = [...signatures].sort((a, b) => a.memberIndex - b.memberIndex);
  // Disabled slots repeat the first signature: well-formed values the circuit does not check.
  const slots = Array.from(
    { length: SIGNATURE_SLOTS },
    (_, i) => sorted[i] ?? (sorted[0] as MemberSignature),
  );
  const text = (value: bigint | number) => value.toString();
  return {
    committeeRoot: text(committee.root),
    signerCount: text(signatures.length),
    fields: fields.map(text),
    enabled: slots.map((_, i) => text(i < sorted.length ? 1 : 0)),
    memberIndex: slots.map((slot) => text(slot.memberIndex)),
    Ax: slots.map((slot) => text(committee.members[slot.memberIndex]?.Ax ?? 0n)),
    Ay: slots.map((slot) => text(committee.members[slot.memberIndex]?.Ay ?? 0n)),
    R8x: slots.map((slot) => text(slot.R8x)),
    R8y: slots.map((slot) => text(slot.R8y)),
    S: slots.map((slot) => text(slot.S)),
    siblings: slots.map((slot) =>
      Array.from({ length: COMMITTEE_DEPTH }, (_, level) => {
        const index = (slot.memberIndex >> level) ^ 1;
        return text((committee.levels[level] as bigint[])[index] ?? 0n);
      }),
    ),
  };
}
