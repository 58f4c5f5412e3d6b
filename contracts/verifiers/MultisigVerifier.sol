// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {RecordedCheckpoints} from "./RecordedCheckpoints.sol";
import {CheckpointSignature} from "./CheckpointSignature.sol";

/// @title MultisigVerifier
/// @notice The baseline the zk path is measured against: the same committee light client, with plain
///         ECDSA signatures checked on chain one by one — what most production bridges do today. Cost
///         grows with every signer; ZkVerifier's does not.
/// @dev Checkpoint signatures are the EIP-712 `Checkpoint` of CheckpointSignature, bound to the source
///      Outbox; a hand-over is the EIP-712 `Rotation(uint64 sourceChainId,bytes32 currentMembersHash,
///      bytes32 membersHash,uint64 threshold,uint64 epoch)` under the same domain, with
///      `membersHash = keccak256(abi.encodePacked(members))`. Naming the outgoing committee means a
///      hand-over signed for one committee can never be replayed against another that reuses the epoch.
contract MultisigVerifier is RecordedCheckpoints, Ownable {
    bytes32 internal constant ROTATION_TYPEHASH =
        keccak256(
            "Rotation(uint64 sourceChainId,bytes32 currentMembersHash,bytes32 membersHash,uint64 threshold,uint64 epoch)"
        );

    struct Committee {
        uint64 size;
        uint64 threshold;
        uint64 epoch;
        bytes32 membersHash;
    }

    /// @notice The Outbox every source's checkpoint signatures are bound to (the same on every rollup).
    address public immutable sourceOutbox;

    mapping(uint64 sourceChainId => Committee) private _committees;
    mapping(uint64 sourceChainId => mapping(uint64 epoch => mapping(address member => bool))) public isMember;

    event CommitteeSet(uint64 indexed sourceChainId, address[] members, uint64 threshold, uint64 epoch);
    event CheckpointVerified(uint64 indexed sourceChainId, uint256 indexed count, bytes32 root, uint256 signers);

    /// @notice The threshold must be between 1 and the committee size.
    error InvalidThreshold(uint64 threshold, uint256 size);
    /// @notice The genesis committee of a source is set once; later ones come by hand-over.
    error CommitteeAlreadySet(uint64 sourceChainId);
    /// @notice No committee is known for the source.
    error UnknownSource(uint64 sourceChainId);
    /// @notice A signer is not a member of the source's current committee.
    error NotMember(uint64 sourceChainId, address signer);
    /// @notice Signers must be listed in strictly increasing address order (no one counts twice).
    error SignersNotSorted(address signer);
    /// @notice Fewer members signed than the committee requires.
    error NotEnoughSigners(uint64 sourceChainId, uint256 signers, uint64 threshold);
    /// @notice The checkpoint at this count was imported already.
    error CheckpointAlreadyVerified(uint64 sourceChainId, uint256 count);
    /// @notice A hand-over must be to the next epoch.
    error WrongEpoch(uint64 sourceChainId, uint64 epoch, uint64 expected);
    /// @notice A checkpoint of this chain itself is meaningless here.
    error WrongSourceChain(uint64 sourceChainId);

    constructor(address initialOwner, address sourceOutbox_) Ownable(initialOwner) {
        sourceOutbox = sourceOutbox_;
    }

    /// @notice Sets a source's genesis committee at `epoch`: the committee's epoch now, so a destination
    ///         set up late follows the hand-overs that come after it.
    function setGenesisCommittee(uint64 sourceChainId, address[] calldata members, uint64 threshold, uint64 epoch)
        external
        onlyOwner
    {
        if (_committees[sourceChainId].size != 0) revert CommitteeAlreadySet(sourceChainId);
        _install(sourceChainId, members, threshold, epoch);
    }

    /// @notice Imports a checkpoint signed by at least `threshold` current members (signatures sorted by signer).
    function submitCheckpoint(uint64 sourceChainId, uint256 count, bytes32 root, bytes[] calldata signatures) external {
        if (sourceChainId == block.chainid) revert WrongSourceChain(sourceChainId);
        if (verifiedRoot[sourceChainId][count] != bytes32(0)) revert CheckpointAlreadyVerified(sourceChainId, count);
        uint256 signers = _checkQuorum(sourceChainId, CheckpointSignature.digest(sourceOutbox, sourceChainId, count, root), signatures);
        verifiedRoot[sourceChainId][count] = root;
        emit CheckpointVerified(sourceChainId, count, root, signers);
    }

    /// @notice Hands the source over to `members` with `threshold`, signed by a quorum of the current committee.
    function rotateCommittee(
        uint64 sourceChainId,
        address[] calldata members,
        uint64 threshold,
        uint64 epoch,
        bytes[] calldata signatures
    ) external {
        Committee memory current = _committees[sourceChainId];
        if (current.size == 0) revert UnknownSource(sourceChainId);
        if (epoch != current.epoch + 1) revert WrongEpoch(sourceChainId, epoch, current.epoch + 1);
        bytes32 structHash = keccak256(
            abi.encode(
                ROTATION_TYPEHASH,
                sourceChainId,
                current.membersHash,
                keccak256(abi.encodePacked(members)),
                threshold,
                epoch
            )
        );
        bytes32 domain = CheckpointSignature.domainSeparator(sourceOutbox);
        _checkQuorum(sourceChainId, MessageHashUtils.toTypedDataHash(domain, structHash), signatures);
        _install(sourceChainId, members, threshold, epoch);
    }

    /// @notice A source's current committee.
    function committeeOf(uint64 sourceChainId) external view returns (Committee memory) {
        return _committees[sourceChainId];
    }

    function _install(uint64 sourceChainId, address[] calldata members, uint64 threshold, uint64 epoch) private {
        if (threshold == 0 || threshold > members.length) revert InvalidThreshold(threshold, members.length);
        for (uint256 i = 0; i < members.length; i++) isMember[sourceChainId][epoch][members[i]] = true;
        _committees[sourceChainId] = Committee({
            size: uint64(members.length),
            threshold: threshold,
            epoch: epoch,
            membersHash: keccak256(abi.encodePacked(members))
        });
        emit CommitteeSet(sourceChainId, members, threshold, epoch);
    }

    function _checkQuorum(uint64 sourceChainId, bytes32 digest, bytes[] calldata signatures)
        private
        view
        returns (uint256)
    {
        Committee memory committee = _committees[sourceChainId];
        if (committee.size == 0) revert UnknownSource(sourceChainId);
        address previous;
        for (uint256 i = 0; i < signatures.length; i++) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (signer <= previous) revert SignersNotSorted(signer);
            if (!isMember[sourceChainId][committee.epoch][signer]) revert NotMember(sourceChainId, signer);
            previous = signer;
        }
        if (signatures.length < committee.threshold) {
            revert NotEnoughSigners(sourceChainId, signatures.length, committee.threshold);
        }
        return signatures.length;
    }
}
