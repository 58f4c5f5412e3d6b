// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {CheckpointLeaf} from "../hub/CheckpointLeaf.sol";
import {IVerifier} from "../interfaces/IVerifier.sol";

/// @notice The snarkjs-exported Groth16 verifier of circuits/committee.circom.
interface IGroth16Verifier {
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[8] calldata publicSignals
    ) external view returns (bool);
}

/// @title ZkVerifier
/// @notice The zero-knowledge trust path on a destination rollup: a light client of each source's
///         committee. It stores a commitment to every source's committee (the Poseidon Merkle root of its
///         members' Baby Jubjub keys) and its threshold. Once per epoch the committee signs ONE statement:
///         the root of a Merkle tree of every rollup's newest Outbox checkpoint (chain id, count, root).
///         `submitEpoch` takes the checkpoints, rebuilds that tree and verifies one Groth16 proof that
///         enough members signed its root; it stores one word, whatever the number of rollups. A message
///         then proves its source's checkpoint with the checkpoint's path in the epoch tree.
///         Imported epochs are final at once: no window, no bond.
/// @dev Public signals, in circuit order: committeeRoot, signerCount, then 6 statement fields — for an
///      epoch [1, epochRootHigh128, epochRootLow128, 0, 0, 0], for a hand-over [2, sourceChainId,
///      nextRoot, nextThreshold, epoch, currentRoot]: the outgoing committee is signed, so a hand-over can
///      never be replayed against another committee that reuses the epoch. The epoch tree's leaves are
///      CheckpointLeaf.hash(chainId, count, root) in increasing chain id order,
///      hashed in pairs with Hashes.commutativeKeccak256, an odd node carried up unchanged.
contract ZkVerifier is IVerifier, Ownable {
    uint256 private constant STATEMENT_EPOCH = 1;
    uint256 private constant STATEMENT_ROTATION = 2;
    uint256 private constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Most signatures one proof carries (the circuit's slots).
    uint256 public constant MAX_SIGNERS = 3;
    /// @notice Most members a committee has (the circuit's Merkle depth 2).
    uint256 public constant MAX_MEMBERS = 4;
    /// @notice Most checkpoints one epoch carries (bounds the tree rebuilt on chain).
    uint256 public constant MAX_EPOCH_CHECKPOINTS = 256;

    struct Committee {
        uint256 root;
        uint64 threshold;
        uint64 epoch;
    }

    /// @notice A Groth16 proof as the Solidity verifier takes it.
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    struct Checkpoint {
        uint64 sourceChainId;
        uint256 count;
        bytes32 root;
    }

    /// @notice How many sources a committee serves now, and the lowest threshold any of them ever set.
    struct CommitteeUse {
        uint128 sources;
        uint64 lowestThreshold;
    }

    IGroth16Verifier public immutable groth16;
    mapping(uint64 sourceChainId => Committee) private _committees;
    /// @notice Committees an epoch may be signed by: those serving at least one source now.
    mapping(uint256 committeeRoot => CommitteeUse) public committeeUse;
    /// @notice keccak256(abi.encode(epochRoot, committeeRoot, signerCount)) of every imported epoch.
    mapping(bytes32 epochKey => bool) private _epochs;

    event CommitteeSet(uint64 indexed sourceChainId, uint256 root, uint64 threshold, uint64 epoch);
    /// @notice The checkpoints are in the event so relayers can build a message's path in the tree.
    event EpochImported(
        bytes32 indexed epochRoot, uint256 committeeRoot, uint256 signerCount, Checkpoint[] checkpoints
    );

    /// @notice A committee's threshold must be reachable by one proof and above zero.
    error InvalidThreshold(uint64 threshold);
    /// @notice The genesis committee of a source is set once; later ones come by hand-over proofs.
    error CommitteeAlreadySet(uint64 sourceChainId);
    /// @notice No committee is known for the source.
    error UnknownSource(uint64 sourceChainId);
    /// @notice The committee that signed is not any source's current committee.
    error UnknownCommittee(uint256 committeeRoot);
    /// @notice The proof is against another committee than the source's current one.
    error StaleCommittee(uint64 sourceChainId, uint256 committeeRoot, uint256 currentRoot);
    /// @notice Fewer members signed than the source's committee requires.
    error NotEnoughSigners(uint64 sourceChainId, uint256 signers, uint64 threshold);
    /// @notice Fewer members signed the epoch than any source of its committee requires.
    error EpochBelowQuorum(uint256 committeeRoot, uint256 signers, uint64 lowestThreshold);
    /// @notice The proof does not verify for these public inputs.
    error InvalidProof();
    /// @notice An epoch carries 1 to MAX_EPOCH_CHECKPOINTS checkpoints.
    error InvalidCheckpointCount(uint256 checkpoints);
    /// @notice An epoch's checkpoints come in strictly increasing chain id order (one per rollup).
    error UnsortedCheckpoints(uint256 index);
    /// @notice This epoch was imported already (signed by the same committee and signer count).
    error EpochAlreadyImported(bytes32 epochRoot);
    /// @notice No imported epoch has this root, committee and signer count.
    error EpochNotImported(bytes32 epochRoot);
    /// @notice The message's evidence is missing (the zk path needs an epoch and a path in it).
    error MissingEpochEvidence();
    /// @notice The epoch's tree has no leaf for this checkpoint: the commitment omits it.
    error CheckpointNotInEpoch(uint64 sourceChainId, uint256 count, bytes32 epochRoot);
    /// @notice A hand-over must be to the next epoch.
    error WrongEpoch(uint64 sourceChainId, uint64 epoch, uint64 expected);
    /// @notice A value does not fit the BN254 scalar field.
    error NotAFieldElement(uint256 value);

    constructor(address initialOwner, IGroth16Verifier groth16_) Ownable(initialOwner) {
        groth16 = groth16_;
    }

    /// @notice Sets a source's genesis committee (as a light client is initialised with a trusted root)
    ///         at `epoch`, the committee's epoch now, so a destination set up late follows later hand-overs.
    function setGenesisCommittee(uint64 sourceChainId, uint256 root, uint64 threshold, uint64 epoch)
        external
        onlyOwner
    {
        if (_committees[sourceChainId].root != 0) revert CommitteeAlreadySet(sourceChainId);
        _checkThreshold(threshold);
        _checkField(root);
        if (root == 0) revert NotAFieldElement(root);
        _committees[sourceChainId] = Committee({root: root, threshold: threshold, epoch: epoch});
        _useCommittee(root, threshold);
        emit CommitteeSet(sourceChainId, root, threshold, epoch);
    }

    /// @notice Imports one epoch: the newest checkpoint of every rollup (increasing chain id), with one
    ///         proof that `signerCount` members of committee `committeeRoot` signed the root of their tree.
    ///         Each message later checks that this committee is its source's and the signers its quorum.
    /// @return epochRoot The tree's root, which messages prove their source's checkpoint against.
    function submitEpoch(
        Proof calldata proof,
        uint256 committeeRoot,
        uint256 signerCount,
        Checkpoint[] calldata checkpoints
    ) external returns (bytes32 epochRoot) {
        CommitteeUse memory use = committeeUse[committeeRoot];
        if (use.sources == 0) revert UnknownCommittee(committeeRoot);
        if (signerCount < use.lowestThreshold) {
            revert EpochBelowQuorum(committeeRoot, signerCount, use.lowestThreshold);
        }
        epochRoot = epochRootOf(checkpoints);
        bytes32 key = keccak256(abi.encode(epochRoot, committeeRoot, signerCount));
        if (_epochs[key]) revert EpochAlreadyImported(epochRoot);
        uint256[8] memory signals;
        signals[0] = committeeRoot;
        signals[1] = signerCount;
        signals[2] = STATEMENT_EPOCH;
        signals[3] = uint256(epochRoot) >> 128;
        signals[4] = uint256(epochRoot) & type(uint128).max;
        _verify(proof, signals);
        _epochs[key] = true;
        emit EpochImported(epochRoot, committeeRoot, signerCount, checkpoints);
    }

    /// @notice The root of the epoch tree of `checkpoints` (refused unless sorted and 1..MAX long).
    function epochRootOf(Checkpoint[] calldata checkpoints) public pure returns (bytes32) {
        uint256 n = checkpoints.length;
        if (n == 0 || n > MAX_EPOCH_CHECKPOINTS) revert InvalidCheckpointCount(n);
        bytes32[] memory nodes = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            Checkpoint calldata checkpoint = checkpoints[i];
            if (i > 0 && checkpoint.sourceChainId <= checkpoints[i - 1].sourceChainId) {
                revert UnsortedCheckpoints(i);
            }
            nodes[i] = checkpointLeaf(checkpoint.sourceChainId, checkpoint.count, checkpoint.root);
        }
        while (n > 1) {
            uint256 half = n / 2;
            for (uint256 i = 0; i < half; i++) {
                nodes[i] = Hashes.commutativeKeccak256(nodes[2 * i], nodes[2 * i + 1]);
            }
            if (n % 2 == 1) nodes[half] = nodes[n - 1];
            n = half + n % 2;
        }
        return nodes[0];
    }

    /// @notice A checkpoint's leaf in an epoch tree (the hub's leaf: CheckpointLeaf).
    function checkpointLeaf(uint64 sourceChainId, uint256 count, bytes32 root) public pure returns (bytes32) {
        return CheckpointLeaf.hash(sourceChainId, count, root);
    }

    /// @notice Whether this epoch was imported with this committee and signer count.
    function epochImported(bytes32 epochRoot, uint256 committeeRoot, uint256 signerCount)
        external
        view
        returns (bool)
    {
        return _epochs[keccak256(abi.encode(epochRoot, committeeRoot, signerCount))];
    }

    /// @inheritdoc IVerifier
    /// @dev `data` is abi.encode(bytes32 epochRoot, uint256 committeeRoot, uint256 signerCount,
    ///      bytes32[] path): an imported epoch, signed by the source's current committee with at least
    ///      its threshold, whose tree holds this checkpoint. After a hand-over, the old committee's
    ///      epochs no longer vouch for the source (newer epochs cover every older message).
    function verifyRoot(uint64 sourceChainId, uint256 count, bytes32 root, bytes calldata data) external view {
        if (data.length == 0) revert MissingEpochEvidence();
        (bytes32 epochRoot, uint256 committeeRoot, uint256 signerCount, bytes32[] memory path) =
            abi.decode(data, (bytes32, uint256, uint256, bytes32[]));
        if (!_epochs[keccak256(abi.encode(epochRoot, committeeRoot, signerCount))]) {
            revert EpochNotImported(epochRoot);
        }
        _checkCommittee(sourceChainId, committeeRoot, signerCount);
        if (!MerkleProof.verify(path, epochRoot, checkpointLeaf(sourceChainId, count, root))) {
            revert CheckpointNotInEpoch(sourceChainId, count, epochRoot);
        }
    }

    /// @notice Hands `sourceChainId` over to its next committee with a proof that a quorum of the
    ///         current one signed (sourceChainId, nextRoot, nextThreshold, epoch + 1, currentRoot).
    function rotateCommittee(
        Proof calldata proof,
        uint64 sourceChainId,
        uint256 committeeRoot,
        uint256 signerCount,
        uint256 nextRoot,
        uint64 nextThreshold,
        uint64 epoch
    ) external {
        Committee memory current = _checkCommittee(sourceChainId, committeeRoot, signerCount);
        if (epoch != current.epoch + 1) revert WrongEpoch(sourceChainId, epoch, current.epoch + 1);
        _checkThreshold(nextThreshold);
        _checkField(nextRoot);
        if (nextRoot == 0) revert NotAFieldElement(nextRoot);
        uint256[8] memory signals;
        signals[0] = committeeRoot;
        signals[1] = signerCount;
        signals[2] = STATEMENT_ROTATION;
        signals[3] = sourceChainId;
        signals[4] = nextRoot;
        signals[5] = nextThreshold;
        signals[6] = epoch;
        signals[7] = committeeRoot;
        _verify(proof, signals);
        _committees[sourceChainId] = Committee({root: nextRoot, threshold: nextThreshold, epoch: epoch});
        committeeUse[committeeRoot].sources -= 1;
        _useCommittee(nextRoot, nextThreshold);
        emit CommitteeSet(sourceChainId, nextRoot, nextThreshold, epoch);
    }

    /// @notice A source's current committee.
    function committeeOf(uint64 sourceChainId) external view returns (Committee memory) {
        return _committees[sourceChainId];
    }

    function _checkCommittee(uint64 sourceChainId, uint256 committeeRoot, uint256 signerCount)
        private
        view
        returns (Committee memory committee)
    {
        committee = _committees[sourceChainId];
        if (committee.root == 0) revert UnknownSource(sourceChainId);
        if (committee.root != committeeRoot) revert StaleCommittee(sourceChainId, committeeRoot, committee.root);
        if (signerCount < committee.threshold) {
            revert NotEnoughSigners(sourceChainId, signerCount, committee.threshold);
        }
    }

    function _useCommittee(uint256 root, uint64 threshold) private {
        CommitteeUse storage use = committeeUse[root];
        if (use.lowestThreshold == 0 || threshold < use.lowestThreshold) use.lowestThreshold = threshold;
        use.sources += 1;
    }

    function _verify(Proof calldata proof, uint256[8] memory signals) private view {
        if (!groth16.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();
    }

    function _checkThreshold(uint64 threshold) private pure {
        if (threshold == 0 || threshold > MAX_SIGNERS) revert InvalidThreshold(threshold);
    }

    function _checkField(uint256 value) private pure {
        if (value >= FIELD_MODULUS) revert NotAFieldElement(value);
    }
}
