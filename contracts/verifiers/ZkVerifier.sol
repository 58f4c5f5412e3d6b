// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {RecordedCheckpoints} from "./RecordedCheckpoints.sol";

/// @notice The snarkjs-exported Groth16 verifier of circuits/committee.circom.
interface IGroth16Verifier {
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[11] calldata publicSignals
    ) external view returns (bool);
}

/// @title ZkVerifier
/// @notice The zero-knowledge trust path on a destination rollup: a light client of each source's
///         committee. It stores a commitment to every source's committee (the Poseidon Merkle root of its
///         members' Baby Jubjub keys) and its threshold, and accepts a Groth16 proof that at least
///         `threshold` distinct members signed a statement. One proof carries the checkpoints of up to
///         two sources that share a committee (one verification imports both), or hands a source over to
///         its next committee. Accepted checkpoints are final at once: no window, no bond.
/// @dev Public signals, in circuit order: committeeRoot, signerCount, then 9 statement fields — for
///      checkpoints [1, chainId, count, rootHigh128, rootLow128, chainId, count, rootHigh128, rootLow128]
///      (an unused slot is zeros), for a hand-over [2, sourceChainId, nextRoot, nextThreshold, epoch,
///      currentRoot, 0, 0, 0]: the outgoing committee is signed, so a hand-over can never be replayed
///      against another committee that reuses the epoch.
contract ZkVerifier is RecordedCheckpoints, Ownable {
    uint256 private constant STATEMENT_CHECKPOINTS = 1;
    uint256 private constant STATEMENT_ROTATION = 2;
    /// @notice Most signatures one proof carries (the circuit's slots).
    uint256 public constant MAX_SIGNERS = 3;
    /// @notice Most members a committee has (the circuit's Merkle depth 2).
    uint256 public constant MAX_MEMBERS = 4;

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

    IGroth16Verifier public immutable groth16;
    mapping(uint64 sourceChainId => Committee) private _committees;

    event CommitteeSet(uint64 indexed sourceChainId, uint256 root, uint64 threshold, uint64 epoch);
    event CheckpointVerified(uint64 indexed sourceChainId, uint256 indexed count, bytes32 root, uint256 committeeRoot);

    /// @notice A committee's threshold must be reachable by one proof and above zero.
    error InvalidThreshold(uint64 threshold);
    /// @notice The genesis committee of a source is set once; later ones come by hand-over proofs.
    error CommitteeAlreadySet(uint64 sourceChainId);
    /// @notice No committee is known for the source.
    error UnknownSource(uint64 sourceChainId);
    /// @notice The proof is against another committee than the source's current one.
    error StaleCommittee(uint64 sourceChainId, uint256 committeeRoot, uint256 currentRoot);
    /// @notice Fewer members signed than the source's committee requires.
    error NotEnoughSigners(uint64 sourceChainId, uint256 signers, uint64 threshold);
    /// @notice The proof does not verify for these public inputs.
    error InvalidProof();
    /// @notice The checkpoint at this count was imported already.
    error CheckpointAlreadyVerified(uint64 sourceChainId, uint256 count);
    /// @notice A proof must carry at least one checkpoint for another chain.
    error NoCheckpoint();
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
        _committees[sourceChainId] = Committee({root: root, threshold: threshold, epoch: epoch});
        emit CommitteeSet(sourceChainId, root, threshold, epoch);
    }

    /// @notice Imports the checkpoints in `checkpoints` (an unused slot has sourceChainId 0; a slot of
    ///         this chain, or one imported already with the same root, is skipped) with one proof that
    ///         the sources' committee signed them. A proof that brings nothing new is refused.
    function submitCheckpoints(
        Proof calldata proof,
        uint256 committeeRoot,
        uint256 signerCount,
        Checkpoint[2] calldata checkpoints
    ) external {
        uint256[11] memory signals;
        signals[0] = committeeRoot;
        signals[1] = signerCount;
        signals[2] = STATEMENT_CHECKPOINTS;
        bool[2] memory fresh;
        bool foreign;
        for (uint256 i = 0; i < 2; i++) {
            Checkpoint calldata checkpoint = checkpoints[i];
            if (checkpoint.sourceChainId == 0) continue;
            _checkField(checkpoint.count);
            signals[3 + 4 * i] = checkpoint.sourceChainId;
            signals[4 + 4 * i] = checkpoint.count;
            signals[5 + 4 * i] = uint256(checkpoint.root) >> 128;
            signals[6 + 4 * i] = uint256(checkpoint.root) & type(uint128).max;
            if (checkpoint.sourceChainId == block.chainid) continue;
            foreign = true;
            _checkCommittee(checkpoint.sourceChainId, committeeRoot, signerCount);
            bytes32 known = verifiedRoot[checkpoint.sourceChainId][checkpoint.count];
            if (known == bytes32(0)) fresh[i] = true;
            else if (known != checkpoint.root) revert RootMismatch(checkpoint.sourceChainId, checkpoint.count, known);
        }
        if (!foreign) revert NoCheckpoint();
        if (!fresh[0] && !fresh[1]) {
            uint256 first = checkpoints[0].sourceChainId == block.chainid || checkpoints[0].sourceChainId == 0 ? 1 : 0;
            revert CheckpointAlreadyVerified(checkpoints[first].sourceChainId, checkpoints[first].count);
        }
        _verify(proof, signals);
        for (uint256 i = 0; i < 2; i++) {
            if (!fresh[i]) continue;
            Checkpoint calldata checkpoint = checkpoints[i];
            verifiedRoot[checkpoint.sourceChainId][checkpoint.count] = checkpoint.root;
            emit CheckpointVerified(checkpoint.sourceChainId, checkpoint.count, checkpoint.root, committeeRoot);
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
        uint256[11] memory signals;
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

    function _verify(Proof calldata proof, uint256[11] memory signals) private view {
        if (!groth16.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();
    }

    function _checkThreshold(uint64 threshold) private pure {
        if (threshold == 0 || threshold > MAX_SIGNERS) revert InvalidThreshold(threshold);
    }

    function _checkField(uint256 value) private pure {
        if (value >= 21888242871839275222246405745257275088548364400416034343698204186575808495617) {
            revert NotAFieldElement(value);
        }
    }
}
