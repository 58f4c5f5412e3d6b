// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Outbox} from "../messaging/Outbox.sol";
import {CheckpointSignature} from "../verifiers/CheckpointSignature.sol";
import {BondMessages} from "./BondMessages.sol";

/// @title BondManager
/// @notice Source side of the optimistic path, one per rollup. Attesters stake native ETH here before
///         their checkpoints of this rollup's Outbox are accepted elsewhere. Anyone who shows a signed
///         checkpoint that disagrees with `Outbox.rootAt` gets the signer's bond slashed: PROVER_SHARE_BPS
///         to the prover, the rest burned. Bond changes and true roots travel to the other rollups'
///         OptimisticVerifiers as canonical messages. The owner may add a destination (a rollup that
///         joined later); anyone may then re-announce a bond so the newcomer learns it.
contract BondManager is Ownable {
    /// @notice Share of a slashed bond paid to the fraud prover, in basis points.
    uint256 public constant PROVER_SHARE_BPS = 5_000;
    /// @notice Where the unpaid part of a slashed bond goes.
    address public constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;
    uint64 public constant MESSAGE_GAS_LIMIT = 200_000;
    /// @notice Bond updates and root reports never expire: a slash notice that could be expired would
    ///         leave a destination trusting the old bond forever.
    uint64 public constant NEVER_EXPIRES = type(uint64).max;
    /// @notice Most destinations: keeps every broadcast's loop bounded.
    uint256 public constant MAX_DESTINATIONS = 64;
    /// @notice Longest withdrawal delay (keeps `now + withdrawalDelay` far inside uint64).
    uint256 public constant MAX_WITHDRAWAL_DELAY = 365 days;

    struct Bond {
        uint256 amount;
        uint64 withdrawableAt;
        bool slashed;
    }

    Outbox public immutable outbox;
    /// @notice OptimisticVerifier address on the destinations (the same on every rollup).
    address public immutable remoteVerifier;
    /// @notice Delay between asking to withdraw and withdrawing; at least the longest challenge window.
    uint256 public immutable withdrawalDelay;
    uint64[] private _destinations;
    mapping(address attester => Bond) private _bonds;
    mapping(address attester => uint256) private _bondVersion;

    event Bonded(address indexed attester, uint256 amount, uint256 total);
    event WithdrawalRequested(address indexed attester, uint256 amount, uint64 withdrawableAt);
    event Withdrawn(address indexed attester, uint256 amount);
    event AttesterSlashed(
        address indexed attester, address indexed prover, uint256 count, bytes32 root, uint256 reward, uint256 burned
    );
    event RootReported(uint64 indexed destinationChainId, uint256 count, bytes32 root, bytes32 messageId);
    event DestinationAdded(uint64 indexed chainId);
    event BondAnnounced(address indexed attester, uint256 activeBond, bool slashed);

    /// @notice Bonding needs a positive value.
    error ZeroBond();
    /// @notice The attester is already withdrawing or was slashed.
    error BondNotActive(address attester);
    /// @notice There is no withdrawal to complete, or it is not yet due.
    error WithdrawalNotReady(uint64 withdrawableAt, uint256 nowTimestamp);
    /// @notice The checkpoint names another source chain.
    error WrongSourceChain(uint64 sourceChainId);
    /// @notice The checkpoint agrees with the Outbox: there is no fraud to prove.
    error CheckpointNotFraudulent(uint256 count, bytes32 root);
    /// @notice The signer has no bond left to slash.
    error NothingToSlash(address attester);
    /// @notice Root reports go to configured destinations only.
    error UnknownDestination(uint64 destinationChainId);
    /// @notice A native transfer failed.
    error TransferFailed(address to, uint256 amount);
    /// @notice The withdrawal delay is zero or longer than MAX_WITHDRAWAL_DELAY.
    error InvalidWithdrawalDelay(uint256 withdrawalDelay);
    /// @notice The chain is already a destination, is this rollup, or is zero.
    error InvalidDestination(uint64 chainId);
    /// @notice Adding the destination would pass MAX_DESTINATIONS.
    error TooManyDestinations(uint256 max);
    /// @notice The attester never bonded here: there is nothing to announce.
    error NoBondToAnnounce(address attester);

    constructor(
        address initialOwner,
        Outbox outbox_,
        address remoteVerifier_,
        uint256 withdrawalDelay_,
        uint64[] memory destinations_
    ) Ownable(initialOwner) {
        if (destinations_.length > MAX_DESTINATIONS) revert TooManyDestinations(MAX_DESTINATIONS);
        if (withdrawalDelay_ == 0 || withdrawalDelay_ > MAX_WITHDRAWAL_DELAY) {
            revert InvalidWithdrawalDelay(withdrawalDelay_);
        }
        outbox = outbox_;
        remoteVerifier = remoteVerifier_;
        withdrawalDelay = withdrawalDelay_;
        _destinations = destinations_;
    }

    /// @notice Adds `msg.value` to the caller's bond and tells every destination.
    function bond() external payable {
        if (msg.value == 0) revert ZeroBond();
        Bond storage entry = _bonds[msg.sender];
        if (entry.slashed || entry.withdrawableAt != 0) revert BondNotActive(msg.sender);
        entry.amount += msg.value;
        emit Bonded(msg.sender, msg.value, entry.amount);
        _broadcastBond(msg.sender, entry.amount, false);
    }

    /// @notice Starts the withdrawal of the caller's whole bond: destinations stop accepting its
    ///         checkpoints at once, and the bond stays slashable for `withdrawalDelay`.
    function requestWithdrawal() external {
        Bond storage entry = _bonds[msg.sender];
        if (entry.amount == 0 || entry.slashed || entry.withdrawableAt != 0) revert BondNotActive(msg.sender);
        entry.withdrawableAt = uint64(block.timestamp + withdrawalDelay);
        emit WithdrawalRequested(msg.sender, entry.amount, entry.withdrawableAt);
        _broadcastBond(msg.sender, 0, false);
    }

    /// @notice Pays out a bond whose withdrawal delay has passed.
    function withdraw() external {
        Bond storage entry = _bonds[msg.sender];
        if (entry.withdrawableAt == 0 || block.timestamp < entry.withdrawableAt || entry.amount == 0) {
            revert WithdrawalNotReady(entry.withdrawableAt, block.timestamp);
        }
        uint256 amount = entry.amount;
        delete _bonds[msg.sender];
        emit Withdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @notice Slashes the signer of a checkpoint of this rollup that disagrees with the Outbox. The
    ///         signature must be for this deployment (its domain names this Outbox). Every destination is
    ///         told, and voids the signer's checkpoints that are not confirmed yet.
    function proveFraud(uint64 sourceChainId, uint256 count, bytes32 root, bytes calldata signature) external {
        if (sourceChainId != block.chainid) revert WrongSourceChain(sourceChainId);
        if (count <= outbox.count() && outbox.rootAt(count) == root) revert CheckpointNotFraudulent(count, root);
        address attester = CheckpointSignature.signer(address(outbox), sourceChainId, count, root, signature);
        Bond storage entry = _bonds[attester];
        uint256 amount = entry.amount;
        if (amount == 0) revert NothingToSlash(attester);
        entry.amount = 0;
        entry.slashed = true;
        uint256 reward = (amount * PROVER_SHARE_BPS) / 10_000;
        emit AttesterSlashed(attester, msg.sender, count, root, reward, amount - reward);
        _broadcastBond(attester, 0, true);
        _send(msg.sender, reward);
        _send(BURN_ADDRESS, amount - reward);
    }

    /// @notice Sends this rollup's true Outbox root at `count` to `destinationChainId` over the canonical
    ///         path, where it settles any challenge of a checkpoint at that count.
    function reportRoot(uint256 count, uint64 destinationChainId) external returns (bytes32 messageId) {
        if (!_isDestination(destinationChainId)) revert UnknownDestination(destinationChainId);
        bytes32 root = outbox.rootAt(count);
        messageId = outbox.send(
            destinationChainId,
            remoteVerifier,
            BondMessages.rootReport(count, root),
            MESSAGE_GAS_LIMIT,
            NEVER_EXPIRES
        );
        emit RootReported(destinationChainId, count, root, messageId);
    }

    /// @notice Adds a rollup that joined after deployment to the destinations of bond changes and root
    ///         reports. Bonds made before it are not sent there until someone calls `announceBond`.
    function addDestination(uint64 chainId) external onlyOwner {
        if (chainId == 0 || chainId == block.chainid || _isDestination(chainId)) revert InvalidDestination(chainId);
        if (_destinations.length >= MAX_DESTINATIONS) revert TooManyDestinations(MAX_DESTINATIONS);
        _destinations.push(chainId);
        emit DestinationAdded(chainId);
    }

    /// @notice Sends `attester`'s current bond state to every destination again (a newer version, so no
    ///         destination takes it for a late update). Anyone may call it: it only repeats what is true
    ///         here, so a destination added later learns bonds made before it.
    function announceBond(address attester) external {
        Bond storage entry = _bonds[attester];
        if (_bondVersion[attester] == 0) revert NoBondToAnnounce(attester);
        bool active = !entry.slashed && entry.withdrawableAt == 0;
        uint256 activeBond = active ? entry.amount : 0;
        emit BondAnnounced(attester, activeBond, entry.slashed);
        _broadcastBond(attester, activeBond, entry.slashed);
    }

    /// @notice An attester's bond.
    function bondOf(address attester) external view returns (Bond memory) {
        return _bonds[attester];
    }

    /// @notice The rollups told about bond changes.
    function destinations() external view returns (uint64[] memory) {
        return _destinations;
    }

    function _broadcastBond(address attester, uint256 activeBond, bool slashed) private {
        bytes memory body =
            BondMessages.bondUpdate(attester, activeBond, ++_bondVersion[attester], slashed, withdrawalDelay);
        for (uint256 i = 0; i < _destinations.length; i++) {
            // A rollup outside this one's dependency set takes no messages from here, so needs no bond.
            if (!outbox.maySendTo(_destinations[i])) continue;
            outbox.send(_destinations[i], remoteVerifier, body, MESSAGE_GAS_LIMIT, NEVER_EXPIRES);
        }
    }

    function _isDestination(uint64 chainId) private view returns (bool) {
        for (uint256 i = 0; i < _destinations.length; i++) {
            if (_destinations[i] == chainId) return true;
        }
        return false;
    }

    function _send(address to, uint256 amount) private {
        if (amount == 0) return;
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
