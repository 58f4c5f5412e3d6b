pragma circom 2.1.0;

// Proof of solvency's private check of one batch of the liabilities tree: 2^depth leaves
// (saltedId, balance) — padding leaves are (0, 0) — form a Merkle-sum subtree whose root hash is the
// public `rootHash`; every balance is below 2^96; and the subtree's total is at most the public
// `reserves`, without revealing any balance or the total. The hashing is src/protocol/sum-tree.ts's:
// a leaf is Poseidon(saltedId, balance), a parent Poseidon(left.hash, left.sum, right.hash, right.sum)
// (both children's sums committed, ePrint 2018/1139). Every line here is Junction's; the gadgets come
// from circomlib.

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

template SolvencyBatch(depth) {
    var n = 1 << depth;
    signal input saltedId[n];
    signal input balance[n];
    signal input rootHash;
    signal input reserves;

    // Nodes in heap order: node 1 is the root, node k's children are 2k and 2k+1, leaves are n .. 2n-1.
    signal hash[2 * n];
    signal sum[2 * n];

    component inRange[n];
    component leaf[n];
    for (var i = 0; i < n; i++) {
        // A balance of 2^96 or more (a "negative" one is p - x, far larger) has no 96-bit decomposition.
        inRange[i] = Num2Bits(96);
        inRange[i].in <== balance[i];
        leaf[i] = Poseidon(2);
        leaf[i].inputs[0] <== saltedId[i];
        leaf[i].inputs[1] <== balance[i];
        hash[n + i] <== leaf[i].out;
        sum[n + i] <== balance[i];
    }

    component parent[n];
    for (var k = n - 1; k >= 1; k--) {
        parent[k] = Poseidon(4);
        parent[k].inputs[0] <== hash[2 * k];
        parent[k].inputs[1] <== sum[2 * k];
        parent[k].inputs[2] <== hash[2 * k + 1];
        parent[k].inputs[3] <== sum[2 * k + 1];
        hash[k] <== parent[k].out;
        sum[k] <== sum[2 * k] + sum[2 * k + 1];
    }
    rootHash === hash[1];

    // The total (below 2^(96 + depth)) is at most the reserves, which must fit 128 bits themselves.
    component reservesRange = Num2Bits(128);
    reservesRange.in <== reserves;
    component covered = LessEqThan(128);
    covered.in[0] <== sum[1];
    covered.in[1] <== reserves;
    covered.out === 1;
}

component main {public [rootHash, reserves]} = SolvencyBatch(3);
