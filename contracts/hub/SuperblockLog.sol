// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title SuperblockLog
/// @notice On the L1: the shared sequencer's record of every superblock it sealed, and the forced-
///         inclusion queue that keeps it from censoring. A superblock is one block on every rollup of the
///         sequencing domain; its commitment binds each rollup's block hash and Outbox state at that
///         height, so anyone can check later what the sequencer ordered.
///
///         Anyone may queue a signed transaction for a rollup of the domain here (`forceInclude`). The
///         sequencer must include it within `inclusionDelay` superblocks of the height posted when it
///         was queued; every post declares how many queued transactions the posted superblocks have
///         handled, and a post that reaches a queued transaction's deadline without handling it is
///         refused. Censorship therefore stops the domain's progress on the L1 instead of passing
///         silently.
/// @dev The L1 checks the sequencer's declaration, not the rollup blocks: that a declared transaction
///      really is in a posted block is checkable by anyone against the posted block hashes, but not
///      proven here. A queued transaction the rollup's node refuses (bad nonce, too little gas) counts as
///      handled, as a forced transaction that fails does on other rollups.
contract SuperblockLog {
    /// @notice One rollup's block in a superblock.
    struct RollupBlock {
        uint64 chainId;
        uint64 blockNumber;
        bytes32 blockHash;
        uint256 outboxCount;
        bytes32 outboxRoot;
    }

    /// @notice Largest signed transaction the queue takes, in bytes.
    uint256 public constant MAX_FORCED_TX_BYTES = 32 * 1024;
    /// @notice Shortest inclusion delay: the sequencer seals ahead of what is posted, so a queued
    ///         transaction needs room to be seen and sealed before the posts reach its deadline.
    uint64 public constant MIN_INCLUSION_DELAY = 8;

    /// @notice The only account that posts superblocks.
    address public immutable sequencer;
    /// @notice Superblocks the sequencer has, after the posted height at queueing, to include a
    ///         queued transaction.
    uint64 public immutable inclusionDelay;
    /// @notice Height of the newest posted superblock (0 before the first).
    uint64 public latestHeight;
    mapping(uint64 height => bytes32) public commitmentAt;
    /// @notice How many queued transactions the posted superblocks have handled (a queue cursor).
    uint256 public forcedHandled;
    /// @notice Per queued transaction, the last superblock height that may not be posted without it.
    uint64[] private _forcedDeadline;
    mapping(uint64 chainId => bool) public inDomain;

    /// @notice A superblock was recorded; `commitment` is keccak256(abi.encode(height, blocks)).
    event SuperblockPosted(uint64 indexed height, bytes32 commitment, RollupBlock[] blocks);
    /// @notice A transaction was queued for `chainId`; it must be handled by superblock `deadlineHeight`.
    event ForcedTransactionQueued(
        uint256 indexed index, uint64 indexed chainId, uint64 deadlineHeight, bytes signedTransaction
    );
    /// @notice The posted superblocks up to `height` handled the queue up to (excluding) `handled`.
    event ForcedTransactionsHandled(uint64 indexed height, uint256 handled);

    /// @notice A rollup joined the sequencing domain after deployment.
    event RollupAdded(uint64 indexed chainId);

    /// @notice The chain is already in the domain, or is zero.
    error RollupAlreadyInDomain(uint64 chainId);
    /// @notice Only the sequencer posts.
    error NotSequencer(address caller);
    /// @notice Superblocks are posted in order, without gaps.
    error UnexpectedHeight(uint64 expected, uint64 got);
    /// @notice A superblock must name at least one rollup block.
    error EmptySuperblock(uint64 height);
    /// @notice The chain is not a rollup of this sequencing domain.
    error UnknownRollup(uint64 chainId);
    /// @notice A queued transaction must be between 1 and MAX_FORCED_TX_BYTES bytes.
    error InvalidForcedTransaction(uint256 size);
    /// @notice The declared queue cursor moves backwards or past the queue's end.
    error InvalidForcedCursor(uint256 handled, uint256 current, uint256 queued);
    /// @notice The inclusion delay is under MIN_INCLUSION_DELAY.
    error InclusionDelayTooShort(uint64 inclusionDelay, uint64 min);
    /// @notice The post reaches a queued transaction's deadline without having handled it.
    error ForcedTransactionOverdue(uint256 index, uint64 deadlineHeight, uint64 postedHeight);

    constructor(address sequencer_, uint64 inclusionDelay_, uint64[] memory chainIds) {
        if (inclusionDelay_ < MIN_INCLUSION_DELAY) revert InclusionDelayTooShort(inclusionDelay_, MIN_INCLUSION_DELAY);
        sequencer = sequencer_;
        inclusionDelay = inclusionDelay_;
        for (uint256 i = 0; i < chainIds.length; i++) inDomain[chainIds[i]] = true;
    }

    /// @notice Adds a rollup to the domain (the sequencer took its node over): from now on anyone may
    ///         queue transactions for it. Only the sequencer may, as it alone must then include them.
    function addRollup(uint64 chainId) external {
        if (msg.sender != sequencer) revert NotSequencer(msg.sender);
        if (chainId == 0 || inDomain[chainId]) revert RollupAlreadyInDomain(chainId);
        inDomain[chainId] = true;
        emit RollupAdded(chainId);
    }

    /// @notice Queues a signed transaction for `chainId`; the sequencer must include it within
    ///         `inclusionDelay` superblocks. Anyone may call it; the L1 gas is the price of the slot.
    /// @return index The transaction's place in the queue.
    function forceInclude(uint64 chainId, bytes calldata signedTransaction) external returns (uint256 index) {
        if (!inDomain[chainId]) revert UnknownRollup(chainId);
        if (signedTransaction.length == 0 || signedTransaction.length > MAX_FORCED_TX_BYTES) {
            revert InvalidForcedTransaction(signedTransaction.length);
        }
        index = _forcedDeadline.length;
        uint64 deadlineHeight = latestHeight + inclusionDelay;
        _forcedDeadline.push(deadlineHeight);
        emit ForcedTransactionQueued(index, chainId, deadlineHeight, signedTransaction);
    }

    /// @notice Records consecutive superblocks starting at `firstHeight`, which together handled the
    ///         forced-inclusion queue up to (excluding) index `forcedHandled_`.
    function postSuperblocks(uint64 firstHeight, RollupBlock[][] calldata superblocks, uint256 forcedHandled_)
        external
    {
        if (msg.sender != sequencer) revert NotSequencer(msg.sender);
        if (firstHeight != latestHeight + 1) revert UnexpectedHeight(latestHeight + 1, firstHeight);
        for (uint256 i = 0; i < superblocks.length; i++) {
            uint64 height = firstHeight + uint64(i);
            if (superblocks[i].length == 0) revert EmptySuperblock(height);
            bytes32 commitment = keccak256(abi.encode(height, superblocks[i]));
            commitmentAt[height] = commitment;
            emit SuperblockPosted(height, commitment, superblocks[i]);
        }
        uint64 lastHeight = firstHeight + uint64(superblocks.length) - 1;
        _handleForced(lastHeight, forcedHandled_);
        latestHeight = lastHeight;
    }

    /// @notice How many transactions were ever queued.
    function forcedQueued() external view returns (uint256) {
        return _forcedDeadline.length;
    }

    /// @notice The deadline height of queued transaction `index`.
    function forcedDeadline(uint256 index) external view returns (uint64) {
        return _forcedDeadline[index];
    }

    function _handleForced(uint64 lastHeight, uint256 handled) private {
        uint256 queued = _forcedDeadline.length;
        if (handled < forcedHandled || handled > queued) revert InvalidForcedCursor(handled, forcedHandled, queued);
        // Deadlines never decrease along the queue, so the first unhandled one is the earliest.
        if (handled < queued && _forcedDeadline[handled] <= lastHeight) {
            revert ForcedTransactionOverdue(handled, _forcedDeadline[handled], lastHeight);
        }
        if (handled != forcedHandled) {
            forcedHandled = handled;
            emit ForcedTransactionsHandled(lastHeight, handled);
        }
    }
}
