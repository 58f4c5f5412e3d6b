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
///         enough members signed its root, whatever the number of rollups; it stores one word for the
///         epoch and rewrites one per rollup whose checkpoint changed (the equivocation record). A message
///         then proves its source's checkpoint with the checkpoint's path in the epoch tree.
///         Imported epochs are final at once: no window, no bond.
///         Each committee numbers its epochs strictly upwards and signs the number with the verifier's
///         address (the deployment's domain: the same on every destination of a deployment, made by
///         deterministic deployment), so a statement is never replayed into another deployment, an
///         older epoch never lands after a newer one, and no epoch lands twice. The newest checkpoint
///         each committee vouched for, per source, is recorded: an epoch contradicting it (another root
///         at the same count, or a lower count) is refused. Epochs imported before a hand-over keep
///         vouching for the messages they cover.
/// @dev Public signals, in circuit order: committeeRoot, signerCount, then 6 statement fields — for an
///      epoch [1, epochRootHigh128, epochRootLow128, epochNumber, uint160(verifier), 0], for a hand-over [2, sourceChainId,
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

    /// @notice How many sources a committee serves now at each threshold (1..MAX_SIGNERS), and the
    ///         number of the newest epoch it signed that was imported here.
    struct CommitteeUse {
        uint32 atThreshold1;
        uint32 atThreshold2;
        uint32 atThreshold3;
        uint64 lastEpochNumber;
    }

    /// @notice The newest checkpoint a committee vouched for of one source: its count and the first 24
    ///         bytes of its root (one storage word; a root is a keccak hash, so its prefix identifies it).
    struct NewestCheckpoint {
        uint64 count;
        bytes24 rootPrefix;
    }

    /// @notice A committee a source handed over from: epochs it signed up to `lastEpochNumber` (all
    ///         imported before the hand-over) keep vouching for the source with `threshold` signers.
    struct Retired {
        uint64 lastEpochNumber;
        uint64 threshold;
    }

    IGroth16Verifier public immutable groth16;
    mapping(uint64 sourceChainId => Committee) private _committees;
    /// @notice Committees an epoch may be signed by: those serving at least one source now.
    mapping(uint256 committeeRoot => CommitteeUse) private _use;
    /// @notice keccak256(abi.encode(epochRoot, committeeRoot, signerCount)) of every imported epoch, to
    ///         its epoch number (never 0).
    mapping(bytes32 epochKey => uint64 epochNumber) private _epochs;
    mapping(uint256 committeeRoot => mapping(uint64 sourceChainId => NewestCheckpoint)) private _newest;
    mapping(uint64 sourceChainId => mapping(uint256 committeeRoot => Retired)) private _retired;

    event CommitteeSet(uint64 indexed sourceChainId, uint256 root, uint64 threshold, uint64 epoch);
    /// @notice The checkpoints are in the event so relayers can build a message's path in the tree.
    event EpochImported(
        bytes32 indexed epochRoot,
        uint256 committeeRoot,
        uint256 signerCount,
        uint64 epochNumber,
        Checkpoint[] checkpoints
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
    /// @notice A committee's epochs land in strictly increasing number: an older or a repeated number
    ///         (the same epoch under another signer count, a regress) is refused.
    error EpochNotNewer(uint256 committeeRoot, uint64 epochNumber, uint64 lastEpochNumber);
    /// @notice The committee vouched for another root at this source's count before: it equivocates.
    error RootMismatch(uint64 sourceChainId, uint256 count, bytes32 root);
    /// @notice The committee vouched for a later checkpoint of this source before (a source's count
    ///         never decreases).
    error CheckpointRegressed(uint64 sourceChainId, uint256 count, uint64 newestCount);
    /// @notice A checkpoint's count above 2^64 (an Outbox never reaches it).
    error CountOutOfRange(uint64 sourceChainId, uint256 count);

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
    ///         proof that `signerCount` members of committee `committeeRoot` signed the root of their tree
    ///         with `epochNumber` (above the committee's last one here) and this verifier's address.
    ///         Each message later checks that this committee is its source's and the signers its quorum.
    /// @return epochRoot The tree's root, which messages prove their source's checkpoint against.
    function submitEpoch(
        Proof calldata proof,
        uint256 committeeRoot,
        uint256 signerCount,
        uint64 epochNumber,
        Checkpoint[] calldata checkpoints
    ) external returns (bytes32 epochRoot) {
        CommitteeUse memory use = _use[committeeRoot];
        uint64 lowest = _lowestThreshold(use);
        if (lowest == 0) revert UnknownCommittee(committeeRoot);
        if (signerCount < lowest) revert EpochBelowQuorum(committeeRoot, signerCount, lowest);
        if (epochNumber <= use.lastEpochNumber) {
            revert EpochNotNewer(committeeRoot, epochNumber, use.lastEpochNumber);
        }
        epochRoot = epochRootOf(checkpoints);
        bytes32 key = keccak256(abi.encode(epochRoot, committeeRoot, signerCount));
        if (_epochs[key] != 0) revert EpochAlreadyImported(epochRoot);
        uint256[8] memory signals;
        signals[0] = committeeRoot;
        signals[1] = signerCount;
        signals[2] = STATEMENT_EPOCH;
        signals[3] = uint256(epochRoot) >> 128;
        signals[4] = uint256(epochRoot) & type(uint128).max;
        signals[5] = epochNumber;
        signals[6] = uint256(uint160(address(this)));
        _verify(proof, signals);
        _record(committeeRoot, checkpoints);
        _use[committeeRoot].lastEpochNumber = epochNumber;
        _epochs[key] = epochNumber;
        emit EpochImported(epochRoot, committeeRoot, signerCount, epochNumber, checkpoints);
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
        return _epochs[keccak256(abi.encode(epochRoot, committeeRoot, signerCount))] != 0;
    }

    /// @notice How many sources a committee serves now, the lowest threshold among them (0: none), and
    ///         the number of the newest epoch it signed that was imported here (the next must be above).
    function committeeUse(uint256 committeeRoot)
        external
        view
        returns (uint256 sources, uint64 lowestThreshold, uint64 lastEpochNumber)
    {
        CommitteeUse memory use = _use[committeeRoot];
        return (
            uint256(use.atThreshold1) + use.atThreshold2 + use.atThreshold3,
            _lowestThreshold(use),
            use.lastEpochNumber
        );
    }

    /// @notice The newest checkpoint of `sourceChainId` committee `committeeRoot` vouched for here.
    function newestCheckpoint(uint256 committeeRoot, uint64 sourceChainId)
        external
        view
        returns (NewestCheckpoint memory)
    {
        return _newest[committeeRoot][sourceChainId];
    }

    /// @inheritdoc IVerifier
    /// @dev `data` is abi.encode(bytes32 epochRoot, uint256 committeeRoot, uint256 signerCount,
    ///      bytes32[] path): an imported epoch whose tree holds this checkpoint, signed by the source's
    ///      current committee with at least its threshold — or by a committee the source handed over
    ///      from, imported before the hand-over, with at least the threshold the source had then.
    function verifyRoot(uint64 sourceChainId, uint256 count, bytes32 root, bytes calldata data) external view {
        if (data.length == 0) revert MissingEpochEvidence();
        (bytes32 epochRoot, uint256 committeeRoot, uint256 signerCount, bytes32[] memory path) =
            abi.decode(data, (bytes32, uint256, uint256, bytes32[]));
        uint64 epochNumber = _epochs[keccak256(abi.encode(epochRoot, committeeRoot, signerCount))];
        if (epochNumber == 0) revert EpochNotImported(epochRoot);
        Retired memory retired = _retired[sourceChainId][committeeRoot];
        if (retired.threshold != 0 && epochNumber <= retired.lastEpochNumber) {
            if (signerCount < retired.threshold) {
                revert NotEnoughSigners(sourceChainId, signerCount, retired.threshold);
            }
        } else {
            _checkCommittee(sourceChainId, committeeRoot, signerCount);
        }
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
        // What the outgoing committee imported so far keeps vouching for this source; nothing it signs later.
        _retired[sourceChainId][committeeRoot] =
            Retired({lastEpochNumber: _use[committeeRoot].lastEpochNumber, threshold: current.threshold});
        _countUse(committeeRoot, current.threshold, false);
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
        _countUse(root, threshold, true);
    }

    /// @dev One source more (or fewer) served by `root` at `threshold` (1..MAX_SIGNERS).
    function _countUse(uint256 root, uint64 threshold, bool add) private {
        CommitteeUse storage use = _use[root];
        if (threshold == 1) use.atThreshold1 = add ? use.atThreshold1 + 1 : use.atThreshold1 - 1;
        else if (threshold == 2) use.atThreshold2 = add ? use.atThreshold2 + 1 : use.atThreshold2 - 1;
        else use.atThreshold3 = add ? use.atThreshold3 + 1 : use.atThreshold3 - 1;
    }

    /// @dev The lowest threshold among the sources a committee serves now; 0 when it serves none.
    function _lowestThreshold(CommitteeUse memory use) private pure returns (uint64) {
        if (use.atThreshold1 != 0) return 1;
        if (use.atThreshold2 != 0) return 2;
        if (use.atThreshold3 != 0) return 3;
        return 0;
    }

    /// @dev Records each checkpoint as the newest the committee vouched for of its source, refusing one
    ///      that contradicts the record (RootMismatch at the same count, CheckpointRegressed below it).
    ///      A checkpoint already recorded costs a read; a new one a write to a word the source already has.
    function _record(uint256 committeeRoot, Checkpoint[] calldata checkpoints) private {
        mapping(uint64 => NewestCheckpoint) storage newest = _newest[committeeRoot];
        for (uint256 i = 0; i < checkpoints.length; i++) {
            Checkpoint calldata checkpoint = checkpoints[i];
            if (checkpoint.count > type(uint64).max) revert CountOutOfRange(checkpoint.sourceChainId, checkpoint.count);
            NewestCheckpoint memory known = newest[checkpoint.sourceChainId];
            bytes24 prefix = bytes24(checkpoint.root);
            if (checkpoint.count == known.count && known.rootPrefix != bytes24(0)) {
                if (prefix != known.rootPrefix) {
                    revert RootMismatch(checkpoint.sourceChainId, checkpoint.count, checkpoint.root);
                }
                continue;
            }
            if (checkpoint.count < known.count) {
                revert CheckpointRegressed(checkpoint.sourceChainId, checkpoint.count, known.count);
            }
            newest[checkpoint.sourceChainId] = NewestCheckpoint({count: uint64(checkpoint.count), rootPrefix: prefix});
        }
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
