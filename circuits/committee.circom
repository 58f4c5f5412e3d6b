pragma circom 2.1.0;

// Junction's zk trust path: proves that `signerCount` distinct members of a committee signed one
// statement with EdDSA over Baby Jubjub (Poseidon), against the committee's commitment — the Poseidon
// Merkle root of its members' public keys — without revealing who signed. The statement is
// Poseidon(fields); ZkVerifier.sol gives the fields their meaning (an epoch's commitment to the Outbox
// checkpoints of every rollup, or the hand-over to the next committee) and checks signerCount against
// the committee's threshold. The number of rollups never reaches the circuit: they are folded into the
// commitment, so one proof per epoch covers all of them. Every line here is Junction's; the gadgets come from circomlib.

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

/// Root of a Poseidon Merkle tree from a leaf, its index bits (least significant first) and siblings.
template MerkleRoot(depth) {
    signal input leaf;
    signal input indexBits[depth];
    signal input siblings[depth];
    signal output root;

    component hashes[depth];
    signal nodes[depth + 1];
    signal left[depth];
    signal right[depth];
    nodes[0] <== leaf;
    for (var level = 0; level < depth; level++) {
        // bit 0: the node is the left child; bit 1: the right one.
        left[level] <== nodes[level] + indexBits[level] * (siblings[level] - nodes[level]);
        right[level] <== siblings[level] + indexBits[level] * (nodes[level] - siblings[level]);
        hashes[level] = Poseidon(2);
        hashes[level].inputs[0] <== left[level];
        hashes[level].inputs[1] <== right[level];
        nodes[level + 1] <== hashes[level].out;
    }
    root <== nodes[depth];
}

/// `slots` signature slots over a committee of up to 2^depth members; enabled slots come first and
/// name members in strictly increasing order, so no member counts twice.
template CommitteeSignatures(depth, slots, nFields) {
    signal input committeeRoot;
    signal input signerCount;
    signal input fields[nFields];

    signal input enabled[slots];
    signal input memberIndex[slots];
    signal input Ax[slots];
    signal input Ay[slots];
    signal input R8x[slots];
    signal input R8y[slots];
    signal input S[slots];
    signal input siblings[slots][depth];

    component statement = Poseidon(nFields);
    for (var i = 0; i < nFields; i++) statement.inputs[i] <== fields[i];

    var count = 0;
    component indexBits[slots];
    component leaves[slots];
    component paths[slots];
    component rootMatches[slots];
    component signatures[slots];
    component increasing[slots];
    for (var i = 0; i < slots; i++) {
        enabled[i] * (enabled[i] - 1) === 0;
        if (i > 0) {
            // An enabled slot follows an enabled slot, and names a later member.
            enabled[i] * (1 - enabled[i - 1]) === 0;
            increasing[i] = LessThan(depth + 1);
            increasing[i].in[0] <== memberIndex[i - 1];
            increasing[i].in[1] <== memberIndex[i];
            enabled[i] * (1 - increasing[i].out) === 0;
        }
        count += enabled[i];

        indexBits[i] = Num2Bits(depth);
        indexBits[i].in <== memberIndex[i];

        leaves[i] = Poseidon(2);
        leaves[i].inputs[0] <== Ax[i];
        leaves[i].inputs[1] <== Ay[i];

        paths[i] = MerkleRoot(depth);
        paths[i].leaf <== leaves[i].out;
        for (var level = 0; level < depth; level++) {
            paths[i].indexBits[level] <== indexBits[i].out[level];
            paths[i].siblings[level] <== siblings[i][level];
        }
        rootMatches[i] = ForceEqualIfEnabled();
        rootMatches[i].enabled <== enabled[i];
        rootMatches[i].in[0] <== paths[i].root;
        rootMatches[i].in[1] <== committeeRoot;

        signatures[i] = EdDSAPoseidonVerifier();
        signatures[i].enabled <== enabled[i];
        signatures[i].Ax <== Ax[i];
        signatures[i].Ay <== Ay[i];
        signatures[i].R8x <== R8x[i];
        signatures[i].R8y <== R8y[i];
        signatures[i].S <== S[i];
        signatures[i].M <== statement.out;
    }
    signerCount === count;
}

// 4 members (depth 2), up to 3 signatures, statement of 6 fields: [1, epochRootHigh128, epochRootLow128,
// 0, 0, 0] for an epoch's checkpoints, or [2, sourceChainId, nextRoot, nextThreshold, epoch, currentRoot]
// for a committee hand-over.
component main {public [committeeRoot, signerCount, fields]} = CommitteeSignatures(2, 3, 6);
