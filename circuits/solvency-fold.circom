pragma circom 2.1.0;

// Proof of solvency's fold: combines eight proven nodes of the liabilities tree at one height into
// their ancestor three levels up, so the batches of circuits/solvency.circom (8 leaves each) fold into
// the root of a tree of any size (depth a multiple of 3). Public: the 8 child node hashes, the parent's
// hash and the asset's reserves; private: each child's two children (hash, sum) — the preimage of its
// hash, which commits both sums (src/protocol/sum-tree.ts: a parent is
// Poseidon(left.hash, left.sum, right.hash, right.sum), its sum left.sum + right.sum). A child's sum is
// therefore fixed by its hash: the prover cannot choose it. Every sum is range-checked below 2^128 and
// the parent's total must be at most `reserves` (the registry passes the asset's recorded reserves: any
// subtree of a covered tree is covered too). The registry accepts a child only if it was proven itself
// (a batch or a fold) or is the public padding node of its height. Every line here is Junction's; the
// gadgets come from circomlib.

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

template SolvencyFold() {
    signal input child[8];
    signal input parent;
    signal input reserves;
    signal input grandHash[8][2];
    signal input grandSum[8][2];

    // Nodes in heap order: node 1 is the parent, the children are nodes 8 .. 15.
    signal hash[16];
    signal sum[16];

    component inRange[8][2];
    component opened[8];
    for (var i = 0; i < 8; i++) {
        for (var j = 0; j < 2; j++) {
            // A "negative" sum is p - x: it has no 128-bit decomposition.
            inRange[i][j] = Num2Bits(128);
            inRange[i][j].in <== grandSum[i][j];
        }
        opened[i] = Poseidon(4);
        opened[i].inputs[0] <== grandHash[i][0];
        opened[i].inputs[1] <== grandSum[i][0];
        opened[i].inputs[2] <== grandHash[i][1];
        opened[i].inputs[3] <== grandSum[i][1];
        opened[i].out === child[i];
        hash[8 + i] <== child[i];
        sum[8 + i] <== grandSum[i][0] + grandSum[i][1];
    }

    component node[8];
    for (var k = 7; k >= 1; k--) {
        node[k] = Poseidon(4);
        node[k].inputs[0] <== hash[2 * k];
        node[k].inputs[1] <== sum[2 * k];
        node[k].inputs[2] <== hash[2 * k + 1];
        node[k].inputs[3] <== sum[2 * k + 1];
        hash[k] <== node[k].out;
        sum[k] <== sum[2 * k] + sum[2 * k + 1];
    }
    parent === hash[1];

    // 16 sums below 2^128 add up to less than 2^132; the reserves must fit 128 bits.
    component reservesRange = Num2Bits(128);
    reservesRange.in <== reserves;
    component covered = LessEqThan(132);
    covered.in[0] <== sum[1];
    covered.in[1] <== reserves;
    covered.out === 1;
}

component main {public [child, parent, reserves]} = SolvencyFold();
