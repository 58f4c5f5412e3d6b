// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IVerifier} from "../interfaces/IVerifier.sol";
import {CheckpointSignature} from "./CheckpointSignature.sol";

/// @notice The bond mirror the optimistic path keeps: what each signer has bonded on each source.
interface IBondMirror {
    function bondOnSource(uint64 sourceChainId, address signer) external view returns (uint256);
    function slashedOnSource(uint64 sourceChainId, address signer) external view returns (bool);
    function sourceOutbox() external view returns (address);
}

/// @title SequencerVerifier
/// @notice The shared-sequencer trust path on a destination rollup. The sequencer of the sequencing
///         domain signs `(sourceChainId, count, root)` as of the superblock it just sealed; the signature
///         travels with the message as the proof's verifier data, so a message is deliverable in the
///         same superblock, with no waiting and no on-chain submission. The sequencer is bonded on
///         every source's BondManager, and a signed checkpoint that disagrees with `Outbox.rootAt`
///         slashes it there with the same fraud proof as an optimistic attester.
///
///         Trust, plainly: a signature is accepted at once, so the sequencer CAN forge a root; the only
///         answer is after the fact — the slash of its bond on the source, which stops this verifier
///         once the bond message arrives. Until then a forger moves whatever the apps on this path let
///         one window move; deployments keep `minBond` at or above that cap (see the README). Fraud
///         proofs cannot be censored by the sequencer for long: anyone can queue them on the L1's
///         SuperblockLog, which refuses superblock posts that skip an overdue forced transaction.
/// @dev The bond is read from the OptimisticVerifier on this rollup, which already mirrors every
///      signer's bond from the sources over the canonical path.
contract SequencerVerifier is IVerifier, Ownable {
    IBondMirror public immutable bondMirror;
    uint256 public immutable minBond;
    /// @notice The Outbox every source's checkpoint signatures are bound to (the same on every rollup).
    address public immutable sourceOutbox;
    /// @notice The key whose checkpoints this rollup accepts.
    address public sequencer;

    /// @notice The owner named a new sequencer key.
    event SequencerSet(address indexed sequencer);

    /// @notice A checkpoint of this chain itself is meaningless here.
    error WrongSourceChain(uint64 sourceChainId);
    /// @notice The checkpoint is not signed by the sequencer.
    error NotSequencer(address signer, address sequencer);
    /// @notice The sequencer's bond on the source is missing, withdrawing, slashed, or below minBond.
    error SequencerNotBonded(uint64 sourceChainId, address sequencer, uint256 bond);

    constructor(address initialOwner, IBondMirror bondMirror_, uint256 minBond_, address sequencer_)
        Ownable(initialOwner)
    {
        bondMirror = bondMirror_;
        minBond = minBond_;
        sourceOutbox = bondMirror_.sourceOutbox();
        sequencer = sequencer_;
        emit SequencerSet(sequencer_);
    }

    /// @notice Names the sequencer key (rotation, or a new sequencer for the domain).
    function setSequencer(address sequencer_) external onlyOwner {
        sequencer = sequencer_;
        emit SequencerSet(sequencer_);
    }

    /// @inheritdoc IVerifier
    /// @dev `data` is the sequencer's EIP-712 checkpoint signature (65 bytes).
    function verifyRoot(uint64 sourceChainId, uint256 count, bytes32 root, bytes calldata data) external view {
        if (sourceChainId == block.chainid) revert WrongSourceChain(sourceChainId);
        address signer = CheckpointSignature.signer(sourceOutbox, sourceChainId, count, root, data);
        if (signer != sequencer) revert NotSequencer(signer, sequencer);
        uint256 bond = bondMirror.bondOnSource(sourceChainId, signer);
        if (bond == 0 || bond < minBond || bondMirror.slashedOnSource(sourceChainId, signer)) {
            revert SequencerNotBonded(sourceChainId, signer, bond);
        }
    }
}
