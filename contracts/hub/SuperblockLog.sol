// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title SuperblockLog
/// @notice On the L1: the shared sequencer's record of every superblock it sealed. A superblock is one
///         block on every rollup of the sequencing domain; its commitment binds each rollup's block
///         hash and Outbox state at that height, so anyone can check later what the sequencer ordered.
contract SuperblockLog {
    /// @notice One rollup's block in a superblock.
    struct RollupBlock {
        uint64 chainId;
        uint64 blockNumber;
        bytes32 blockHash;
        uint256 outboxCount;
        bytes32 outboxRoot;
    }

    /// @notice The only account that posts superblocks.
    address public immutable sequencer;
    /// @notice Height of the newest posted superblock (0 before the first).
    uint64 public latestHeight;
    mapping(uint64 height => bytes32) public commitmentAt;

    /// @notice A superblock was recorded; `commitment` is keccak256(abi.encode(height, blocks)).
    event SuperblockPosted(uint64 indexed height, bytes32 commitment, RollupBlock[] blocks);

    /// @notice Only the sequencer posts.
    error NotSequencer(address caller);
    /// @notice Superblocks are posted in order, without gaps.
    error UnexpectedHeight(uint64 expected, uint64 got);
    /// @notice A superblock must name at least one rollup block.
    error EmptySuperblock(uint64 height);

    constructor(address sequencer_) {
        sequencer = sequencer_;
    }

    /// @notice Records consecutive superblocks starting at `firstHeight`.
    function postSuperblocks(uint64 firstHeight, RollupBlock[][] calldata superblocks) external {
        if (msg.sender != sequencer) revert NotSequencer(msg.sender);
        if (firstHeight != latestHeight + 1) revert UnexpectedHeight(latestHeight + 1, firstHeight);
        for (uint256 i = 0; i < superblocks.length; i++) {
            uint64 height = firstHeight + uint64(i);
            if (superblocks[i].length == 0) revert EmptySuperblock(height);
            bytes32 commitment = keccak256(abi.encode(height, superblocks[i]));
            commitmentAt[height] = commitment;
            emit SuperblockPosted(height, commitment, superblocks[i]);
        }
        latestHeight = firstHeight + uint64(superblocks.length) - 1;
    }
}
